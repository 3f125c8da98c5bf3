"""The held-connections report: per-step figures, the table's largest step, the plot, and bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

from helpers.concurrency.waiting import WaitingPoint
from helpers.concurrency.waiting_report import (
    accepted,
    extra_threads,
    judge_waiting,
    kib_per_connection,
    plot_waiting,
    probe_text,
    waiting_table,
)


def points(threads_per_conn: float, cap: int | None = None) -> list[WaitingPoint]:
    """Points at rest and at 1,000 / 2,500 / 5,000 waiting, 24 KiB each, optionally capped like gthread."""
    out = []
    for n in (0, 1000, 2500, 5000):
        held = n if cap is None else min(n, cap)
        out.append(
            WaitingPoint(
                waiting=n,
                rss_mib=50 + held * 24 / 1024,
                threads=5 + int(held * threads_per_conn),
                probe_s=0.002 if cap is None or n <= cap else 1.0,
                probe_answered=cap is None or n <= cap,
                fds=14 + held,
                queued=0 if cap is None else max(0, n - cap),
                fd_limit=65536,
            )
        )
    return out


def test_figures_read_from_the_points():
    capped = points(1.0, cap=1000)
    assert accepted(capped) == 1000 and accepted(capped, 1) == 1000 and accepted(points(0)) == 5000
    assert extra_threads(capped) == 1000 and extra_threads(points(0)) == 0
    assert kib_per_connection(points(0)) == pytest.approx(24)
    # Past the cap memory stops growing: the slope is only right up to it.
    assert kib_per_connection(capped, up_to=1000) == pytest.approx(24)
    assert kib_per_connection(capped) < 10
    assert probe_text(capped[0]) == "2 ms" and probe_text(capped[-1]) == "no answer in 1 s"


def test_the_table_shows_each_set_up_at_its_largest_step_with_its_cap():
    held = {"Flask, gunicorn gthread 1 x 1000 threads": points(1.0, cap=1000), "FastAPI async def, uvicorn": points(0)}
    limits = {label: f"cap of {label[:5]}" for label in held}
    table = waiting_table(held, limits, 60)
    rows = {row[0]: row for row in table.rows}
    gthread, loop = rows["Flask, gunicorn gthread 1 x 1000 threads"], rows["FastAPI async def, uvicorn"]
    assert gthread[1:5] == ["5,000", "1,000", "4,000", "1,005"]
    assert gthread[6] == "24"  # fitted up to gthread's cap, not across the flat part past it
    assert gthread[7] == "no answer in 1 s" and gthread[8] == "cap of Flask"
    assert loop[1:5] == ["5,000", "5,000", "0", "5"] and loop[7] == "2 ms"
    assert "65,536" in table.title and "60 s" in table.title


def test_the_plot_draws_every_set_up_with_its_own_marker_and_titles():
    held = {"gthread": points(1.0, cap=1000), "loop": points(0), "def": points(0.008)}
    fig = plot_waiting(held, 60)
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == [
        "resident memory",
        "OS threads (log scale)",
        "latency of one more request",
    ]
    assert all(ax.get_xlabel() == "connections waiting" and ax.get_ylabel() for ax in axes)
    lines = axes[0].get_lines()
    assert [line.get_label() for line in lines] == list(held)
    assert len({line.get_marker() for line in lines}) == len(held)  # never colour alone
    assert "60 s" in fig._suptitle.get_text()


@pytest.mark.parametrize("held", [{}, [], {"x": []}, {"x": [1, 2]}, None])
def test_bad_input_is_refused_with_what_was_expected(held):
    with pytest.raises(ValueError, match="hold_setup"):
        waiting_table(held, {}, 60)
    with pytest.raises(ValueError, match="hold_setup"):
        plot_waiting(held, 60)


def five(**broken: list[WaitingPoint]) -> dict[str, list[WaitingPoint]]:
    """The five set-ups as they behave (gthread capped, def routes at 40 threads, Django a thread each)."""
    def_route = points(0)
    for p in def_route[1:]:
        p.threads, p.probe_answered, p.probe_s = 45, False, 1.0
    held = {
        "gthread": points(1.0, cap=1000),
        "gevent": points(0),
        "loop": points(0),
        "def": def_route,
        "django": points(1.0),
    }
    held.update(broken)
    return held


def test_each_set_up_s_claim_holds_on_points_that_behave_as_documented():
    verdicts = judge_waiting(five())
    assert len(verdicts) == 7 and all(v.held for v in verdicts), [str(v) for v in verdicts if not v.held]
    assert "1,000 accepted of 5,000, 4,000 queued" in verdicts[1].seen


@pytest.mark.parametrize(
    ("broken", "claim"),
    [
        ({"gthread": points(0.5, cap=1000)}, 0),  # half a thread per connection
        ({"gthread": points(1.0)}, 1),  # no cap: everything accepted
        ({"gevent": points(0.01)}, 2),  # a thread per hundred connections
        ({"loop": points(1.0)}, 3),  # a thread per connection
        ({"def": points(0)}, 4),  # no 40-thread cap
        ({"django": points(0)}, 5),  # no thread per request
        ({"loop": [WaitingPoint(n, 50 + n * 2, 5, 0.001, True, 14 + n, 0) for n in (0, 1000, 2500, 5000)]}, 6),
    ],
)
def test_a_set_up_that_breaks_its_claim_gets_not_this_time(broken, claim):
    verdicts = judge_waiting(five(**broken))
    assert not verdicts[claim].held, str(verdicts[claim])
    assert sum(not v.held for v in verdicts) >= 1
    assert "Not this time" in str(verdicts[claim])


def test_judging_needs_the_five_set_ups_and_a_step_on_each_side_of_gthread_s_cap():
    with pytest.raises(ValueError, match="five set-ups"):
        judge_waiting(dict(list(five().items())[:4]))
    under = {label: pts[:2] for label, pts in five().items()}  # steps 0 and 1,000 only
    with pytest.raises(ValueError, match="past it"):
        judge_waiting(under)
