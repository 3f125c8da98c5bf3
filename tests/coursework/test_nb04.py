"""Notebook 04's exercises 04.1 and 04.3: their truths are measured on this install (the SQL each ORM sends, the
migrations Django runs), never typed in.

Wrong answers and their feedback are in the catalogue, test_wrong_answers.py.
"""

from __future__ import annotations

import re

import pytest

from helpers.coursework.checks import evaluate, solution_answer
from helpers.coursework.exercises import nb04

pytestmark = pytest.mark.usefixtures("django_ready")


@pytest.mark.parametrize(
    "sql, join",
    [
        ('SELECT 1 FROM "a" INNER JOIN "b" ON ("a"."b_id" = "b"."id")', "INNER JOIN"),
        ("SELECT 1 FROM a JOIN b ON b.id = a.b_id", "INNER JOIN"),  # SQL's plain JOIN is an inner join
        ("SELECT 1 FROM a LEFT OUTER JOIN b AS b_1 ON b_1.id = a.b_id", "LEFT OUTER JOIN"),
        ("select 1 from a left join b on b.id = a.b_id", "LEFT OUTER JOIN"),
        ("SELECT a.joined FROM a", None),  # a column named like a join is not one
    ],
)
def test_the_join_is_read_from_the_sql(sql, join):
    assert nb04.join_in(sql) == join


def test_the_joins_sent_on_this_install_are_the_ones_the_notebook_explains():
    """Django joins INNER on a non-null ForeignKey and LEFT OUTER on a nullable one; joinedload joins LEFT OUTER."""
    assert nb04.sent_joins() == {
        "django": "INNER JOIN",
        "sqlalchemy": "LEFT OUTER JOIN",
        "django_nullable": "LEFT OUTER JOIN",
    }


def test_the_check_follows_what_the_orms_send(monkeypatch):
    """If an upgrade changed the joins, the check would judge by the new SQL, not by a typed-in answer."""
    flipped = {"django": "LEFT OUTER JOIN", "sqlalchemy": "INNER JOIN", "django_nullable": "INNER JOIN"}
    monkeypatch.setattr(nb04, "sent_joins", lambda: flipped)
    assert evaluate("04.1", flipped).passed
    assert not evaluate("04.1", solution_answer("04.1")).passed


def test_the_hint_reasoning_reaches_the_solution():
    # "read the words just before the author table in each statement" of the row books_with_authors
    from sqlalchemy.orm import Session

    from helpers.apps import library_queries
    from helpers.apps.library_sqlalchemy import make_engine
    from helpers.components.query_count import count_django, count_sqlalchemy

    with count_django() as dj:
        library_queries.books_with_authors_django()
    engine = make_engine()
    with Session(engine) as session, count_sqlalchemy(engine) as sa:
        library_queries.books_with_authors_sqlalchemy(session)
    engine.dispose()
    # The words between the books' table and the author table, after FROM.
    words = re.compile(r'FROM "?(?:library_)?book"? (.*?) "?(?:library_)?author"?\b')
    before_author = {"django": words.search(dj.statements[0]), "sqlalchemy": words.search(sa.statements[0])}
    expected = solution_answer("04.1")
    assert {key: found.group(1) for key, found in before_author.items()} == {
        key: expected[key] for key in ("django", "sqlalchemy")
    }


def test_the_rollback_on_this_install_is_the_one_the_notebook_explains():
    """Undoing 0002 drops slug with its values, re-adding it brings it empty, and a RunPython without reverse stops."""
    from helpers.components.migrations import leftovers

    before = leftovers()
    nb04.rollback_facts.cache_clear()
    assert nb04.rollback_facts() == {"columns": ["id", "title", "year"], "slugs": [None, None], "no_reverse": "error"}
    assert leftovers() == before, "the check's throwaway project was left behind"


def test_the_rollback_check_follows_what_django_does(monkeypatch):
    """If Django one day rolled a RunPython without reverse back silently, the check would judge by that."""
    flipped = {"columns": ["id", "title", "year"], "slugs": [None, None], "no_reverse": "rolls back"}
    monkeypatch.setattr(nb04, "rollback_facts", lambda: flipped)
    assert evaluate("04.3", flipped).passed
    assert not evaluate("04.3", solution_answer("04.3")).passed


def test_the_rollback_check_leaves_the_notebooks_project_alone():
    """The check runs in the learner's kernel: its project must not delete the one the notebook's cells use."""
    from helpers.components.migrations import DjangoProject

    with DjangoProject() as notebooks:
        nb04.rollback_facts.cache_clear()
        nb04.rollback_facts()
        assert notebooks.root.exists()
