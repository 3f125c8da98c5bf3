"""The library schema in both ORMs: same data, same answers to the same queries."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from helpers.apps.library_sqlalchemy import make_engine
from helpers.components.library_data import load_django, load_sqlalchemy, make_data

PAIRS = [
    "recent_books",
    "books_from_country",
    "books_with_authors",
    "pages_per_country",
    "prolific_authors",
    "pad_old_books",
]


@pytest.fixture(scope="module")
def q(library_queries):
    return library_queries


@pytest.fixture()
def engine(django_ready):
    data = make_data(authors=12, books_per_author=4)
    load_django(data)
    engine = make_engine()
    load_sqlalchemy(engine, data)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("name", PAIRS)
def test_both_orms_give_the_same_nonempty_answer(engine, q, name):
    with Session(engine) as session:
        dj = getattr(q, f"{name}_django")()
        sa = getattr(q, f"{name}_sqlalchemy")(session)
    assert dj == sa
    assert dj  # an empty answer would make the comparison meaningless


def test_queries_answer_what_they_say(engine, q):
    recent = q.recent_books_django(since=2000)
    assert recent and all(year >= 2000 for _, year in recent)
    assert [y for _, y in recent] == sorted((y for _, y in recent), reverse=True)
    per_country = q.pages_per_country_django()
    assert sum(n for _, n, _ in per_country) == 48


def test_update_changes_rows_in_both(engine, q):
    from helpers.apps.library_django.models import Book

    before = sum(Book.objects.filter(year__lt=1960).values_list("pages", flat=True))
    changed = q.pad_old_books_django()
    after = sum(Book.objects.filter(year__lt=1960).values_list("pages", flat=True))
    assert changed > 0 and after - before == 10 * changed


def test_every_label_version_gives_the_same_labels(engine, q):
    expected = q.book_labels_django_naive()
    assert len(expected) == 48 and expected[0] == "Book 0001 by Author 001"
    assert q.book_labels_django_fixed() == q.book_labels_django_prefetch() == expected
    for fn in (q.book_labels_sqlalchemy_naive, q.book_labels_sqlalchemy_fixed, q.book_labels_sqlalchemy_selectin):
        with Session(engine) as session:
            assert fn(session) == expected


def test_make_data_is_deterministic_and_checks_its_arguments():
    assert make_data(3, 2) == make_data(3, 2)
    assert len(make_data(3, 2).books) == 6
    with pytest.raises(ValueError, match="authors"):
        make_data(0, 2)
    with pytest.raises(ValueError, match="books_per_author"):
        make_data(2, "5")
