"""The deployment section's tables and figure, drawn from the measurements' data: one plain function each.

slow_table(result)                    # normal requests served while slow clients held the workers
static_table(result), plot_static(r)  # one static file, four servers: req/s
restart_table(results)                # failed requests across a restart, and what each server promises
settings_table(report)                # the warnings of each framework's production check, before and after
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from helpers.deploy.production_settings import ProductionReport
from helpers.deploy.restarts import RestartResult
from helpers.deploy.slow_clients import SlowClientResult
from helpers.deploy.static_files import StaticResult
from helpers.display import Table

ARRANGED = {
    "alone": "gunicorn alone",
    "nginx": "nginx in front (buffering on, its default)",
    "nginx-unbuffered": "nginx in front, buffering off",
}
SERVED_BY = {"nginx": "nginx", "whitenoise": "Django + WhiteNoise", "flask": "Flask", "fastapi": "FastAPI"}
FRAMEWORK = {"django": "Django", "flask": "Flask", "fastapi": "FastAPI"}


def _errors(errors: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in sorted(errors.items())) or "none"


def slow_table(result: SlowClientResult) -> Table:
    """Return, per arrangement, the normal requests answered while the slow clients were at work."""
    rows = [
        [
            ARRANGED.get(a.name, a.name),
            f"{a.done} of {a.sent}",
            _errors(a.errors),
            f"{a.p50_ms:.1f} ms" if a.done else "-",
        ]
        for a in result.arrangements
    ]
    what = "uploads" if result.mode == "send" else "downloads"
    title = (
        f"{result.slow} slow {what} against {result.workers} sync workers; normal requests for {result.seconds:g} s, "
        f"each allowed {result.request_timeout:g} s"
    )
    return Table(rows, ["arrangement", "normal requests answered", "failed", "median time"], title=title)


def static_table(result: StaticResult) -> Table:
    """Return, per server, the requests per second for the same file, and whether it sent the file's bytes."""
    rows = [
        [SERVED_BY.get(s.name, s.name), s.how, f"{s.req_per_s:,.0f}", f"{s.p50_ms:.1f} ms", _errors(s.errors),
         "yes" if s.same_bytes else "no"]
        for s in result.servers
    ]  # fmt: skip
    title = (
        f"One {result.file_bytes // 1024} KiB file, {result.connections} connections for {result.seconds:g} s, "
        f"{result.workers} worker processes each (one short run: a rough figure)"
    )
    columns = ["server", "how", "requests per second", "median time", "failed", "sent the file's bytes"]
    return Table(rows, columns, title=title)


def plot_static(result: StaticResult) -> Any:
    """Return a figure: requests per second for the same static file, one bar per server."""
    import matplotlib.pyplot as plt

    from helpers import palette

    fig, ax = plt.subplots(figsize=(7, 2.6))
    names = [SERVED_BY.get(s.name, s.name) for s in result.servers]
    colour = {"nginx": palette.BLACK, "whitenoise": palette.DJANGO, "flask": palette.FLASK, "fastapi": palette.FASTAPI}
    colours = [colour.get(s.name, palette.ORANGE) for s in result.servers]
    ax.barh(names, [s.req_per_s for s in result.servers], color=colours)
    ax.invert_yaxis()  # the servers top to bottom, in the table's order
    ax.set_xlabel("requests per second (higher is better)")
    ax.set_title(f"One {result.file_bytes // 1024} KiB static file, the same load against each server")
    fig.tight_layout()
    return fig


def restart_table(results: Sequence[RestartResult]) -> Table:
    """Return, per restart, the requests sent, those that failed, and whether the server promises none."""
    rows = [
        [
            r.description,
            r.requests,
            f"{r.failed} ({_errors(r.errors)})" if r.failed else "0",
            "yes" if r.replaced else "no",
            "yes" if r.promises_zero else "no",
        ]
        for r in results
    ]
    columns = ["what was done under load", "requests", "failed", "every worker replaced", "promised: none fail"]
    return Table(rows, columns, title="Workers restarted while clients kept sending requests")


def settings_table(report: ProductionReport) -> Table:
    """Return, per framework, the warnings of its production check before and after the settings were fixed."""
    rows = []
    for row in report.rows():
        after = ", ".join(row["after"]) or "none"
        if row["silenced"]:
            after += f" (silenced on purpose: {', '.join(row['silenced'])})"
        rows.append([FRAMEWORK.get(row["framework"], row["framework"]), "\n".join(row["before"]) or "none", after])
    return Table(rows, ["framework", "warnings before", "warnings after"], title="Production checks, before and after")
