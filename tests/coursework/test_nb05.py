"""Notebook 05's exercise checks reject plausible wrong answers with a specific message."""

from __future__ import annotations

import jinja2
import pytest
from pydantic import BaseModel, ConfigDict, Field

from helpers.coursework.checks import evaluate

pytestmark = pytest.mark.usefixtures("django_ready")


def test_escaping_prediction():
    assert evaluate("05.1", {"bare jinja2.Environment()"}).passed
    assert evaluate("05.1", "bare jinja2.Environment()").passed
    wrong = evaluate("05.1", {"bare jinja2.Environment()", "FastAPI Jinja2Templates"})
    assert not wrong.passed and "select_autoescape" in wrong.message
    assert "escaped the title" in evaluate("05.1", {"Django templates"}).message
    assert "missing" in evaluate("05.1", set()).message
    assert "not one of the renderers" in evaluate("05.1", {"jinja"}).message


def test_bare_environment_is_not_safe():
    result = evaluate("05.2", jinja2.Environment())
    assert not result.passed and "live HTML" in result.message
    assert not evaluate("05.2", "autoescape").passed
    assert evaluate("05.2", jinja2.Environment(autoescape=True)).passed


def test_lax_validator_is_told_which_input_it_accepted():
    class Lax(BaseModel):
        title: str = Field(min_length=1)
        year: int

    result = evaluate("05.3", Lax)
    assert not result.passed and "'1965'" in result.message


def test_too_strict_validator_is_told_which_good_input_it_rejected():
    class Never(BaseModel):
        model_config = ConfigDict(strict=True, extra="forbid")
        title: str = Field(min_length=10)
        year: int

    result = evaluate("05.3", Never)
    assert not result.passed and "good input" in result.message


def test_function_validator_can_pass():
    def validate(payload):
        if set(payload) != {"title", "year"} or type(payload["year"]) is not int or not payload["title"]:
            raise ValueError("bad book")

    assert evaluate("05.3", validate).passed
