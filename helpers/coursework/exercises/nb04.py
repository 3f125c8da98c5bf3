"""Exercises of 04_data: predict the N+1 count, fix the loop, rename a column without losing it, send a parameter."""

from __future__ import annotations

import re
from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("04")

# Exercise 04.1: the library the notebook loads (make_data(authors=100, books_per_author=12)).
AUTHORS, BOOKS_PER_AUTHOR = 100, 12

# Exercise 04.3: the rows the rename must keep.
SLUGGED_BOOKS = [(1, "Dune", 1965, "dune-1965"), (2, "Emma", 1815, "emma-1815")]


MIN_BOOKS = 10  # with this many books, a loop that queries once per book sends 11 queries, far past the 2 allowed


def _library_ready() -> None:
    from helpers.serving.django_kernel import setup_django

    setup_django()
    from helpers.apps.library_django.models import Author, Book
    from helpers.components.library_data import load_django, make_data

    # A library to judge with: before the notebook loaded its own, or after a cell deleted books (with one book
    # left, even the unfixed loop sends only two queries).
    if Book.objects.count() < MIN_BOOKS:
        Book.objects.all().delete()
        Author.objects.all().delete()
        load_django(make_data(20, 5))


@exercise(
    "04.1",
    "predict the N+1 count",
    hint="The loop runs one query to list the books, then touches `book.author` once per book, "
    "and a Django model instance remembers nothing about other instances.",
    solution="""
        # One query lists the books: SELECT ... FROM library_book ORDER BY id.
        # The loop then reads book.author for each of the 100 × 12 = 1200 books, and each read of a
        # not-yet-loaded author is a new query: Django keeps no map of authors it has already seen.
        books = 100 * 12
        answer = 1 + books
    """,
    praise="One query for the list plus one per book: the count grows with the data, which is the trap.",
    data=True,
)
def predict_n_plus_one(answer: Any) -> str | None:
    books = AUTHORS * BOOKS_PER_AUTHOR
    if isinstance(answer, bool) or not isinstance(answer, int):
        return f"the answer should be a whole number of queries, not a {type(answer).__name__}."
    if answer == books + 1:
        return None
    if answer == books:
        return f"close: {books} queries fetch the authors, one per book; what lists the books in the first place?"
    if answer == AUTHORS + 1:
        return (
            f"{answer} is what SQLAlchemy sends, because its session remembers authors it already loaded; "
            "Django's model instances don't share such a map."
        )
    if answer in (1, 2):
        return f"{answer} is what the fixed versions send (a JOIN, or one extra query); the lazy loop sends more."
    return (
        f"{answer} is not it: count one query for the list, then ask how many times `book.author` goes to the database."
    )


@exercise(
    "04.2",
    "fix the N+1 loop",
    hint="The loop asks for each book's author one book at a time. Ask the queryset for the authors together "
    "with the books instead: Django's QuerySet reference has two methods for related objects, one that joins them "
    "into the same query and one that fetches them all in one more query.",
    solution='''
        from helpers.serving.django_kernel import setup_django

        setup_django()
        from helpers.apps.library_django.models import Book


        def book_labels():
            """Return "title by author" for every book, in two queries at most."""
            books = Book.objects.select_related("author").order_by("id")
            return [f"{book.title} by {book.author.name}" for book in books]


        answer = book_labels
    ''',
    praise="The authors now come with the books, so the loop no longer queries once per book.",
)
def fix_n_plus_one(answer: Any) -> str | None:
    from helpers.apps import library_queries
    from helpers.components.query_count import count_django

    if not callable(answer):
        return f"the answer should be a function that returns the labels, not a {type(answer).__name__}."
    _library_ready()
    expected = library_queries.book_labels_django_fixed()
    with count_django() as log:
        got = answer()
    # A plain list of plain strings: a subclass of its own could redefine the comparison below.
    if type(got) is not list or any(type(label) is not str for label in got):
        return f"your function should return a plain list of strings, it returned a {type(got).__name__}."
    if got != expected:
        return (
            f"your function returned {len(got)} labels, starting {got[:2]!r}; "
            f"expected {len(expected)}, starting {expected[:2]!r} (ordered by id)."
        )
    if log.count > 2:
        return f"the labels are right, but your function sent {log.count} queries; get it down to 2 or fewer."
    return None


@exercise(
    "04.3",
    "rename a column without losing it",
    hint="Autogenerate saw one column vanish and another appear, so it wrote a drop and an add, and the drop "
    "takes the data with it. Alembic has an operation that changes a column in place; look in its operations "
    "reference for the argument that gives the column a new name.",
    solution='''
        from alembic import op


        def upgrade():
            """Rename book.slug to book.handle in place, so every row keeps its value."""
            # Autogenerate saw a column disappear and another appear, and wrote drop + add;
            # one ALTER TABLE ... RENAME COLUMN keeps the data.
            op.alter_column("book", "slug", new_column_name="handle")


        answer = upgrade
    ''',
    praise="One ALTER TABLE ... RENAME COLUMN, and every slug survived: that is what the tools can't guess.",
)
def rename_column(answer: Any) -> str | None:
    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from sqlalchemy import create_engine

    if not callable(answer):
        return f"the answer should be your upgrade() function, not a {type(answer).__name__}."
    engine = create_engine("sqlite://")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TABLE book (id INTEGER PRIMARY KEY, title VARCHAR(200) NOT NULL, "
                "year INTEGER NOT NULL, slug VARCHAR(200))"
            )
            conn.exec_driver_sql("INSERT INTO book VALUES (?, ?, ?, ?)", SLUGGED_BOOKS[0])
            conn.exec_driver_sql("INSERT INTO book VALUES (?, ?, ?, ?)", SLUGGED_BOOKS[1])
        with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
            answer()  # `from alembic import op` inside it now talks to this database
        with engine.connect() as conn:
            result = conn.exec_driver_sql("SELECT * FROM book ORDER BY id")
            columns, got = list(result.keys()), [tuple(r) for r in result]
    except Exception as exc:  # the learner's migration failed: say how
        return f"your upgrade() raised {type(exc).__name__}: {exc}"
    finally:
        engine.dispose()
    if "handle" not in columns:
        return f"after your upgrade() the table's columns are {columns}; there should be a `handle` column."
    if "slug" in columns:
        return f"`handle` is there but `slug` is still there too ({columns}): rename it rather than add a new one."
    if [row[3] for row in got] != [row[3] for row in SLUGGED_BOOKS]:
        return (
            f"the column is called handle now, but its values are {[row[3] for row in got]}: "
            "the slugs were lost, as with drop + add. Rename the column instead."
        )
    return None


# Exercise 04.4: the table the search runs on, and the names it is tried with.
SECRET_ROWS = [("alice", "a-secret"), ("bob", "b-secret"), ("o'hara", "o-secret")]
HOSTILE = "nobody' OR '1'='1"
SEARCHES = {HOSTILE: [], "o'hara": ["o'hara"], "alice": ["alice"]}  # the hostile name first: it tells most


_SELECTS_BY_OWNER = re.compile(r"\bwhere\b[^;]*\bowner\b", re.IGNORECASE | re.DOTALL)


def _owner(row: Any) -> Any:
    """Return a result row's owner: the first item of a row or tuple, or the row itself when it is a string."""
    return row if isinstance(row, str) else tuple(row)[0]


def _flat(parameters: Any) -> list[Any]:
    """Return every value in a DB-API parameter set: a tuple, a dict, or a list of them (executemany)."""
    if isinstance(parameters, dict):
        return list(parameters.values())
    if not isinstance(parameters, (list, tuple)):
        return []
    if parameters and isinstance(parameters[0], (dict, list, tuple)):  # executemany: one set per row
        return [v for p in parameters for v in _flat(p)]
    return list(parameters)


@exercise(
    "04.4",
    "send the name as a parameter",
    hint="Look back at the first query of the injection cell: its SQL text held a placeholder, and the value came "
    "separately. SQLAlchemy's `text()` reads `:placeholders`, and `conn.execute` takes the values beside it.",
    solution='''
        from sqlalchemy import text


        def owners_named(conn, name):
            """Return the rows of `secret` whose owner is `name`, the name sent as a parameter."""
            # The SQL text never changes: :name is a placeholder, and the value travels beside the text,
            # so the database never reads the name as SQL, quotes and all.
            return conn.execute(text("SELECT owner FROM secret WHERE owner = :name"), {"name": name}).all()


        answer = owners_named
    ''',
    praise="The SQL text never changes and the name travels beside it, so no quote or hostile string can "
    "rewrite the query: that is what both ORMs do for you.",
)
def name_as_parameter(answer: Any) -> str | None:
    from sqlalchemy import create_engine, event

    if not callable(answer):
        return f"the answer should be your fixed owners_named(conn, name) function, not a {type(answer).__name__}."
    engine = create_engine("sqlite://")
    sent: list[tuple[str, list[Any]]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        sent.append((statement, _flat(parameters)))

    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE secret (owner TEXT, value TEXT)")
            for row in SECRET_ROWS:
                conn.exec_driver_sql("INSERT INTO secret VALUES (?, ?)", row)
        for name, expected in SEARCHES.items():
            sent.clear()
            try:
                with engine.connect() as conn:
                    got = [_owner(row) for row in answer(conn, name)]
            except Exception as exc:  # the learner's query failed: say on which name, and why that matters
                if "'" in name:
                    return (
                        f"with the name {name!r} your function raised {type(exc).__name__}: {exc}. The quote in "
                        "the name ended your SQL's string early, so the rest of the name was read as SQL."
                    )
                return f"with the name {name!r} your function raised {type(exc).__name__}: {exc}"
            if name == HOSTILE and got:
                return (
                    f"the hostile name {HOSTILE!r} returned {len(got)} rows: it became part of your SQL and "
                    "rewrote the WHERE clause, as the f-string did above."
                )
            if got != expected:
                return (
                    f"with the name {name!r} your function returned {got!r}; the table's owners of that name are "
                    f"{expected!r}."
                )
            # The name's longest word, found even when quotes in it were doubled or escaped.
            word = max(re.findall(r"\w+", name), key=len)
            pasted = [statement for statement, _ in sent if word in statement]
            if pasted:
                return (
                    f"the rows are right, but the name was written into the SQL text ({pasted[0]!r}): whatever "
                    "quoting or escaping is added, a name built for it can break out. Send it beside the text "
                    "as a parameter."
                )
            if not sent:
                return "your function sent no query to the database: it should ask the database for the owner's rows."
            # The name must be a parameter of the query that picks the owner's rows, not of some other statement.
            if not any(name in values and _SELECTS_BY_OWNER.search(statement) for statement, values in sent):
                return (
                    "your function never sent the name to the database: it read owners and picked in Python. "
                    "Ask the database for that owner, with the name as a parameter."
                )
    finally:
        engine.dispose()
    return None
