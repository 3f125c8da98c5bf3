"""Read the five set-ups' load runs (helpers.concurrency.db_load) as a table, a plot and verdicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from helpers import palette
from helpers.concurrency.db_load import LevelRun
from helpers.display import Table

# One colour, marker and line style per set-up, in shop_setups()'s order: never colour alone.
STYLES = {
    "Django sync": (palette.DJANGO, "o", "-"),
    "Django async": (palette.DJANGO, "D", "--"),
    "Flask": (palette.FLASK, "s", "-"),
    "FastAPI async def": (palette.FASTAPI, "^", "-"),
    "FastAPI def": (palette.ORANGE, "v", ":"),
}


def ceiling(pool_size: int, wait_ms: float) -> float:
    """Return the most requests per second a pool of `pool_size` connections serves when each query waits `wait_ms`."""
    return pool_size / (wait_ms / 1000)


def errors_text(run: LevelRun) -> str:
    """Say which requests failed, by kind ("70 status 500, 3 timeout"), or "none"."""
    errors = run.result.errors
    return ", ".join(f"{n} {kind}" for kind, n in sorted(errors.items())) if errors else "none"


def at(runs: Sequence[LevelRun], concurrency: int) -> LevelRun:
    """Return the run at `concurrency` concurrent connections."""
    for run in runs:
        if run.concurrency == concurrency:
            return run
    raise KeyError(f"no run at {concurrency} concurrent; the runs are at {[r.concurrency for r in runs]}")


def _check(runs: Mapping[str, Sequence[LevelRun]]) -> None:
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError(f"runs must map each set-up's short name to its LevelRuns (db_load.load_all), got {runs!r}")
    for name, level_runs in runs.items():
        if not level_runs or not all(isinstance(r, LevelRun) for r in level_runs):
            raise ValueError(f"{name!r}: expected the LevelRuns load_setup() returns")


def load_table(runs: Mapping[str, Sequence[LevelRun]], title: str) -> Table:
    """Return one row per set-up and concurrency: req/s, p50, p99, failures by kind, connections and threads held."""
    _check(runs)
    rows = []
    for name, level_runs in runs.items():
        for run in level_runs:
            s = run.result.summary()
            rows.append(
                [
                    name,
                    run.concurrency,
                    f"{run.result.throughput:,.0f}",
                    f"{s['p50_ms']:,.0f} ms" if run.result.ok else "-",
                    f"{s['p99_ms']:,.0f} ms" if run.result.ok else "-",
                    f"{run.result.ok:,}",
                    errors_text(run),
                    run.held,
                    run.threads,
                ]
            )
    headers = ["set-up", "concurrent", "req/s", "p50", "p99", "answered", "failed", "connections held", "threads"]
    return Table(rows, headers, title=title)


def plot_load(runs: Mapping[str, Sequence[LevelRun]], pool_size: int, wait_ms: float) -> Any:
    """Plot requests per second and p99 latency against concurrency, one line per set-up, with the pool's ceiling."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    _check(runs)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for name, level_runs in runs.items():
        colour, marker, line = STYLES.get(name, (palette.BLACK, "x", "-"))
        style = {"color": colour, "marker": marker, "linestyle": line, "label": name}
        n = [r.concurrency for r in level_runs]
        axes[0].plot(n, [r.result.throughput for r in level_runs], **style)
        answered = [r for r in level_runs if r.result.ok]
        axes[1].plot([r.concurrency for r in answered], [r.result.percentile(99) * 1000 for r in answered], **style)
    top = ceiling(pool_size, wait_ms)
    axes[0].axhline(top, color=palette.BLACK, linestyle="-.", linewidth=1)
    axes[0].annotate(f"pool ceiling: {pool_size} / {wait_ms / 1000:g} s = {top:,.0f} req/s", (10, top * 1.03))
    axes[0].set_ylim(0, top * 1.25)
    axes[1].set_yscale("log")
    axes[1].yaxis.set_major_formatter("{x:,.0f}")
    axes[1].yaxis.set_minor_formatter(NullFormatter())
    for ax, title, unit in zip(
        axes, ("throughput", "p99 latency (requests that were answered)"), ("requests per second", "ms (log scale)")
    ):
        ax.set_xscale("log")
        ax.set_xticks([r.concurrency for r in next(iter(runs.values()))])
        ax.get_xaxis().set_major_formatter("{x:g}")
        ax.set_title(title)
        ax.set_xlabel("concurrent connections (log scale)")
        ax.set_ylabel(unit)
    fig.suptitle(f"The shop's endpoint in five set-ups: a pool of {pool_size} connections, {wait_ms:g} ms per query")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=5, fontsize=8)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def judge_load(runs: Mapping[str, Sequence[LevelRun]], pool_size: int, wait_ms: float, during: Any = None) -> list[Any]:
    """Return the verdicts on the five set-ups' runs at 10, 100 and 500 concurrent (shop_setups()' short names)."""
    from helpers.verdicts import judge

    _check(runs)
    top = ceiling(pool_size, wait_ms)
    answering = {name: r for name, r in runs.items() if name != "FastAPI def"}
    most_held = max(r.held for level_runs in runs.values() for r in level_runs)
    at_10 = {name: at(r, 10).result.throughput for name, r in answering.items()}
    at_100 = {name: at(r, 100).result.throughput for name, r in answering.items()}
    slow_down = {
        name: at(r, 500).result.percentile(50) / at(r, 10).result.percentile(50) for name, r in answering.items()
    }
    django_async = at(runs["Django async"], 500)
    starved = at(runs["FastAPI def"], 100)
    return [
        judge(
            f"No server held more connections than its pool of {pool_size}, at any concurrency (pg_stat_activity)",
            0 < most_held <= pool_size,
            f"the most held at once was {most_held}",
            why="a sample is taken every 50 ms, so a short run on a busy machine can miss the fullest moment",
            during=during,
        ),
        judge(
            f"The pool is the ceiling: at 100 concurrent, the four set-ups that kept answering each served "
            f"between half of and all of {pool_size} / {wait_ms / 1000:g} s = {top:,.0f} requests per second",
            all(0.5 * top <= v <= 1.05 * top for v in at_100.values()),
            ", ".join(f"{name} {v:,.0f}" for name, v in at_100.items()) + " req/s",
            why="the CPU is shared with the load generator and the database, and a busy machine slows all three",
            during=during,
        ),
        judge(
            "Async lifts no ceiling: at 100 concurrent, FastAPI async def served under 1.25 times Flask's "
            "requests per second",
            at_100["FastAPI async def"] < 1.25 * at_100["Flask"],
            f"{at_100['FastAPI async def']:,.0f} against {at_100['Flask']:,.0f} req/s",
            during=during,
        ),
        judge(
            "Async is not faster per request: at 10 concurrent, where no request waits for the pool, FastAPI async def "
            "served no more than 1.15 times Flask's requests per second",
            at_10["FastAPI async def"] <= 1.15 * at_10["Flask"],
            f"{at_10['FastAPI async def']:,.0f} against {at_10['Flask']:,.0f} req/s",
            during=during,
        ),
        judge(
            "Past the pool, more concurrency is queueing: at 500 concurrent the median request took over 10 times "
            "as long as at 10, in the four set-ups that kept answering",
            all(v > 10 for v in slow_down.values()),
            ", ".join(f"{name} {v:.0f}x" for name, v in slow_down.items()),
            during=during,
        ),
        judge(
            "Django's async view ran an OS thread per request in flight: over 400 threads at 500 concurrent, "
            f"holding at most {pool_size} connections",
            django_async.threads > 400 and django_async.held <= pool_size,
            f"{django_async.threads} threads, {django_async.held} connections held",
            why="on a busy machine the server may not have started every request's thread when it was sampled",
            during=during,
        ),
        judge(
            f"FastAPI def starves its pool of {pool_size} at 100 concurrent: requests fail with status 500",
            starved.result.errors.get("status 500", 0) > 0,
            f"{starved.result.ok} answered, failed: {errors_text(starved)}",
            why="a run on a quiet machine may finish requests before every thread waits on the pool",
            during=during,
        ),
    ]
