"""Notebook 02's exercise checks: specific feedback on plausible wrong answers, and hints that lead to a pass."""

from __future__ import annotations

import math
import time

import pytest
from fastapi import FastAPI

from helpers.coursework.checks import evaluate, solution_answer
from helpers.coursework.exercises.nb02 import SIZING, rounds

# -- the reasoning each numeric hint suggests reaches an accepted answer ------------------------


def test_02_1_hint_reasoning_passes():
    # "the last request starts waiting after 20 x 5 ms of CPU, and its wait ends 100 ms later"
    assert evaluate("02.1", 20 * 0.005 + 0.100).passed


def test_02_2_hint_reasoning_passes_with_and_without_the_gil_stagger():
    # "each thread serves 5 requests, one after another, each 5 ms of CPU plus a 100 ms wait"
    per_thread = (20 // 4) * (0.005 + 0.100)
    assert evaluate("02.2", per_thread).passed
    # The worked solution adds the GIL's 5 ms stagger between the four threads: the model's figure.
    assert evaluate("02.2", per_thread + 3 * 0.005).passed


def _hint_estimate(workers: int, threads: int) -> float:
    # "rounds x 100 ms + threads x 2 ms", with rounds = ceil(100 / all threads)
    return rounds(workers, threads) * SIZING["io"] + threads * SIZING["cpu"]


def test_02_4_every_size_the_hint_accepts_passes():
    chosen = [
        (w, t)
        for w in range(1, 65)
        for t in range(1, 65)
        if w * t <= SIZING["budget"] and _hint_estimate(w, t) <= SIZING["target"] + 1e-9
    ]
    assert (2, 25) in chosen and len(chosen) > 20
    failing = [size for size in chosen if not evaluate("02.4", size).passed]
    assert failing == []


def test_02_4_the_old_hint_that_left_out_the_gil_is_refused_by_the_new_one():
    # "100 requests / threads x 100 ms <= 0.3 s" gives 34 threads in one process: the GIL makes it miss.
    assert _hint_estimate(1, 34) > SIZING["target"]
    result = evaluate("02.4", (1, 34))
    assert not result.passed and "GIL" in result.message and "worker processes" in result.message


@pytest.mark.parametrize("exercise_id", ["02.1", "02.2", "02.4"])
def test_worked_solutions_show_reasoning_not_a_bare_call(exercise_id):
    from helpers.coursework.exercises import get_exercise

    code = get_exercise(exercise_id).solution
    comments = [line for line in code.splitlines() if line.strip().startswith("#")]
    assert len(comments) >= 3, code
    assert evaluate(exercise_id, solution_answer(exercise_id)).passed


# -- plausible wrong answers get specific feedback --------------------------------------------


@pytest.mark.parametrize(
    "answer,words",
    [
        (0.1, "CPU at a time"),
        (2.1, "one worker"),
        (200, "milliseconds"),
        ("0.2", "number of seconds"),
        (math.nan, "number of seconds"),
        (0.5, "20th request"),
    ],
)
def test_02_1_wrong_predictions(answer, words):
    result = evaluate("02.1", answer)
    assert not result.passed and words in result.message


@pytest.mark.parametrize(
    "answer,words",
    [
        (2.1, "one thread"),
        (0.6, "other three are waiting"),
        (0.5, "no CPU"),
        (0.2, "event loop"),
        (540, "milliseconds"),
        ("0.54", "number of seconds"),
        (1.0, "follow one thread"),
    ],
)
def test_02_2_wrong_predictions(answer, words):
    result = evaluate("02.2", answer)
    assert not result.passed and words in result.message


def test_02_3_still_blocking_app_is_caught():
    app = FastAPI()

    @app.get("/slow")
    async def slow(ms: int = 100) -> dict:
        time.sleep(ms / 1000)
        return {}

    result = evaluate("02.3", app)
    assert not result.passed and "still blocks the loop" in result.message


def test_02_3_app_that_no_longer_waits_is_caught():
    app = FastAPI()

    @app.get("/slow")
    async def slow(ms: int = 100) -> dict:
        return {}

    result = evaluate("02.3", app)
    assert not result.passed and "answered at once" in result.message


def test_02_3_app_that_raises_points_to_the_server_logs():
    app = FastAPI()

    @app.get("/slow")
    async def slow(ms: int = 100) -> dict:
        raise RuntimeError("oops")

    result = evaluate("02.3", app)
    assert not result.passed and "500" in result.message and "server_logs()" in result.message


def test_02_3_missing_route_and_wrong_type():
    assert "/slow" in evaluate("02.3", FastAPI()).message
    assert "FastAPI app" in evaluate("02.3", 42).message


@pytest.mark.parametrize(
    "answer,words",
    [
        ((4, 10), "over the 0.3 s target"),
        ((2, 17), "More threads alone"),
        ((8, 16), "over the budget of 64"),
        ((0, 50), "at least 1"),
        ([2, 25], "tuple of two ints"),
        ((2.0, 25), "tuple of two ints"),
    ],
)
def test_02_4_wrong_sizes(answer, words):
    result = evaluate("02.4", answer)
    assert not result.passed and words in result.message


def test_02_4_other_right_sizes_pass():
    assert evaluate("02.4", (1, 50)).passed and evaluate("02.4", (4, 16)).passed
