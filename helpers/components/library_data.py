"""Load the same authors and books into the Django ORM and into SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helpers.numbers import require_number

COUNTRIES = ("UK", "USA", "Nigeria", "Japan", "Chile")


@dataclass(frozen=True)
class LibraryData:
    """Plain rows: authors as (id, name, country), books as (id, title, year, pages, author_id)."""

    authors: list[tuple[int, str, str]]
    books: list[tuple[int, str, int, int, int]]


def make_data(authors: int = 20, books_per_author: int = 5) -> LibraryData:
    """Make a deterministic library of `authors` × `books_per_author` books."""
    require_number("authors", authors, 1, 10_000, integer=True)
    require_number("books_per_author", books_per_author, 1, 10_000, integer=True)
    author_rows = [(a, f"Author {a:03d}", COUNTRIES[a % len(COUNTRIES)]) for a in range(1, authors + 1)]
    book_rows = []
    for a in range(1, authors + 1):
        for k in range(books_per_author):
            book_id = (a - 1) * books_per_author + k + 1
            # Years and page counts vary deterministically so filters and aggregates have work to do.
            book_rows.append((book_id, f"Book {book_id:04d}", 1950 + (book_id * 7) % 75, 100 + (book_id * 37) % 500, a))
    return LibraryData(author_rows, book_rows)


def load_django(data: LibraryData) -> None:
    """Replace the Django library tables' rows with `data`."""
    from helpers.apps.library_django.models import Author, Book

    Book.objects.all().delete()
    Author.objects.all().delete()
    Author.objects.bulk_create([Author(id=i, name=n, country=c) for i, n, c in data.authors])
    Book.objects.bulk_create([Book(id=i, title=t, year=y, pages=p, author_id=a) for i, t, y, p, a in data.books])


def load_sqlalchemy(engine: Any, data: LibraryData) -> None:
    """Replace the SQLAlchemy library tables' rows with `data`."""
    from sqlalchemy import delete, insert

    from helpers.apps.library_sqlalchemy import Author, Book

    with engine.begin() as conn:
        conn.execute(delete(Book))
        conn.execute(delete(Author))
        conn.execute(insert(Author), [dict(id=i, name=n, country=c) for i, n, c in data.authors])
        conn.execute(insert(Book), [dict(id=i, title=t, year=y, pages=p, author_id=a) for i, t, y, p, a in data.books])
