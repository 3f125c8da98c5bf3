"""Send the same bad and hostile new-book inputs through each validator and tabulate the outcomes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from helpers.display import Table, shorten

VALID: dict[str, Any] = {
    "title": "Dune",
    "year": 1965,
    "isbn": "978-0-441-17271-9",
    "tags": ["sf", "classic"],
    "submitter": "reader@example.org",
}


def _with(**changes: Any) -> dict[str, Any]:
    return {**VALID, **changes}


def _without(field: str) -> dict[str, Any]:
    return {k: v for k, v in VALID.items() if k != field}


# (label, the field to show, the payload). Each differs from VALID in one place.
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("valid book", "year", dict(VALID)),
    ("title missing", "title", _without("title")),
    ('year "1965" (a string)', "year", _with(year="1965")),
    ("year 1965.0 (a float)", "year", _with(year=1965.0)),
    ("year 1965.5", "year", _with(year=1965.5)),
    ("year True", "year", _with(year=True)),
    ("year None", "year", _with(year=None)),
    ("year 3000 (out of range)", "year", _with(year=3000)),
    ("title 42 (an int)", "title", _with(title=42)),
    ("title empty", "title", _with(title="")),
    ("title only spaces", "title", _with(title="   ")),
    ("title 201 characters", "title", _with(title="x" * 201)),
    ("title with a null byte", "title", _with(title="Dune\x00")),
    ("title with HTML", "title", _with(title="<script>alert(1)</script>")),
    ("title a lone surrogate", "title", _with(title="Dune \udcff")),
    ('title {"$gt": ""} (nested)', "title", _with(title={"$gt": ""})),
    ("ISBN with a bad checksum", "isbn", _with(isbn="978-0-441-17271-8")),
    ('tags "sf" (not a list)', "tags", _with(tags="sf")),
    ("tags: 10,000 items", "tags", _with(tags=["x"] * 10_000)),
    ("submitter not an email", "submitter", _with(submitter="not-an-email")),
    ('extra field "is_admin": true', "is_admin", _with(is_admin=True)),
]


@dataclass(frozen=True)
class Outcome:
    """What one validator did with one input."""

    accepted: bool
    value: Any = None  # the cleaned data, when accepted
    error: str = ""  # the first error, when rejected


def run_django(payload: dict[str, Any]) -> Outcome:
    """Validate `payload` with the Django form."""
    from helpers.apps.book_validators import NewBookForm

    form = NewBookForm(data=payload)
    if form.is_valid():
        return Outcome(True, form.cleaned_data)
    field, messages = next(iter(form.errors.items()))
    return Outcome(False, error=f"{field}: {messages[0]}")


def run_marshmallow(payload: dict[str, Any]) -> Outcome:
    """Validate `payload` with the Marshmallow schema."""
    from marshmallow import ValidationError

    from helpers.apps.book_validators import NewBookSchema

    try:
        return Outcome(True, NewBookSchema().load(payload))
    except ValidationError as exc:
        field, messages = next(iter(exc.messages.items()))
        first = messages[0] if isinstance(messages, list) else next(iter(messages.values()))[0]
        return Outcome(False, error=f"{field}: {first}")


def _run_pydantic(model: Any, payload: dict[str, Any]) -> Outcome:
    from pydantic import ValidationError

    try:
        return Outcome(True, model.model_validate(payload).model_dump())
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        return Outcome(False, error=f"{loc}: {first['msg']}")


def run_pydantic(payload: dict[str, Any]) -> Outcome:
    """Validate `payload` with the Pydantic model in lax (default) mode."""
    from helpers.apps.book_validators import NewBook

    return _run_pydantic(NewBook, payload)


def run_pydantic_strict(payload: dict[str, Any]) -> Outcome:
    """Validate `payload` with the Pydantic model in strict mode."""
    from helpers.apps.book_validators import NewBookStrict

    return _run_pydantic(NewBookStrict, payload)


VALIDATORS: dict[str, Callable[[dict[str, Any]], Outcome]] = {
    "Django form": run_django,
    "Marshmallow": run_marshmallow,
    "Pydantic": run_pydantic,
    "Pydantic strict": run_pydantic_strict,
}


def run_all(cases: list[tuple[str, str, dict[str, Any]]] | None = None) -> dict[str, dict[str, Outcome]]:
    """Run every case through every validator: {case label: {validator: Outcome}}."""
    cases = CASES if cases is None else cases
    return {label: {name: fn(payload) for name, fn in VALIDATORS.items()} for label, _, payload in cases}


def describe(outcome: Outcome, field: str, limit: int = 140) -> str:
    """Say in a few words what happened: the cleaned value of `field`, or the error."""
    if outcome.accepted:
        if field not in outcome.value:
            text = f"accepted, {field} dropped"
        else:
            text = f"accepted: {outcome.value[field]!r}"
    else:
        text = f"REJECTED {outcome.error}"
    return shorten(text, limit)


def validation_table(results: dict[str, dict[str, Outcome]] | None = None, *, agreed_refusals: bool = True) -> Table:
    """Tabulate the outcome of every case in every validator, one row per case.

    agreed_refusals=False leaves out the inputs every validator rejected, naming them in the title: the rows that
    teach are those where the validators differ.
    """
    results = run_all() if results is None else results
    fields = {label: field for label, field, _ in CASES}
    refused_by_all = [label for label, o in results.items() if not any(x.accepted for x in o.values())]
    shown = {k: v for k, v in results.items() if agreed_refusals or k not in refused_by_all}
    rows = [
        [label] + [describe(o, fields.get(label, "")) for o in outcomes.values()] for label, outcomes in shown.items()
    ]
    title = "The same inputs through four validators"
    if not agreed_refusals and refused_by_all:
        title += f" (all four rejected, not shown: {', '.join(refused_by_all)})"
    return Table(rows, ["input"] + list(VALIDATORS), title=title)


def accepted_counts(results: dict[str, dict[str, Outcome]]) -> dict[str, int]:
    """Count how many inputs each validator accepted."""
    return {name: sum(outcomes[name].accepted for outcomes in results.values()) for name in VALIDATORS}


def accepts(validator: Any, payload: dict[str, Any]) -> tuple[bool, str]:
    """Run any kind of validator on `payload`: (accepted?, the error when not).

    `validator` may be a Pydantic model class, a Marshmallow schema (class or instance),
    a Django form class, or a function that raises on bad input.
    """
    import inspect

    from django import forms
    from marshmallow import Schema
    from marshmallow import ValidationError as MarshmallowError
    from pydantic import BaseModel
    from pydantic import ValidationError as PydanticError

    if inspect.isclass(validator) and issubclass(validator, BaseModel):
        try:
            validator.model_validate(payload)
            return True, ""
        except PydanticError as exc:
            return False, exc.errors()[0]["msg"]
    if inspect.isclass(validator) and issubclass(validator, Schema):
        validator = validator()
    if isinstance(validator, Schema):
        try:
            validator.load(payload)
            return True, ""
        except MarshmallowError as exc:
            return False, str(exc.messages)
    if inspect.isclass(validator) and issubclass(validator, forms.BaseForm):
        form = validator(data=payload)
        return (True, "") if form.is_valid() else (False, str(dict(form.errors)))
    if callable(validator):
        try:
            validator(payload)
            return True, ""
        except Exception as exc:  # a plain function says "no" by raising
            return False, f"{type(exc).__name__}: {exc}"
    raise TypeError(
        "validator must be a Pydantic model class, a Marshmallow schema, "
        f"a Django form class or a function, got {type(validator).__name__}"
    )
