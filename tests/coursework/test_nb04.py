"""Notebook 04's exercise 04.1: its truth is read from the SQL each ORM sends on this install, never typed in.

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
