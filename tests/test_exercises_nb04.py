"""Notebook 04's exercise checks reject plausible wrong answers with a specific message."""
from __future__ import annotations

import jinja2
from pydantic import BaseModel, ConfigDict, Field

from helpers.coursework.checks import evaluate
from helpers.serving.django_kernel import setup_django

setup_django()


def test_n_plus_one_loop_is_rejected_for_its_query_count():
    from helpers.apps import library_queries

    result = evaluate("04.1", library_queries.book_labels_django_naive)
    assert not result.passed and "queries" in result.message


def test_n_plus_one_wrong_labels_are_rejected():
    result = evaluate("04.1", lambda: ["nope"])
    assert not result.passed and "labels" in result.message


def test_bare_environment_is_not_safe():
    result = evaluate("04.2", jinja2.Environment())
    assert not result.passed and "live HTML" in result.message
    assert not evaluate("04.2", "autoescape").passed
    assert evaluate("04.2", jinja2.Environment(autoescape=True)).passed


def test_lax_validator_is_told_which_input_it_accepted():
    class Lax(BaseModel):
        title: str = Field(min_length=1)
        year: int

    result = evaluate("04.3", Lax)
    assert not result.passed and "'1965'" in result.message


def test_too_strict_validator_is_told_which_good_input_it_rejected():
    class Never(BaseModel):
        model_config = ConfigDict(strict=True, extra="forbid")
        title: str = Field(min_length=10)
        year: int

    result = evaluate("04.3", Never)
    assert not result.passed and "good input" in result.message


def test_function_validator_can_pass():
    def validate(payload):
        if set(payload) != {"title", "year"} or type(payload["year"]) is not int or not payload["title"]:
            raise ValueError("bad book")

    assert evaluate("04.3", validate).passed
