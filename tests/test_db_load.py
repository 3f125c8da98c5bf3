"""The five shop set-ups under load (helpers.concurrency.db_load) and their report: table, plot and verdicts."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import dataclasses
from types import SimpleNamespace

import pytest

from helpers.concurrency import db_load
from helpers.concurrency import db_load_report as report
from helpers.concurrency.loadgen import LoadResult
from helpers.display import figure_alt


def fake_run(name: str, level: int, ok: int, seconds: float, latency: float, errors=(), held=10, threads=12):
    """Return a LevelRun of `ok` answers spread over `seconds`, each taking `latency`, plus `errors` (kinds)."""
    result = LoadResult(connections=level, processes=1, warm=True, seconds=seconds)
    for i in range(ok):
        start = i * seconds / max(ok, 1)
        result.starts.append(start)
        result.ends.append(start + latency)
        result.outcomes.append(200)
    for kind in errors:
        result.starts.append(0.0)
        result.ends.append(seconds)
        result.outcomes.append(kind)
    return db_load.LevelRun(name, level, result, held, threads)


def healthy(name: str, threads_at_500: int = 12) -> list[db_load.LevelRun]:
    return [
        fake_run(name, 10, 360, 2.0, 0.055),
        fake_run(name, 100, 370, 2.0, 0.52),
        fake_run(name, 500, 740, 4.0, 2.5, threads=threads_at_500),
    ]


def five(**changes) -> dict[str, list[db_load.LevelRun]]:
    runs = {
        "Django sync": healthy("Django sync"),
        "Django async": healthy("Django async", threads_at_500=515),
        "Flask": healthy("Flask"),
        "FastAPI async def": healthy("FastAPI async def"),
        "FastAPI def": [
            fake_run("FastAPI def", 10, 340, 2.0, 0.056),
            fake_run("FastAPI def", 100, 30, 10.0, 9.0, errors=["status 500"] * 70),
            fake_run("FastAPI def", 500, 0, 12.0, 0, errors=["status 500"] * 160 + ["timeout"] * 340),
        ],
    }
    runs.update(changes)
    return runs


def test_the_five_set_ups_are_the_issues_five_each_citing_its_docs():
    setups = db_load.shop_setups(threads=10)
    assert [s.short for s in setups] == ["Django sync", "Django async", "Flask", "FastAPI async def", "FastAPI def"]
    assert [s.framework for s in setups] == ["Django", "Django", "Flask", "FastAPI", "FastAPI"]
    assert all(s.docs.startswith("https://") for s in setups)
    assert "gthread" in setups[0].server and "gthread" in setups[2].server
    assert setups[1].path == "/async/items/1"


@pytest.mark.parametrize("threads", [0, 1, 1001, 2.5])
def test_bad_thread_counts_are_refused(threads):
    with pytest.raises(ValueError, match="threads"):
        db_load.shop_setups(threads=threads)


def test_load_setup_refuses_bad_arguments_before_starting_anything():
    setup = db_load.shop_setups()[0]
    with pytest.raises(ValueError, match="setup"):
        db_load.load_setup(None, "Flask")
    with pytest.raises(ValueError, match="levels"):
        db_load.load_setup(None, setup, levels=[])
    with pytest.raises(ValueError, match="each level"):
        db_load.load_setup(None, setup, levels=[0])
    with pytest.raises(ValueError, match="pool_size"):
        db_load.load_setup(None, setup, pool_size=0)


def test_the_ceiling_is_the_pool_over_the_wait():
    assert report.ceiling(10, 50) == pytest.approx(200)
    assert report.ceiling(40, 50) == pytest.approx(800)


def test_the_table_has_a_row_per_set_up_and_level_with_failures_by_kind():
    table = report.load_table(five(), "title")
    assert len(table.rows) == 15 and table.title == "title"
    starved = table.rows[-2]
    assert starved[:2] == ["FastAPI def", "100"] and starved[6] == "70 status 500"
    assert table.rows[-1][6] == "160 status 500, 340 timeout" and table.rows[-1][3] == "-"


def test_the_plot_has_titles_labels_and_a_line_per_set_up():
    import matplotlib.pyplot as plt

    fig = report.plot_load(five(), 10, 50)
    try:
        assert fig._suptitle.get_text().startswith("The shop's endpoint in five set-ups")
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert len(fig.axes[0].get_lines()) == 5 + 1  # the set-ups and the pool's ceiling
        assert "FastAPI def" in figure_alt(fig)
    finally:
        plt.close(fig)


def test_healthy_runs_hold_every_claim():
    verdicts = report.judge_load(five(), 10, 50)
    assert len(verdicts) == 7 and all(v.held for v in verdicts), [v.text() for v in verdicts if not v.held]


def test_each_claim_can_miss():
    def missed(runs) -> list[str]:
        return [v.claim for v in report.judge_load(runs, 10, 50) if not v.held]

    over = healthy("Flask")
    over[1].held = 11
    assert missed(five(Flask=over)) == [
        "No server held more connections than its pool of 10, at any concurrency (pg_stat_activity)"
    ]
    fast = healthy("FastAPI async def")
    fast[1] = fake_run("FastAPI async def", 100, 1200, 2.0, 0.1)
    assert len(missed(five(**{"FastAPI async def": fast}))) == 2  # past the ceiling, and far past Flask
    quick = healthy("FastAPI async def")
    quick[0] = fake_run("FastAPI async def", 10, 450, 2.0, 0.05)
    assert missed(five(**{"FastAPI async def": quick}))[0].startswith("Async is not faster per request")
    flat = healthy("Django sync")
    flat[2] = fake_run("Django sync", 500, 740, 4.0, 0.1)
    assert missed(five(**{"Django sync": flat}))[0].startswith("Past the pool")
    assert missed(five(**{"Django async": healthy("Django async", threads_at_500=20)}))[0].startswith("Django's async")
    assert missed(five(**{"FastAPI def": healthy("FastAPI def")}))[0].startswith("FastAPI def starves")


def test_the_report_refuses_what_load_all_did_not_return():
    with pytest.raises(ValueError, match="runs must map"):
        report.load_table({}, "t")
    with pytest.raises(ValueError, match="LevelRuns"):
        report.load_table({"Flask": [1, 2]}, "t")
    with pytest.raises(KeyError, match="no run at 42"):
        report.at(healthy("Flask"), 42)


def test_logged_errors_keeps_each_exception_line_once():
    class Server:
        def stderr_tail(self, lines: int) -> str:
            return "\n".join(
                [
                    "ERROR:    Exception in ASGI application",
                    "Traceback (most recent call last):",
                    "sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 0 reached, connection timed out",
                    "  File 'x.py', line 1",
                    "sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 0 reached, connection timed out",
                    "psycopg_pool.PoolTimeout: couldn't get a connection after 5.00 sec",
                ]
            )

    assert db_load.logged_errors(Server()) == (
        "sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 0 reached, connection timed out",
        "psycopg_pool.PoolTimeout: couldn't get a connection after 5.00 sec",
    )


@pytest.mark.parametrize(("quick", "loaded_for"), [("1", [1.0, 1.0]), ("0", [2.0, 2.0])])
def test_under_course_quick_each_run_lasts_the_quick_seconds(monkeypatch, quick, loaded_for):
    asked = []

    class Server:
        url = "http://127.0.0.1:1"

        def stop(self, graceful=True):
            pass

    class Watch:
        held = threads = 0

        def __init__(self, db, server):
            pass

        def stop(self):
            pass

    def load(url, path, *, seconds, **kwargs):
        asked.append(seconds)
        return LoadResult(connections=kwargs["connections"], processes=1, warm=True, seconds=seconds)

    monkeypatch.setenv("COURSE_QUICK", quick)
    monkeypatch.setattr(db_load, "run_load", load)
    monkeypatch.setattr(db_load, "_Watcher", Watch)
    monkeypatch.setattr(db_load, "logged_errors", lambda server: ())
    setup = dataclasses.replace(db_load.shop_setups()[0], start=lambda *a, **k: Server())
    db_load.load_setup(SimpleNamespace(dsn="postgresql://nowhere/shop"), setup, levels=[10, 100], seconds=2)
    assert asked == loaded_for
