"""Read held-connection measurements (helpers.concurrency.waiting) as a table, a plot and per-step figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from helpers import palette
from helpers.concurrency.waiting import PROBE_TIMEOUT, SHORT_NAMES, WaitingPoint, fit_memory
from helpers.display import Table

GTHREAD_CAP = 1000  # gunicorn's worker_connections default, which caps a gthread worker whatever --threads says

# One colour, marker and line style per set-up, in waiting_setups()'s order: never colour alone.
STYLES = (
    (palette.FLASK, "o", "-"),
    (palette.SKY, "s", "--"),
    (palette.FASTAPI, "^", "-"),
    (palette.ORANGE, "v", ":"),
    (palette.DJANGO, "D", "-."),
)


def accepted(points: Sequence[WaitingPoint], at: int = -1) -> int:
    """Return the connections the server had accepted at step `at`: its open files beyond those at rest."""
    return points[at].fds - points[0].fds


def extra_threads(points: Sequence[WaitingPoint], at: int = -1) -> int:
    """Return the threads the server ran at step `at` beyond those it ran at rest."""
    return points[at].threads - points[0].threads


def kib_per_connection(points: Sequence[WaitingPoint], up_to: int | None = None) -> float:
    """Return the fitted resident memory per waiting connection, in KiB (up to `up_to` connections)."""
    return fit_memory(list(points), up_to=up_to)[1]


def probe_text(point: WaitingPoint) -> str:
    """Say how long one more request took, or that it got no answer within the probe's timeout."""
    return f"{point.probe_s * 1000:.0f} ms" if point.probe_answered else f"no answer in {point.probe_s:g} s"


def _check(held: Mapping[str, Sequence[WaitingPoint]]) -> None:
    if not isinstance(held, Mapping) or not held:
        raise ValueError(f"held must map each set-up's label to its points from hold_setup(), got {held!r}")
    for label, points in held.items():
        if len(points) < 2 or not all(isinstance(p, WaitingPoint) for p in points):
            raise ValueError(f"{label!r}: expected the points hold_setup() returns (at rest, then each step)")


def waiting_table(held: Mapping[str, Sequence[WaitingPoint]], limits: Mapping[str, str], wait_s: float) -> Table:
    """Return one row per set-up at its largest step: what it accepted, queued, ran and answered, and its cap."""
    _check(held)
    rows = []
    for label, points in held.items():
        top = points[-1]
        up_to = GTHREAD_CAP if "gthread" in label else None
        rows.append(
            [
                label,
                f"{top.waiting:,}",
                f"{accepted(points):,}",
                "unknown" if top.queued is None else f"{top.queued:,}",
                f"{top.threads:,}",
                f"{top.rss_mib:.0f}",
                f"{kib_per_connection(points, up_to):.0f}",
                probe_text(top),
                limits.get(label, ""),
            ]
        )
    limit = min(p.fd_limit for points in held.values() for p in points)
    return Table(
        rows,
        [
            "set-up",
            "waiting",
            "accepted",
            "in listen queue",
            "threads",
            "RSS (MiB)",
            "KiB per connection",
            "one more request",
            "what caps it",
        ],
        title=f"The largest step: connections held open, each request waiting {wait_s:g} s"
        f" (open files allowed per server: {limit:,})",
    )


def plot_waiting(held: Mapping[str, Sequence[WaitingPoint]], wait_s: float) -> Any:
    """Plot resident memory, threads and one more request's latency against waiting connections, per set-up."""
    import matplotlib.pyplot as plt

    _check(held)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for (label, points), (colour, marker, line) in zip(held.items(), STYLES * 2):
        n = [p.waiting for p in points]
        style = {"color": colour, "marker": marker, "linestyle": line, "label": label}
        axes[0].plot(n, [p.rss_mib for p in points], **style)
        axes[1].plot(n, [p.threads for p in points], **style)
        axes[2].plot(n, [p.probe_s * 1000 for p in points], **style)
    axes[1].set_yscale("log")
    titles = ("resident memory", "OS threads (log scale)", "latency of one more request")
    units = ("MiB", "threads", f"ms ({PROBE_TIMEOUT * 1000:,.0f} = no answer)")
    for ax, title, unit in zip(axes, titles, units):
        ax.set_title(title)
        ax.set_xlabel("connections waiting")
        ax.set_ylabel(unit)
    fig.suptitle(f"Connections held open, each request waiting {wait_s:g} s on the server")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=8)
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    return fig


def judge_waiting(held: Mapping[str, Sequence[WaitingPoint]], during: Any = None) -> list[Any]:
    """Return the verdict on each set-up's claim, for `held` in waiting_setups()'s order (five set-ups)."""
    from helpers.verdicts import judge

    _check(held)
    if len(held) != 5:
        raise ValueError(f"held must hold the five set-ups of waiting_setups(), in order; got {len(held)}")
    gthread, gevent, loop, fastapi_def, django = held.values()
    under = [i for i, p in enumerate(gthread) if 0 < p.waiting <= GTHREAD_CAP]
    if not under or gthread[-1].waiting <= GTHREAD_CAP:
        raise ValueError(f"the steps need one at most {GTHREAD_CAP:,} and one past it, to judge gthread's cap")
    top, below = gthread[-1], under[-1]
    verdicts = [
        judge(
            f"Below worker_connections ({GTHREAD_CAP:,}), gthread runs a thread per waiting connection",
            extra_threads(gthread, below) >= 0.9 * gthread[below].waiting,
            f"{extra_threads(gthread, below):,} more threads at {gthread[below].waiting:,} connections",
            why="on a busy machine the server may not have accepted every connection when its threads were counted",
            during=during,
        ),
        judge(
            "Past worker_connections, gthread accepts no more: the rest wait in the listen queue, and so does a new request",
            accepted(gthread) <= GTHREAD_CAP and (top.queued or 0) > 0 and not top.probe_answered,
            f"{accepted(gthread):,} accepted of {top.waiting:,}, {top.queued or 0:,} queued; "
            f"the probe got {probe_text(top)}",
            why="a waiting request that ends early frees a place for the probe",
            during=during,
        ),
    ]
    for name, points in (("gevent", gevent), ("FastAPI's event loop", loop)):
        verdicts.append(
            judge(
                f"{name} holds every connection in a handful of threads and answers a new request within 0.5 s",
                all(
                    accepted(points, i) >= 0.98 * p.waiting and p.probe_answered and p.probe_s < 0.5
                    for i, p in enumerate(points)
                )
                and max(p.threads for p in points) - min(p.threads for p in points) <= 3,
                f"{accepted(points):,} accepted of {points[-1].waiting:,} in {points[-1].threads} threads; "
                "the probe got " + ", ".join(probe_text(p) for p in points),
                during=during,
            )
        )
    verdicts += [
        judge(
            "FastAPI's def route stops at AnyIO's 40 threads: uvicorn accepts every connection, but a new def request waits",
            38 <= extra_threads(fastapi_def) <= 42
            and accepted(fastapi_def) >= 0.98 * fastapi_def[-1].waiting
            and not fastapi_def[-1].probe_answered,
            f"{extra_threads(fastapi_def)} more threads, {accepted(fastapi_def):,} accepted; "
            f"the probe got {probe_text(fastapi_def[-1])}",
            why="a waiting request that ends early frees a thread for the probe",
            during=during,
        ),
        judge(
            "Django's async view holds every connection and answers, with a thread for most requests in flight",
            accepted(django) >= 0.98 * django[-1].waiting
            and django[-1].probe_answered
            and extra_threads(django) >= 0.5 * django[-1].waiting,
            f"{accepted(django):,} accepted, {extra_threads(django):,} more threads; "
            f"the probe got {probe_text(django[-1])}",
            why="the probe waits behind thousands of requests starting their threads on a busy machine",
            during=during,
        ),
    ]
    slopes = {
        name: kib_per_connection(points, GTHREAD_CAP if name == "gthread" else None)
        for name, points in zip(SHORT_NAMES, held.values())
    }
    verdicts.append(
        judge(
            "Each waiting connection costs tens of KiB of memory, not megabytes (between 1 and 200 KiB), on every set-up",
            all(1 < kib < 200 for kib in slopes.values()),
            ", ".join(f"{kib:.0f} KiB on {name}" for name, kib in slopes.items()),
            why="the fitted slope is noisy when the server's own memory moves during the run",
            during=during,
        )
    )
    return verdicts
