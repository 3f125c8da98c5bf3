"""Notebook 02's exercise checks say specifically what is wrong with plausible wrong answers."""
from __future__ import annotations

import time

import pytest
from fastapi import FastAPI

from helpers.coursework.checks import evaluate


@pytest.mark.parametrize("answer,words", [
    (2.1, "one thread"),
    (0.2, "event loop"),
    (540, "milliseconds"),
    ("0.54", "number of seconds"),
    (1.0, "not what the model gives"),
])
def test_02_1_wrong_predictions(answer, words):
    result = evaluate("02.1", answer)
    assert not result.passed and words in result.message


def test_02_1_accepts_a_close_prediction():
    assert evaluate("02.1", 0.55).passed


def test_02_2_still_blocking_app_is_caught():
    app = FastAPI()

    @app.get("/slow")
    async def slow(ms: int = 100) -> dict:
        time.sleep(ms / 1000)
        return {}

    result = evaluate("02.2", app)
    assert not result.passed and "still blocks the loop" in result.message


def test_02_2_app_that_no_longer_waits_is_caught():
    app = FastAPI()

    @app.get("/slow")
    async def slow(ms: int = 100) -> dict:
        return {}

    result = evaluate("02.2", app)
    assert not result.passed and "answered at once" in result.message


def test_02_2_missing_route_and_wrong_type():
    assert "/slow" in evaluate("02.2", FastAPI()).message
    assert "FastAPI app" in evaluate("02.2", 42).message


@pytest.mark.parametrize("answer,words", [
    ((4, 10), "over the 0.3 s target"),
    ((8, 16), "over the budget of 64"),
    ((0, 50), "at least 1"),
    ([2, 25], "tuple of two ints"),
    ((2.0, 25), "tuple of two ints"),
])
def test_02_3_wrong_sizes(answer, words):
    result = evaluate("02.3", answer)
    assert not result.passed and words in result.message


def test_02_3_other_right_sizes_pass():
    assert evaluate("02.3", (1, 50)).passed and evaluate("02.3", (4, 16)).passed
