"""Notebook 03's exercise checks: 03.2 agrees with the waiting set-ups' verdicts; 03.4 is judged against the machine the answer measured.

Wrong answers and their feedback are in the catalogue, test_wrong_answers.py.
"""

from __future__ import annotations

import pytest

from helpers.coursework.checks import evaluate, solution_answer
from helpers.coursework.exercises import nb03


def test_03_1_accepts_exactly_the_set_ups_whose_claims_say_they_hold_and_answer():
    """The check and the notebook's verdicts agree: on points that behave as each set-up's docs say, the set-ups
    that accepted every connection and answered one more request are the accepted answer, and only they."""
    from helpers.concurrency.waiting_report import accepted
    from tests.test_waiting_report import five

    held = dict(zip(nb03.WAITING_SETUPS, five().values()))
    holding = {name for name, pts in held.items() if accepted(pts) >= pts[-1].waiting and pts[-1].probe_answered}
    assert evaluate("03.2", holding).passed
    for name in nb03.WAITING_SETUPS:  # one set-up more or fewer is rejected
        assert not evaluate("03.2", holding ^ {name}).passed, name


def test_03_2_the_answer_template_counts_as_blank():
    """The notebook's template `def answer(...): return ...` is not a wrong answer: it gets what to do, no hint."""

    def answer(n, base_mib, kib_per_connection):
        return ...  # MiB

    result = evaluate("03.3", answer)
    assert result.kind == "blank" and "Replace the `...`" in result.message and "Hint" not in result.message


def answer_made_on(cores: int, capacity: float) -> dict:
    """Return the answer the worked solution's reasoning gives on a machine that measured these."""
    return {"workers": min(8, cores, max(1, round(capacity))), "threads": 1, "cores": cores, "capacity": capacity}


@pytest.mark.parametrize("grader_cores", [1, 2, 64])
def test_03_3_an_honest_answer_passes_whatever_machine_grades_it(grader_cores, monkeypatch):
    """The issue's case: an honest 03 made on 2 cores scored 0 when graded pinned to one core."""
    from helpers.concurrency import cpu_capacity

    monkeypatch.setattr(cpu_capacity, "usable_cores", lambda: grader_cores)
    assert evaluate("03.4", answer_made_on(2, 2.0)).passed
    assert evaluate("03.4", answer_made_on(1, 1.0)).passed
    assert not evaluate("03.4", {"workers": 1, "threads": 1, "cores": 2, "capacity": 2.0}).passed


@pytest.mark.parametrize(
    "cores, capacity",
    [(1, 1.0), (2, 2.0), (2, 1.3), (2, 1.6), (4, 2.6), (4, 4.0), (8, 1.0), (16, 2.0), (32, 31.5), (96, 90.0)],
)
def test_03_3_the_hint_reasoning_passes_on_any_machine(cores, capacity):
    # "as many processes as there is CPU for them, no more than the requests that arrive together, one thread each"
    assert evaluate("03.4", answer_made_on(cores, capacity)).passed


def test_03_3_considers_the_measured_capacity():
    # Under a quota (Binder: many cores visible, two cores' worth of CPU), one process per visible core is too many.
    assert not evaluate("03.4", {"workers": 16, "threads": 1, "cores": 16, "capacity": 2.0}).passed
    assert evaluate("03.4", {"workers": 2, "threads": 1, "cores": 16, "capacity": 2.0}).passed
    # On a machine with more cores than requests, 8 processes are enough (the old check wanted one per core).
    assert evaluate("03.4", {"workers": 8, "threads": 1, "cores": 32, "capacity": 32.0}).passed


def test_03_3_useful_workers_bounds():
    assert nb03.useful_workers(2, 2.0) == (2, 2)
    assert nb03.useful_workers(2, 1.3) == (1, 2)
    assert nb03.useful_workers(16, 2.0) == (2, 3)
    assert nb03.useful_workers(32, 32.0) == (8, 8)


def test_03_3_worked_solution_measures_and_passes():
    answer = solution_answer("03.4")
    assert set(answer) == {"workers", "threads", "cores", "capacity"} and answer["threads"] == 1
    assert evaluate("03.4", answer).passed


def test_03_1_the_stops_are_measured_on_a_real_uvicorn():
    """SIGTERM to the master and SIGKILL to the group leave nothing; SIGKILL to the master orphans the workers."""
    left = nb03.stop_facts()
    assert set(left) == set(nb03.STOPS)
    assert left["SIGTERM to the master"] == 0 and left["SIGKILL to the group"] == 0, left
    assert left["SIGKILL to the master"] >= 2, left  # at least the two workers outlive their master


def test_03_1_is_judged_against_what_the_check_measured(monkeypatch):
    """The count of orphans comes from the check's own start, not a constant: another uvicorn, another count."""
    monkeypatch.setattr(
        nb03, "stop_facts", lambda: {"SIGTERM to the master": 0, "SIGKILL to the master": 2, "SIGKILL to the group": 0}
    )
    answer = {
        "makespan": {1: 1.2, 2: 0.6, 4: 0.3},
        "left": {"SIGTERM to the master": 0, "SIGKILL to the master": 2, "SIGKILL to the group": 0},
    }
    assert evaluate("03.1", answer).passed
    answer["left"]["SIGKILL to the master"] = 3
    assert not evaluate("03.1", answer).passed


def test_03_1_the_makespans_are_the_models():
    assert nb03.model_makespans() == pytest.approx({1: 1.2, 2: 0.6, 4: 0.3})
