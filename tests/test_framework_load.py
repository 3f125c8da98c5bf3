"""The two framework comparisons of notebook 03: each set-up is what its label says, loads the app it names, leaves nothing behind."""

from __future__ import annotations

from functools import partial

import pytest

from helpers.concurrency import framework_load as fl
from helpers.concurrency.loadgen import LoadResult
from helpers.serving.processes import list_processes, start_gunicorn, stop_processes


def result(rate: float, opened: int = 0, failed: int = 0, seconds: float = 1.0) -> LoadResult:
    """Return a LoadResult of `rate` requests over `seconds`, each taking 1 ms, `failed` of them timed out."""
    n = int(rate * seconds)
    r = LoadResult(connections=4, processes=1, warm=True, seconds=seconds, opened=opened)
    for i in range(n):
        start = i * seconds / n
        r.starts.append(start)
        r.ends.append(start + 0.001 if i else seconds)  # the first one spans the run: makespan = seconds
        r.outcomes.append("timeout" if i < failed else 200)
    return r


def test_a_row_reports_median_spread_failures_and_reconnections():
    row = fl.Row(fl.production()[0], runs=[result(100, opened=100), result(300, opened=300), result(200, opened=4)])
    assert row.rates == pytest.approx([100, 300, 200])
    assert row.median == pytest.approx(200) and row.spread == pytest.approx((100, 300))
    assert row.failed == 0
    assert row.opened_per_request == pytest.approx(404 / 600)
    assert fl.Row(fl.production()[0], runs=[result(50, failed=5)]).failed == 5


def test_the_table_and_plot_show_every_setup_against_the_best():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [fl.Row(s, runs=[result(rate)]) for s, rate in zip(fl.production(), (100, 50, 200))]
    table = fl.table(rows, "t")
    assert [r[0] for r in table.rows] == ["Flask", "Django", "FastAPI"]
    assert [r[4] for r in table.rows] == ["0.50", "0.25", "1.00"]
    fig, ax = plt.subplots()
    fl.plot(rows, ax, "t")
    assert [t.get_text() for t in ax.get_yticklabels()] == [s.label for s in fl.production()]
    plt.close(fig)


def test_the_setups_are_labelled_and_cite_a_page():
    same, prod = fl.same_server(), fl.production()
    assert {s.framework for s in same} == {s.framework for s in prod} == {"Flask", "Django", "FastAPI"}
    assert all(s.docs.startswith("https://") for s in same + prod)
    # Same server class: gunicorn for every one; production: each framework's own documented server.
    assert all(s.server.startswith("gunicorn") for s in same)
    assert {s.server for s in prod} == {"gunicorn sync", "uvicorn --workers"}


@pytest.mark.parametrize("kwargs, words", [({"seconds": 0}, "seconds"), ({"repeats": 0}, "repeats")])
def test_bad_arguments_are_refused_before_any_server_starts(kwargs, words):
    args = {"seconds": 1.0, "repeats": 1, **kwargs}
    with pytest.raises(ValueError, match=words):
        fl.compare(fl.production(), **args)
    assert list_processes() == []


def test_a_setup_serving_another_framework_is_refused_and_every_server_stopped():
    wrong = fl.Setup(
        "Django", "gunicorn sync", partial(start_gunicorn, fl.FLASK_APP, ready_path="/json"), fl.FLASK_DOCS
    )
    with pytest.raises(ValueError, match="answered /json as 'Flask', not 'Django'"):
        fl.compare([fl.production()[0], wrong], seconds=0.5, repeats=1, progress=False)
    assert list_processes() == []


@pytest.fixture
def stopped():
    yield
    stop_processes()
    assert list_processes() == []


def test_same_server_keeps_every_connection_alive(stopped):
    rows = fl.compare(fl.same_server(), seconds=1.0, repeats=1, connections=4, processes=1, progress=False)
    assert [len(r.runs) for r in rows] == [1, 1, 1, 1]
    assert all(r.failed == 0 and r.median > 50 for r in rows), [(r.setup.label, r.failed, r.median) for r in rows]
    # Warm keep-alive connections: the 4 opened before the clock, none after.
    assert all(r.opened_per_request < 0.05 for r in rows), [(r.setup.label, r.opened_per_request) for r in rows]
    assert "gthread" in rows[0].command and "uvicorn_worker.UvicornWorker" in rows[3].command


def test_the_documented_sync_workers_open_a_connection_per_request_and_uvicorn_does_not(stopped):
    rows = fl.compare(fl.production(), seconds=1.0, repeats=2, connections=4, processes=1, progress=False)
    per_request = {r.setup.label: r.opened_per_request for r in rows}
    assert per_request["Flask on gunicorn sync"] > 0.9 and per_request["Django on gunicorn sync"] > 0.9, per_request
    assert per_request["FastAPI on uvicorn --workers"] < 0.05, per_request
    assert all(len(r.runs) == 2 and r.failed == 0 for r in rows)


def test_the_verdicts_on_the_two_comparisons_follow_the_rows():
    """Notebook 03's claims: sync reconnects, keep-alive helps Flask, Django's sync view pays under ASGI,
    FastAPI leads as documented and by less on one server."""
    same = [fl.Row(s, runs=[result(rate)]) for s, rate in zip(fl.same_server(), (300, 250, 100, 450))]
    prod = [
        fl.Row(s, runs=[result(rate, opened=opened)])
        for s, rate, opened in zip(fl.production(), (150, 120, 600), (150, 120, 0))
    ]
    verdicts = fl.judge_frameworks(same, prod)
    assert len(verdicts) == 5 and all(v.held for v in verdicts), [v.text() for v in verdicts]
    same[2] = fl.Row(fl.same_server()[2], runs=[result(240)])  # Django through ASGI nearly as fast as gthread
    assert [v.held for v in fl.judge_frameworks(same, prod)] == [True, True, False, True, True]
    with pytest.raises(ValueError, match="4 rows"):
        fl.judge_frameworks(prod, same)
