"""The jobs notebook's tables and figure show what the runs returned, nothing typed in by hand."""

from __future__ import annotations

import matplotlib

from helpers.jobs import report
from helpers.jobs.runs import KillRun, ResponseTimes, RetryRun

matplotlib.use("Agg")

TIMES = [
    ResponseTimes("fastapi-background", [2.03, 2.01, 2.05], [0.02, 0.018, 0.019], 3),
    ResponseTimes("django-tasks", [2.04, 2.02], [0.06, 0.04], 1),
]


def test_the_times_table_shows_median_and_range_per_way():
    assert report.times_table(TIMES).rows == [
        ["FastAPI + BackgroundTasks", "2.030 s (2.010–2.050)", "0.019 s (0.018–0.020)", "3 of 3"],
        ["Django tasks (database)", "2.030 s (2.020–2.040)", "0.050 s (0.040–0.060)", "1 of 2"],
    ]


def test_the_kill_table_holds_counts_only():
    kills = [
        KillRun("fastapi-background", "web", 3, False, 3, 0, 0, 0, sent=[]),
        KillRun("django-tasks", "worker", 3, False, 3, 0, 2, 1, sent=[2, 3], stuck=1, seconds=8.8),
    ]
    table = report.kill_table(kills)
    assert table.rows == [
        ["FastAPI + BackgroundTasks", "web process", "3", "0", "3", "0"],
        ["Django tasks (database)", "job worker", "3", "2", "1", "1"],
    ]
    assert table.title.startswith("3 orders")


def test_the_retry_table_says_whether_each_receipt_was_sent():
    table = report.retry_table([RetryRun("fastapi-rq", 1, 2, 2, True), RetryRun("django-tasks", 1, 0, 1, False)])
    assert table.rows == [["FastAPI + RQ", "2", "2", "yes"], ["Django tasks (database)", "0", "1", "no"]]
    assert table.title == "One order whose mail server fails its first attempt"


def test_the_figure_has_two_bars_per_way():
    import matplotlib.pyplot as plt

    fig = report.plot_times(TIMES)
    try:
        ax = fig.axes[0]
        assert len(ax.patches) == 2 * len(TIMES)
        assert [t.get_text() for t in ax.get_yticklabels()] == ["FastAPI + BackgroundTasks", "Django tasks (database)"]
    finally:
        plt.close(fig)
