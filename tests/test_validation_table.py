"""The bad-input table: enough cases, every validator run, outcomes described, any validator accepted."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict

from helpers.components.validation_table import (
    CASES,
    VALID,
    VALIDATORS,
    Outcome,
    accepted_counts,
    accepts,
    describe,
    run_all,
    validation_table,
)

pytestmark = pytest.mark.usefixtures("django_ready")


def test_there_are_at_least_15_bad_inputs_each_differing_from_valid():
    bad = [payload for label, _, payload in CASES if label != "valid book"]
    assert len(bad) >= 15
    assert all(repr(payload) != repr(VALID) for payload in bad)  # repr: 1965.0 == 1965 in Python
    assert len({label for label, _, _ in CASES}) == len(CASES)


def test_run_all_covers_every_case_and_validator():
    results = run_all()
    assert list(results) == [label for label, _, _ in CASES]
    assert all(list(outcomes) == list(VALIDATORS) for outcomes in results.values())
    counts = accepted_counts(results)
    assert all(1 <= n < len(CASES) for n in counts.values())


def test_table_has_one_row_per_case():
    table = validation_table()
    assert len(table.rows) == len(CASES) and table.columns == ["input", *VALIDATORS]


def test_the_table_can_leave_out_what_every_validator_rejected():
    results = run_all()
    table = validation_table(results, agreed_refusals=False)
    shown = [row[0] for row in table.rows]
    everyone_refused = [label for label, o in results.items() if not any(x.accepted for x in o.values())]
    assert everyone_refused and "title missing" in everyone_refused  # a book without a title: nobody takes it
    assert shown == [label for label in results if label not in everyone_refused]
    assert all(label in table.title for label in everyone_refused)
    assert 'year "1965" (a string)' in shown and "title with HTML" in shown  # disagreements, and what all accept


def test_describe_says_accepted_rejected_or_dropped():
    assert describe(Outcome(True, {"year": 1965}), "year") == "accepted: 1965"
    assert describe(Outcome(True, {"year": 1965}), "extra") == "accepted, extra dropped"
    assert describe(Outcome(False, error="year: bad"), "year") == "REJECTED year: bad"
    assert len(describe(Outcome(False, error="x" * 200), "year", limit=20)) == 20


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    year: int


def test_accepts_handles_each_kind_of_validator():
    from django import forms
    from marshmallow import Schema, fields

    class YearSchema(Schema):
        year = fields.Integer(strict=True)

    class YearForm(forms.Form):
        year = forms.IntegerField()

    def year_fn(payload):
        if not isinstance(payload.get("year"), int):
            raise ValueError("year must be an int")

    for validator in (Strict, YearSchema, YearSchema(), year_fn):
        assert accepts(validator, {"year": 1965}) == (True, "")
        ok, error = accepts(validator, {"year": "x"})
        assert not ok and error
    assert accepts(YearForm, {"year": "1965"})[0] and not accepts(YearForm, {"year": "x"})[0]


def test_accepts_rejects_what_is_not_a_validator():
    with pytest.raises(TypeError, match="validator"):
        accepts(42, {})
