"""The three new-book validators agree on the rules the schema states."""

from __future__ import annotations

import pytest

from helpers.apps.book_validators import isbn13_ok
from helpers.components.validation_table import VALID, VALIDATORS

pytestmark = pytest.mark.usefixtures("django_ready")


def test_isbn13_checksum():
    assert isbn13_ok("978-0-441-17271-9")
    assert isbn13_ok("9780441172719")
    assert not isbn13_ok("978-0-441-17271-8")
    assert not isbn13_ok("978044117271")
    assert not isbn13_ok("97804411727１9")  # a full-width digit is not ASCII


@pytest.mark.parametrize("name", list(VALIDATORS))
def test_valid_book_is_accepted_unchanged(name):
    outcome = VALIDATORS[name](dict(VALID))
    assert outcome.accepted, outcome.error
    assert {k: outcome.value[k] for k in VALID} == VALID


@pytest.mark.parametrize("name", list(VALIDATORS))
@pytest.mark.parametrize(
    "field, bad",
    [
        ("title", ""),
        ("title", "x" * 201),
        ("year", 1449),
        ("year", 2031),
        ("isbn", "978-0-441-17271-8"),
        ("submitter", "nobody"),
        ("tags", ["t"] * 11),
        ("tags", ["x" * 31]),
    ],
)
def test_every_validator_enforces_the_stated_rules(name, field, bad):
    outcome = VALIDATORS[name]({**VALID, field: bad})
    assert not outcome.accepted
    assert field in outcome.error


@pytest.mark.parametrize("name", list(VALIDATORS))
def test_tags_are_optional(name):
    payload = {k: v for k, v in VALID.items() if k != "tags"}
    outcome = VALIDATORS[name](payload)
    assert outcome.accepted and outcome.value["tags"] == []
