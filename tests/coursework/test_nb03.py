"""Notebook 03's exercise checks say specifically what is wrong with plausible wrong answers."""

from __future__ import annotations

import pytest

from helpers.coursework.checks import evaluate
from helpers.coursework.exercises import nb03


@pytest.mark.parametrize(
    "answer, words",
    [
        ((1, 1), "over the 0.25 s target"),
        ((2, 8), "over the 0.25 s target"),
        ((2, 40), "over the budget of 64"),
        ((99, 1), "2 x cores + 1"),
        ((0, 4), "at least 1"),
        ([2, 16], "tuple of two ints"),
        ((2.0, 16), "tuple of two ints"),
    ],
)
def test_03_1_wrong_answers(answer, words):
    result = evaluate("03.1", answer)
    assert not result.passed and words in result.message


@pytest.mark.parametrize("answer", [(2, 16), (1, 32), (3, 14)])
def test_03_1_right_answers(answer, monkeypatch):
    monkeypatch.setattr(nb03, "_cores", lambda: 2)
    assert evaluate("03.1", answer).passed


@pytest.mark.parametrize(
    "answer, words",
    [
        (lambda n, b, k: n * k / 1024, "base) is missing"),
        (lambda n, b, k: b + n * k, "slope is in KiB"),
        (lambda n, b, k: b * 1024 + n * k, "looks like KiB"),
        (lambda n, b, k: b + n * k / 1000, "the fitted line gives"),
        (lambda n, b: b, "should take three numbers"),
        (lambda n, b, k: "5 MiB", "should return a number"),
        (171.9, "should be a function"),
    ],
)
def test_03_2_wrong_answers(answer, words):
    result = evaluate("03.2", answer)
    assert not result.passed and words in result.message


def test_03_2_right_answer():
    assert evaluate("03.2", lambda n, base, kib: base + n * kib / 1024).passed


@pytest.mark.parametrize(
    "answer, words",
    [
        ({"workers": 1, "threads": 8}, "threads share their process's GIL"),
        ({"workers": 1, "threads": 1}, "leave cores idle"),
        ({"workers": 4, "threads": 1}, "take turns on the same cores"),
        ({"workers": 0, "threads": 1}, "at least 1"),
        ((2, 1), "a dict like"),
        ({"workers": 2}, "a dict like"),
    ],
)
def test_03_3_wrong_answers(answer, words, monkeypatch):
    monkeypatch.setattr(nb03, "_cores", lambda: 2)
    result = evaluate("03.3", answer)
    assert not result.passed and words in result.message


def test_03_3_right_answer_follows_the_cores(monkeypatch):
    monkeypatch.setattr(nb03, "_cores", lambda: 4)
    assert evaluate("03.3", {"workers": 4, "threads": 1}).passed
    assert not evaluate("03.3", {"workers": 2, "threads": 1}).passed
