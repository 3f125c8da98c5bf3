"""Pin the facts notebook 04's prose relies on, so a library upgrade that changes one fails loudly."""

from __future__ import annotations

import jinja2
import pytest
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.orm import Session

from helpers.apps import book_pages
from helpers.apps.library_sqlalchemy import make_engine
from helpers.components.library_data import load_django, load_sqlalchemy, make_data
from helpers.components.query_count import count_django, count_sqlalchemy
from helpers.components.validation_table import run_all

AUTHORS, PER_AUTHOR = 15, 4
HOSTILE = [{"title": "<script>alert(1)</script>", "year": 2024}]


pytestmark = pytest.mark.usefixtures("django_ready")


@pytest.fixture(scope="module")
def q(library_queries):
    return library_queries


@pytest.fixture(scope="module")
def engine():
    data = make_data(AUTHORS, PER_AUTHOR)
    load_django(data)
    engine = make_engine()
    load_sqlalchemy(engine, data)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def results():
    return run_all()


# --- ORM: the N+1 counts before and after ---
@pytest.mark.parametrize(
    "fn, expected",
    [
        ("book_labels_django_naive", 1 + AUTHORS * PER_AUTHOR),  # one query per book
        ("book_labels_django_fixed", 1),
        ("book_labels_django_prefetch", 2),
    ],
)
def test_django_n_plus_one_counts(engine, q, fn, expected):
    with count_django() as log:
        getattr(q, fn)()
    assert log.count == expected


@pytest.mark.parametrize(
    "fn, expected",
    [
        ("book_labels_sqlalchemy_naive", 1 + AUTHORS),  # identity map: one query per author, not per book
        ("book_labels_sqlalchemy_fixed", 1),
        ("book_labels_sqlalchemy_selectin", 2),
    ],
)
def test_sqlalchemy_n_plus_one_counts(engine, q, fn, expected):
    with Session(engine) as session, count_sqlalchemy(engine) as log:
        getattr(q, fn)(session)
    assert log.count == expected


def test_both_orms_send_values_as_parameters(engine, q):
    hostile = "nobody' OR '1'='1"
    with count_django() as dj:
        q.books_from_country_django(hostile)
    with Session(engine) as session, count_sqlalchemy(engine) as sa:
        assert q.books_from_country_sqlalchemy(session, hostile) == []
    assert hostile not in dj.statements[0] and hostile not in sa.statements[0]


# --- Templates: who escapes ---
def test_django_and_flask_escape_but_a_bare_environment_does_not():
    assert "&lt;script&gt;" in book_pages.render_django("t", HOSTILE)
    assert "&lt;script&gt;" in book_pages.render_flask("t", HOSTILE)
    assert "&lt;script&gt;" in book_pages.render_starlette("t", HOSTILE)  # FastAPI's documented way escapes
    assert "<script>" in book_pages.render_jinja("t", HOSTILE)
    assert jinja2.Environment().autoescape is False
    assert "<b>" in jinja2.Environment().from_string("{{ x }}").render(x="<b>")


def test_the_fix_escapes():
    assert "<script>" not in book_pages.render_jinja("t", HOSTILE, env=book_pages.safe_environment())


# --- Validation: coercion and strictness ---
class Lax(BaseModel):
    n: int


class Strict(BaseModel):
    model_config = ConfigDict(strict=True)
    n: int


def test_pydantic_lax_coerces_42_and_strict_rejects_it():
    assert Lax(n="42").n == 42
    with pytest.raises(ValidationError, match="valid integer"):
        Strict(n="42")


def test_strict_mode_changes_exactly_the_string_and_float_year(results):
    changed = [label for label, o in results.items() if o["Pydantic"].accepted != o["Pydantic strict"].accepted]
    assert changed == ['year "1965" (a string)', "year 1965.0 (a float)"]
    assert results['year "1965" (a string)']["Pydantic"].value["year"] == 1965


def test_library_specific_coercions(results):
    assert results["title 42 (an int)"]["Django form"].value["title"] == "42"
    assert not results["title 42 (an int)"]["Marshmallow"].accepted
    assert not results["title 42 (an int)"]["Pydantic"].accepted
    assert results["year 1965.5"]["Marshmallow"].value["year"] == 1965  # truncated, not rejected
    assert not results["year 1965.5"]["Pydantic"].accepted
    assert results['title {"$gt": ""} (nested)']["Django form"].value["title"] == "{'$gt': ''}"


def test_only_django_rejects_null_bytes_and_blank_titles(results):
    for label in ("title with a null byte", "title only spaces"):
        assert not results[label]["Django form"].accepted
        assert results[label]["Marshmallow"].accepted and results[label]["Pydantic"].accepted


def test_nobody_rejects_html_and_only_marshmallow_rejects_unknown_fields(results):
    assert all(o.accepted for o in results["title with HTML"].values())
    extra = results['extra field "is_admin": true']
    assert not extra["Marshmallow"].accepted
    assert extra["Django form"].accepted and extra["Pydantic"].accepted
    assert "is_admin" not in extra["Pydantic"].value


def test_lone_surrogate_splits_the_libraries(results):
    row = results["title a lone surrogate"]
    assert row["Django form"].accepted and row["Marshmallow"].accepted
    assert not row["Pydantic"].accepted


def test_string_year_is_coerced_by_all_but_strict_pydantic(results):
    row = results['year "1965" (a string)']
    for name in ("Django form", "Marshmallow", "Pydantic"):
        assert row[name].accepted and row[name].value["year"] == 1965
    assert not row["Pydantic strict"].accepted
