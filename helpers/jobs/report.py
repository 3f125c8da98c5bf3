"""The jobs notebook's tables and figure, drawn from the runs' data (helpers.jobs.runs): one plain function each.

times_table(times), plot_times(times)   # response times with the job in the request and after it
kill_table(kills)                       # counts only: what a SIGKILL mid-job cost each way
retry_table(retries)                    # a failing job: how often it ran, and whether it was sent
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from helpers.display import Table
from helpers.jobs.runs import KillRun, ResponseTimes, RetryRun
from helpers.jobs.shop import WAYS

KILLED = {"web": "web process", "worker": "job worker"}


def title(way: str) -> str:
    """Return the way's name as the tables print it ("FastAPI + RQ")."""
    return WAYS[way].title


def _seconds(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.3f} s ({min(values):.3f}–{max(values):.3f})"


def times_table(times: Sequence[ResponseTimes]) -> Table:
    """Return each way's response times, median (lowest–highest), with the job in the request and after it."""
    rows = [
        [title(t.way), _seconds(t.inline), _seconds(t.after), f"{t.pending_at_answer} of {len(t.after)}"] for t in times
    ]
    columns = ["way", "job in the request", "job after the response", "answered before the receipt was sent"]
    return Table(rows, columns, title="Seconds per order, median (lowest–highest)")


def plot_times(times: Sequence[ResponseTimes]) -> Any:
    """Return a figure: each way's median response time with the job in the request and after it, on a log scale."""
    import matplotlib.pyplot as plt

    from helpers import palette

    fig, ax = plt.subplots(figsize=(7, 3.2))
    y = range(len(times))
    ax.barh([i + 0.2 for i in y], [t.inline_median for t in times], 0.4, label="job in the request", color=palette.SKY)
    ax.barh([i - 0.2 for i in y], [t.after_median for t in times], 0.4, label="job after the response",
            color=palette.VERMILLION)  # fmt: skip
    ax.set_yticks(list(y), [title(t.way) for t in times])
    ax.set_xscale("log")
    ax.invert_yaxis()  # the ways top to bottom, in the tables' order
    ax.set_xlabel("seconds per order (median, log scale)")
    ax.set_title("The client's wait: the job in the request, or after it")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, fontsize="small", frameon=False)
    fig.tight_layout()
    return fig


def kill_table(kills: Sequence[KillRun]) -> Table:
    """Return what each kill cost: orders accepted, receipts sent by the end, not sent, and left marked running."""
    rows = [
        [title(k.way), KILLED[k.killed], k.answered, len(set(k.sent)), k.lost, k.stuck]
        for k in kills
    ]  # fmt: skip
    columns = [
        "way",
        "killed mid-job",
        "orders accepted",
        "receipts sent by the end",
        "not sent",
        "still marked running",
    ]
    return Table(rows, columns, title=f"{kills[0].orders} orders, a process killed (SIGKILL) mid-job, then restarted")


def retry_table(retries: Sequence[RetryRun]) -> Table:
    """Return, for one order whose mail server failed once, how often each way ran its job and whether it was sent."""
    rows = [[title(r.way), r.retries, r.attempts, "yes" if r.sent else "no"] for r in retries]
    columns = ["way", "retries allowed", "times the job ran", "receipt sent"]
    fails = max(r.fails for r in retries)
    first = "its first attempt" if fails == 1 else f"its first {fails} attempts"
    return Table(rows, columns, title=f"One order whose mail server fails {first}")
