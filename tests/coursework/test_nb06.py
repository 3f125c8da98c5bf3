"""Exercises of notebook 06 fail on plausible wrong answers with specific feedback, and pass on the right ones."""

import pytest

from helpers.apps.api_first_fastapi import BookIn
from helpers.apps.chat_fastapi import ChatRoom
from helpers.coursework.checks import evaluate


@pytest.mark.parametrize(
    "answer, words",
    [
        ("FastAPI", "event loop"),
        ("both", "event loop"),
        ("neither", "one of them does"),
        ("flask", "one of"),
    ],
)
def test_06_1_explains_each_wrong_prediction(answer, words):
    result = evaluate("06.1", answer)
    assert not result.passed and words in result.message


def test_06_1_passes_on_flask():
    assert evaluate("06.1", "Flask").passed


@pytest.mark.parametrize(
    "answer, words",
    [
        ({"pick": "FastAPI", "deciding": "team_knows"}, "one factor of ten"),
        ({"pick": "Django", "deciding": "realtime"}, "didn't decide it"),
        ({"pick": "Django", "deciding": "auth_users"}, "isn't the largest lead"),
        ({"pick": "Django", "deciding": "orm"}, "should be one of the factor names"),
        ({"pick": "Django"}, "two keys"),
    ],
)
def test_06_4_wants_the_pick_and_the_largest_lead(answer, words):
    result = evaluate("06.4", answer)
    assert not result.passed and words in result.message


@pytest.mark.parametrize("deciding", ["relational_data", "long_term_support"])  # equal leads: both right
def test_06_4_accepts_either_factor_with_the_largest_lead(deciding):
    assert evaluate("06.4", {"pick": "Django", "deciding": deciding}).passed


@pytest.mark.parametrize(
    "answer, words",
    [
        ({"factor": "auth_users", "weight": 0.5, "new_pick": "Django"}, "not the deciding factor"),
        ({"factor": "realtime", "weight": 0.95, "new_pick": "Django"}, "still FastAPI"),
        ({"factor": "realtime", "weight": 0.5, "new_pick": "Flask"}, "read who catches up"),
        ({"factor": "realtime", "weight": 9, "new_pick": "Django"}, "refused"),
        ({"factor": "realtime", "weight": 0.5}, "three keys"),
    ],
)
def test_06_5_wants_the_tipping_point_read_from_the_explanation(answer, words):
    result = evaluate("06.5", answer)
    assert not result.passed and words in result.message


def test_06_5_passes_just_below_the_tipping_point():
    assert evaluate("06.5", {"factor": "realtime", "weight": 0.85, "new_pick": "Django"}).passed


def test_06_2_refuses_a_field_without_bound():
    class Loose(BookIn):
        pages: int

    assert "no lower bound" in evaluate("06.2", Loose).message
    assert "subclasses BookIn" in evaluate("06.2", dict).message


def test_06_3_catches_missing_or_full_history(no_leaks):
    class Everything(ChatRoom):
        def welcome(self, name):
            return [e for e in self.log if e["type"] == "message"]

    assert "his own join" in evaluate("06.3", ChatRoom).message
    assert "last 10 messages" in evaluate("06.3", Everything).message
