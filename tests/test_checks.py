"""Coursework checks: every check fails on the blank answer and passes on its solution."""
from __future__ import annotations

import pytest

from helpers.coursework import checks
from helpers.coursework.checks import ExerciseFailed, check, evaluate, solution_answer
from helpers.coursework.exercise import ExerciseSet
from helpers.coursework.exercises import EXERCISES, exercise_ids

ALL = exercise_ids()


@pytest.mark.parametrize("exercise_id", ALL)
def test_blank_answer_fails_with_a_hint(exercise_id):
    result = evaluate(exercise_id, ...)
    assert not result.passed
    assert "not answered yet" in result.message and "Hint" in result.message


@pytest.mark.parametrize("exercise_id", ALL)
def test_solution_passes(exercise_id, no_leaks):
    result = evaluate(exercise_id, solution_answer(exercise_id))
    assert result.passed, result.message


def test_wrong_answers_get_specific_feedback():
    assert "not who sent it" in evaluate("00.1", "content-type").message
    assert "string" in evaluate("00.1", 42).message


def test_learner_code_that_raises_is_reported_not_propagated(no_leaks):
    from flask import Flask

    app = Flask("broken")

    @app.get("/add")
    def add():
        return {"sum": 1 / 0}

    result = evaluate("00.2", app)
    assert not result.passed and "500" in result.message


def test_a_check_that_raises_is_turned_into_feedback(monkeypatch):
    def explode(answer):
        raise KeyError("missing")

    monkeypatch.setitem(EXERCISES, "00.1", EXERCISES["00.1"].__class__(
        "00.1", "t", explode, "hint", "answer = 1"))
    result = evaluate("00.1", "x")
    assert not result.passed and "KeyError" in result.message


def test_check_prints_and_does_not_raise_for_learners(capsys, monkeypatch):
    monkeypatch.delenv(checks.GRADING_ENV, raising=False)
    assert check("00.1", "nope") is None
    assert "❌" in capsys.readouterr().out
    check("00.1", "server")
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_check_raises_in_grading_mode(monkeypatch, value):
    monkeypatch.setenv(checks.GRADING_ENV, value)
    with pytest.raises(ExerciseFailed, match="00.1"):
        check("00.1", ...)
    check("00.1", "server")  # a right answer never raises


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(KeyError, match="00.1"):
        evaluate("99.9", 1)


def test_an_id_is_declared_once_and_in_its_own_notebook():
    exercise = ExerciseSet("00")
    exercise("00.1", "first", hint="h", solution="answer = 1")(lambda a: None)
    with pytest.raises(ValueError, match="twice"):
        exercise("00.1", "dup", hint="h", solution="answer = 1")
    with pytest.raises(ValueError, match="notebook '00'"):
        exercise("01.1", "elsewhere", hint="h", solution="answer = 1")


def test_exercise_ids_filter_by_notebook():
    assert exercise_ids("02") and all(i.startswith("02.") for i in exercise_ids("02"))
    assert set(exercise_ids()) == set(EXERCISES)
