"""The same library queries written twice: with the Django ORM and with SQLAlchemy 2.

Every function returns plain Python values, so the two ORMs' answers can be compared with ==.
"""

from __future__ import annotations

from django.db.models import Avg, Count, F
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from helpers.apps.library_django.models import Author as DjAuthor
from helpers.apps.library_django.models import Book as DjBook
from helpers.apps.library_sqlalchemy import Author, Book


# 1. Filter and order: books published from 2000 on, newest first.
def recent_books_django(since: int = 2000) -> list[tuple[str, int]]:
    """Return (title, year) of books from `since` on, newest first."""
    return list(DjBook.objects.filter(year__gte=since).order_by("-year", "title").values_list("title", "year"))


def recent_books_sqlalchemy(session: Session, since: int = 2000) -> list[tuple[str, int]]:
    """Return (title, year) of books from `since` on, newest first."""
    stmt = select(Book.title, Book.year).where(Book.year >= since).order_by(Book.year.desc(), Book.title)
    return [tuple(row) for row in session.execute(stmt)]


# 2. Join across the relation: books by authors from one country.
def books_from_country_django(country: str = "Japan") -> list[str]:
    """Return the titles of books whose author comes from `country`."""
    return list(DjBook.objects.filter(author__country=country).order_by("title").values_list("title", flat=True))


def books_from_country_sqlalchemy(session: Session, country: str = "Japan") -> list[str]:
    """Return the titles of books whose author comes from `country`."""
    stmt = select(Book.title).join(Book.author).where(Author.country == country).order_by(Book.title)
    return list(session.scalars(stmt))


# 3. Load each book together with its author, in the same statement.
def books_with_authors_django() -> list[tuple[str, str]]:
    """Return (title, author's name) of every book, each author loaded in the books' query."""
    return [(b.title, b.author.name) for b in DjBook.objects.select_related("author").order_by("id")]


def books_with_authors_sqlalchemy(session: Session) -> list[tuple[str, str]]:
    """Return (title, author's name) of every book, each author loaded in the books' query."""
    stmt = select(Book).options(joinedload(Book.author)).order_by(Book.id)
    return [(b.title, b.author.name) for b in session.scalars(stmt)]


# 4. Aggregate per group: how many books and their average length, per country.
def pages_per_country_django() -> list[tuple[str, int, float]]:
    """Return (country, number of books, average pages) for each country."""
    rows = (
        DjBook.objects.values("author__country")
        .annotate(n=Count("id"), avg_pages=Avg("pages"))
        .order_by("author__country")
    )
    return [(r["author__country"], r["n"], round(r["avg_pages"], 1)) for r in rows]


def pages_per_country_sqlalchemy(session: Session) -> list[tuple[str, int, float]]:
    """Return (country, number of books, average pages) for each country."""
    stmt = (
        select(Author.country, func.count(Book.id), func.avg(Book.pages))
        .join(Book.author)
        .group_by(Author.country)
        .order_by(Author.country)
    )
    return [(c, n, round(avg, 1)) for c, n, avg in session.execute(stmt)]


# 5. Filter on an aggregate: authors with at least `n` books longer than 400 pages.
def prolific_authors_django(n: int = 2) -> list[str]:
    """Return the names of authors with at least `n` books over 400 pages."""
    return list(
        DjAuthor.objects.filter(books__pages__gt=400)
        .annotate(long=Count("books"))
        .filter(long__gte=n)
        .order_by("name")
        .values_list("name", flat=True)
    )


def prolific_authors_sqlalchemy(session: Session, n: int = 2) -> list[str]:
    """Return the names of authors with at least `n` books over 400 pages."""
    stmt = (
        select(Author.name)
        .join(Author.books)
        .where(Book.pages > 400)
        .group_by(Author.id)
        .having(func.count(Book.id) >= n)
        .order_by(Author.name)
    )
    return list(session.scalars(stmt))


# 6. Update in the database, without loading rows: add 10 pages to books before 1960.
def pad_old_books_django(before: int = 1960) -> int:
    """Add 10 pages to every book older than `before`; return how many rows changed."""
    return DjBook.objects.filter(year__lt=before).update(pages=F("pages") + 10)


def pad_old_books_sqlalchemy(session: Session, before: int = 1960) -> int:
    """Add 10 pages to every book older than `before`; return how many rows changed."""
    result = session.execute(update(Book).where(Book.year < before).values(pages=Book.pages + 10))
    session.commit()
    return result.rowcount


# The N+1 trap: one query for the books, then one more per book for its author.
def book_labels_django_naive() -> list[str]:
    """Return "title by author" for every book (lazy loading: N+1 queries)."""
    return [f"{b.title} by {b.author.name}" for b in DjBook.objects.order_by("id")]


def book_labels_django_fixed() -> list[str]:
    """Return "title by author" for every book, authors joined in (1 query)."""
    return [f"{b.title} by {b.author.name}" for b in DjBook.objects.select_related("author").order_by("id")]


def book_labels_django_prefetch() -> list[str]:
    """Return "title by author" for every book, authors fetched in one extra query (2 queries)."""
    return [f"{b.title} by {b.author.name}" for b in DjBook.objects.prefetch_related("author").order_by("id")]


def book_labels_sqlalchemy_naive(session: Session) -> list[str]:
    """Return "title by author" for every book (lazy loading: N+1 queries)."""
    return [f"{b.title} by {b.author.name}" for b in session.scalars(select(Book).order_by(Book.id))]


def book_labels_sqlalchemy_fixed(session: Session) -> list[str]:
    """Return "title by author" for every book, authors joined in (1 query)."""
    stmt = select(Book).options(joinedload(Book.author)).order_by(Book.id)
    return [f"{b.title} by {b.author.name}" for b in session.scalars(stmt)]


def book_labels_sqlalchemy_selectin(session: Session) -> list[str]:
    """Return "title by author" for every book, authors fetched in one extra query (2 queries)."""
    stmt = select(Book).options(selectinload(Book.author)).order_by(Book.id)
    return [f"{b.title} by {b.author.name}" for b in session.scalars(stmt)]
