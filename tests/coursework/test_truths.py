"""A check's measured truth is measured once per grading run and shared by its judges; elsewhere, every call measures."""

from __future__ import annotations

import threading
import time

from helpers.coursework import truths
from helpers.coursework.judge import Judge


def counting(delay: float = 0.0):
    """Return a shared measurement that counts its runs, and the list it counts in."""
    runs = []

    @truths.shared
    def measure():
        runs.append(1)
        time.sleep(delay)
        return {"left": (0, 3), "runs": len(runs)}

    return measure, runs


def test_outside_grading_every_call_measures_afresh(monkeypatch):
    monkeypatch.delenv(truths.TRUTHS_ENV, raising=False)
    measure, runs = counting()
    assert measure() == {"left": (0, 3), "runs": 1}
    assert measure()["runs"] == 2 and len(runs) == 2


def test_in_a_grading_run_the_first_judge_measures_and_the_others_read_it(monkeypatch, tmp_path):
    monkeypatch.setenv(truths.TRUTHS_ENV, str(tmp_path))
    measure, runs = counting()
    first, second = measure(), measure()
    assert len(runs) == 1 and first == second == {"left": [0, 3], "runs": 1}  # the same types for every judge


def test_judges_measuring_at_once_wait_for_one_measurement(monkeypatch, tmp_path):
    monkeypatch.setenv(truths.TRUTHS_ENV, str(tmp_path))
    measure, runs = counting(delay=0.3)
    seen = []
    judges = [threading.Thread(target=lambda: seen.append(measure())) for _ in range(3)]
    for judge in judges:
        judge.start()
    for judge in judges:
        judge.join(10)
    assert len(runs) == 1 and len(seen) == 3 and all(s == seen[0] for s in seen)


def test_a_measurement_that_raised_is_measured_again(monkeypatch, tmp_path):
    monkeypatch.setenv(truths.TRUTHS_ENV, str(tmp_path))
    calls = []

    @truths.shared
    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the server did not start")
        return 7

    try:
        flaky()
    except RuntimeError:
        pass
    assert flaky() == 7 and flaky() == 7 and len(calls) == 2


def test_the_grader_hands_its_judges_the_runs_folder_and_nothing_else_does(monkeypatch, tmp_path):
    monkeypatch.setenv(truths.TRUTHS_ENV, "/somewhere/else")
    assert truths.TRUTHS_ENV not in Judge(tmp_path).env  # a judge never inherits another run's folder
    assert Judge(tmp_path, tmp_path / "truths").env[truths.TRUTHS_ENV] == str(tmp_path / "truths")
