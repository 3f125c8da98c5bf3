"""Exercises of 04_data: read the two ORMs' joins, predict the N+1 count, predict a rollback, fix the loop, rename a
column, send a parameter."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from typing import Any

from helpers.coursework.exercise import ExerciseSet
from helpers.coursework.truths import shared

exercise = ExerciseSet("04")

# Exercise 04.2: the library the notebook loads (make_data(authors=100, books_per_author=12)).
AUTHORS, BOOKS_PER_AUTHOR = 100, 12

# Exercise 04.5: the rows the rename must keep.
SLUGGED_BOOKS = [(1, "Dune", 1965, "dune-1965"), (2, "Emma", 1815, "emma-1815")]


MIN_BOOKS = 10  # with this many books, a loop that queries once per book sends 11 queries, far past the 2 allowed


@contextlib.contextmanager
def _on_library(library: dict[str, Any]) -> Iterator[Any]:
    """Hold Django's library tables at `library`'s rows inside the block, then put back what was there.

    Yields Django's connection. Everything happens in one transaction that is rolled back, so the notebook's own
    library (and anything an answer wrote) is untouched afterwards.
    """
    from helpers.serving.django_kernel import setup_django

    setup_django()
    from django.db import connection, transaction

    from helpers.components.library_data import LibraryData, load_django

    with transaction.atomic():
        load_django(LibraryData([tuple(a) for a in library["authors"]], [tuple(b) for b in library["books"]]))
        try:
            yield connection
        finally:
            transaction.set_rollback(True)


def labels_sent(answer: Any, library: dict[str, Any]) -> dict[str, Any]:
    """Call `answer()` on a library of `library`'s rows; return {"labels": [...], "sent": [[sql, params, many]...]}.

    04.4's port: every statement Django sends while the answer runs is recorded as text, with its parameters, for
    the check to run again on a library of its own. {"kind": type} when the answer returned no plain list of
    strings, {"raised": why} when it raised.
    """
    sent: list[list[Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append([sql, [list(p) for p in params] if many else (list(params) if params else []), many])
        return execute(sql, params, many, context)

    try:
        with _on_library(library) as connection, connection.execute_wrapper(record):
            labels = answer()
            # Read here, in the transaction: a lazy result (a generator) would run its queries after it.
            if type(labels) is not list or any(type(label) is not str for label in labels):
                return {"kind": type(labels).__name__}
    except Exception as exc:  # noqa: BLE001 - the learner's function failed: the check says how
        return {"raised": f"{type(exc).__name__}: {exc}"}
    return {"labels": labels, "sent": sent}


def _fetched(library: dict[str, Any], sent: list[Any]) -> list[tuple] | str:
    """Run the `sent` statements on the check's own library of `library`'s rows; return every row they read."""
    import sqlite3

    from helpers.coursework import judged_sql

    rows: list[tuple] = []
    with _on_library(library) as connection:
        connection.ensure_connection()
        raw = connection.connection
        with judged_sql.guarded(raw) as refused:  # read-only: nothing may be written
            for row in sent:
                try:
                    sql, params, many = judged_sql.statement(row)
                    rows += judged_sql.run(raw, [judged_sql.django_to_qmark(sql), params, many]).fetchall()
                except (sqlite3.Error, ValueError) as exc:
                    return judged_sql.why(exc, refused)
    return rows


def _unread(library: dict[str, Any], rows: list[tuple]) -> list[str]:
    """Return the labels that `rows` don't tell: a book's title with its author's name, in one row or through its author's id.

    One row with both (a join), or a row with the title and the author's id and a row with that id and the name
    (a second query): what Django's select_related and prefetch_related read. Values read one per row tell nothing.
    """
    names = {a[0]: a[1] for a in library["authors"]}
    sets = [set(row) for row in rows]
    missing = []
    for _, title, _, _, author in library["books"]:
        name = names[author]
        joined = any(title in r and name in r for r in sets)
        linked = any(title in r and author in r for r in sets) and any(author in r and name in r for r in sets)
        if not (joined or linked):
            missing.append(f"{title} by {name}")
    return missing


def _random_library() -> dict[str, Any]:
    """Return a library no answer knows in advance: a few authors, MIN_BOOKS and more books, names drawn at random."""
    import random
    import string

    draw = random.SystemRandom()

    def word() -> str:
        return "".join(draw.choice(string.ascii_lowercase) for _ in range(8)).title()

    author_ids = draw.sample(range(1, 10_000), draw.randint(3, 5))
    book_ids = sorted(draw.sample(range(1, 100_000), draw.randint(MIN_BOOKS, MIN_BOOKS + 5)))
    authors = [[a, f"{word()} {word()}", "Nowhere"] for a in author_ids]
    books = [
        [b, f"The {word()}", draw.randint(1800, 2024), draw.randint(50, 900), draw.choice(author_ids)] for b in book_ids
    ]
    return {"authors": authors, "books": books}


# Exercise 04.1: the join each ORM writes to load books with their authors, read from the SQL it sends.
JOIN_KEYS = ("django", "sqlalchemy", "django_nullable")
_JOINS_EXAMPLE = '{"django": "INNER JOIN", "sqlalchemy": "INNER JOIN", "django_nullable": "INNER JOIN"}'
# The first join in a statement. SQL's plain JOIN is an inner join, and LEFT JOIN a left outer one.
_JOIN_IN_SQL = re.compile(r"\b(LEFT\s+OUTER\s+JOIN|LEFT\s+JOIN|INNER\s+JOIN|JOIN)\b", re.IGNORECASE)
_JOIN_NAMES = {
    "INNER JOIN": ("inner join", "inner", "join"),
    "LEFT OUTER JOIN": ("left outer join", "left join", "left outer", "left", "outer join", "outer"),
}
_TWO_QUERIES = re.compile(r"\b(two|2|second|prefetch\w*|selectin\w*|quer(y|ies))\b", re.IGNORECASE)


def join_in(sql: str) -> str | None:
    """Return the first join of `sql` as "INNER JOIN" or "LEFT OUTER JOIN", or None if it has none."""
    found = _JOIN_IN_SQL.search(sql)
    if found is None:
        return None
    return "LEFT OUTER JOIN" if found.group(1).upper().startswith("LEFT") else "INNER JOIN"


def sent_joins() -> dict[str, str | None]:
    """Return the join in the SQL each ORM sends on this install to load books with their authors.

    "django_nullable" is Django's select_related on a ForeignKey declared with null=True: the admin's
    LogEntry.content_type, a model every course kernel has installed.
    """
    from django.contrib.admin.models import LogEntry
    from sqlalchemy.orm import Session

    from helpers.apps import library_queries
    from helpers.apps.library_sqlalchemy import make_engine
    from helpers.components.query_count import count_django, count_sqlalchemy
    from helpers.serving.django_kernel import setup_django

    setup_django()
    with count_django() as django_log:
        library_queries.books_with_authors_django()
    engine = make_engine()  # an empty library of its own: the statement is what counts, not the rows
    try:
        with Session(engine) as session, count_sqlalchemy(engine) as sqlalchemy_log:
            library_queries.books_with_authors_sqlalchemy(session)
    finally:
        engine.dispose()
    if not LogEntry._meta.get_field("content_type").null:
        raise RuntimeError("LogEntry.content_type is no longer null=True: pick another nullable ForeignKey")
    nullable = LogEntry.objects.select_related("content_type").query
    return {
        "django": join_in(django_log.statements[0]),
        "sqlalchemy": join_in(sqlalchemy_log.statements[0]),
        "django_nullable": join_in(str(nullable)),
    }


def _join_named(said: str) -> str | None:
    """Return the join a learner's words name ("left join", "INNER"), or None when they name none of the two."""
    words = " ".join(said.replace("_", " ").split()).lower()
    return next((join for join, names in _JOIN_NAMES.items() if words in names), None)


@exercise(
    "04.1",
    "read the join each ORM sends",
    hint="Find the row books_with_authors in the table, and read the words just before the author table in each "
    "statement. For the third key, ask which books an inner join keeps, and whether Django could still list every "
    "book if some had no author.",
    solution="""
        # In the row books_with_authors, the words just before the author table in each statement:
        #   Django ORM:  FROM "library_book" INNER JOIN "library_author" ON (...)
        #   SQLAlchemy:  FROM book LEFT OUTER JOIN author AS author_1 ON ...
        # An inner join keeps only the books whose author row it finds. Book.author has no null=True, so every
        # book has an author and Django joins INNER without losing one; joinedload joins LEFT OUTER unless told
        # innerjoin=True. With null=True a book could have no author, and select_related must not drop it from
        # the list, so Django would join LEFT OUTER.
        answer = {"django": "INNER JOIN", "sqlalchemy": "LEFT OUTER JOIN", "django_nullable": "LEFT OUTER JOIN"}
    """,
    praise="Django reads the ForeignKey: no null=True means every book has an author, so an inner join loses none. "
    "joinedload plays safe with LEFT OUTER unless you pass innerjoin=True.",
    data=True,
)
def read_joins(answer: Any) -> str | None:
    shape = f"the answer should be a dict like {_JOINS_EXAMPLE}"
    if not isinstance(answer, dict):
        return f"{shape}, not a {type(answer).__name__}."
    missing, unknown = [k for k in JOIN_KEYS if k not in answer], sorted(map(repr, set(answer) - set(JOIN_KEYS)))
    if unknown:
        return f"{', '.join(unknown)} is not one of the keys; the keys are {list(JOIN_KEYS)}."
    if missing:
        return f"give a join for every key: {missing} has none yet."
    said: dict[str, str] = {}
    for key in JOIN_KEYS:
        value = answer[key]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return f'"{key}": say "INNER JOIN" or "LEFT OUTER JOIN", as a string, not a {type(value).__name__}.'
        if key == "django" and (value == 2 or (isinstance(value, str) and _TWO_QUERIES.search(value))):
            return (
                f'"django": {value!r} is not it: select_related puts the authors into the books\' query, one '
                "statement with a join in it (fetching them in a second query is prefetch_related). Which join?"
            )
        join = _join_named(value) if isinstance(value, str) else None
        if join is None:
            return f'"{key}": {value!r} is not one of the two joins asked about; say "INNER JOIN" or "LEFT OUTER JOIN".'
        said[key] = join
    truth = sent_joins()
    pair, true_pair = (said["django"], said["sqlalchemy"]), (truth["django"], truth["sqlalchemy"])
    if pair != true_pair:
        if truth["django"] != truth["sqlalchemy"] and pair == true_pair[::-1]:
            return (
                "the two are swapped: in the row books_with_authors, Django's statement is the one that names "
                "its tables library_book and library_author, SQLAlchemy's the one that names them book and author."
            )
        for key in ("sqlalchemy", "django"):
            plain = " ".join(str(answer[key]).split()).lower() == "join"
            if plain and truth[key] != "INNER JOIN":
                return (
                    f'"{key}": a plain JOIN is an inner join, as in the row books_from_country; the row '
                    "books_with_authors, just below it, loads each book with its author. What does its statement say?"
                )
        if said["django"] == said["sqlalchemy"] and truth["django"] != truth["sqlalchemy"]:
            return (
                f"you gave both statements the same join, {said['django']}; in the row books_with_authors, "
                "read the words just before the author table in each one: they are not the same."
            )
        key = "django" if said["django"] != truth["django"] else "sqlalchemy"
        return (
            f'"{key}": {said[key]} is not what its statement in the row books_with_authors says; read the words '
            "just before the author table."
        )
    if said["django_nullable"] != truth["django_nullable"]:
        if truth["django_nullable"] == "LEFT OUTER JOIN":
            return (
                '"django_nullable": with null=True a book may have no author, and an inner join keeps only the '
                "books whose author row it finds. Could select_related then drop a book that Book.objects.all() lists?"
            )
        return '"django_nullable": that is not the join Django writes for a nullable ForeignKey on this install.'
    return None


@exercise(
    "04.2",
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


# Exercise 04.3: roll back the data migration and the added column, in a throwaway Django project of its own.
ROLLBACK_KEYS = ("columns", "slugs", "no_reverse")
_ROLLBACK_EXAMPLE = '{"columns": ["id", "title"], "slugs": ["dune", "emma"], "no_reverse": "rolls back"}'
_NULLS = ("none", "null", "")
_OUTCOMES = {
    "error": ("error", "an error", "raises", "raises an error", "fails", "irreversibleerror", "refuses", "stops"),
    "rolls back": ("rolls back", "roll back", "rolls back silently", "silently", "ok", "undone", "succeeds", "skips"),
}


@functools.cache
@shared
def rollback_facts() -> dict[str, Any]:
    """Run the notebook's Django steps 1 and 2 on a throwaway project, roll them back, and return what was seen.

    "columns": shelf_book's columns after `migrate shelf 0001`; "slugs": the two books' slugs once `migrate shelf
    0002` has put the column back; "no_reverse": what `migrate shelf 0001` does when 0003's RunPython has no
    reverse_code ("error" when it raised and undid nothing, "rolls back" when it went through).
    """
    from helpers.components.migrations import DjangoProject

    with DjangoProject(kind="django-check-04.3") as project:
        project.manage("makemigrations shelf", "migrate")
        for title, year in (("Dune", 1965), ("Emma", 1815)):
            project.execute("INSERT INTO shelf_book (title, year) VALUES (?, ?)", (title, year))
        project.use_models("django_models_2.py")
        project.manage("makemigrations shelf")
        project.add_migration("0003_fill_slugs.py", "django_fill_slugs.py")
        project.manage("migrate", "migrate shelf 0001")
        columns = project.tables()["shelf_book"]
        project.add_migration("0003_fill_slugs.py", "django_fill_slugs_no_reverse.py")
        project.manage("migrate shelf 0002")
        slugs = [row[0] for row in project.rows("SELECT slug FROM shelf_book ORDER BY id")]
        project.manage("migrate")
        before = project.rows("SELECT * FROM shelf_book ORDER BY id")
        try:
            project.manage("migrate shelf 0001")
            no_reverse = "rolls back"
        except RuntimeError as exc:
            if "IrreversibleError" not in str(exc):
                raise
            undone = project.rows("SELECT * FROM shelf_book ORDER BY id") != before
            no_reverse = "rolls back" if undone else "error"
    return {"columns": columns, "slugs": slugs, "no_reverse": no_reverse}


def _outcome(said: str) -> str | None:
    """Return the outcome a learner's words name ("error" or "rolls back"), or None when they name neither."""
    words = " ".join(said.replace("_", " ").replace("-", " ").split()).lower().rstrip(".!")
    return next((outcome for outcome, names in _OUTCOMES.items() if words in names), None)


@exercise(
    "04.3",
    "predict what a rollback undoes",
    hint="Read the SQL that undoes 0002: which columns does the new table get, and which columns does the INSERT "
    "copy into it? Putting the column back is one ALTER TABLE, with nothing to fill it. For the last key, ask what "
    "Django could run to undo a Python function it was given no reverse for.",
    solution="""
        # The SQL that undoes 0002 builds a new shelf_book with id, title and year only, copies those three columns
        # across and drops the old table: the slug column goes, and its values with it.
        # `migrate shelf 0002` runs 0002 forwards again: ADD COLUMN, and nothing fills it (filling is 0003's job).
        # RunPython without reverse_code gives Django nothing to run backwards, so it stops with
        # IrreversibleError before it undoes anything.
        answer = {"columns": ["id", "title", "year"], "slugs": [None, None], "no_reverse": "error"}
    """,
    praise="Undoing an added column drops it with its data, putting it back brings it empty, and a data migration "
    "with no reverse stops the rollback rather than guess.",
    data=True,
)
def predict_rollback(answer: Any) -> str | None:
    shape = f"the answer should be a dict like {_ROLLBACK_EXAMPLE}"
    if not isinstance(answer, dict):
        return f"{shape}, not a {type(answer).__name__}."
    unknown = sorted(map(repr, set(answer) - set(ROLLBACK_KEYS)))
    if unknown:
        return f"{', '.join(unknown)} is not one of the keys; the keys are {list(ROLLBACK_KEYS)}."
    missing = [k for k in ROLLBACK_KEYS if k not in answer]
    if missing:
        return f"give a value for every key: {missing} has none yet."
    columns, slugs, outcome = answer["columns"], answer["slugs"], answer["no_reverse"]
    if not isinstance(columns, (list, tuple, set)) or not all(isinstance(c, str) for c in columns):
        return f'"columns": give the column names as a list of strings, like ["id", "title"], not {columns!r}.'
    if (
        not isinstance(slugs, (list, tuple))
        or len(slugs) != 2
        or not all(s is None or isinstance(s, str) for s in slugs)
    ):
        return f'"slugs": give the two books\' slugs as a list of two, each a string or None, not {slugs!r}.'
    if not isinstance(outcome, str) or _outcome(outcome) is None:
        return f'"no_reverse": say "error" or "rolls back", not {outcome!r}.'
    truth = rollback_facts()
    said_columns = {c.strip().strip('"').lower() for c in columns}
    if said_columns != set(truth["columns"]):
        if "slug" in said_columns and "slug" not in truth["columns"]:
            return (
                '"columns": the slug column does not survive the rollback. Read the SQL that undoes 0002: which '
                "columns does the new table have?"
            )
        return f'"columns": {sorted(said_columns)} is not what the SQL that undoes 0002 leaves; read its CREATE TABLE.'
    said_slugs = [None if s is None or s.strip().lower() in _NULLS else s for s in slugs]
    if said_slugs != truth["slugs"]:
        if all(s is None for s in truth["slugs"]):
            return (
                f'"slugs": {list(slugs)!r} would mean the values came back with the column. The INSERT in the SQL '
                "that undoes 0002 copied no slug anywhere, and 0002 run forwards only adds the column: "
                "what is in a column just added?"
            )
        return '"slugs": that is not what the rows hold after `migrate shelf 0002` on this install.'
    if _outcome(outcome) != truth["no_reverse"]:
        if truth["no_reverse"] == "error":
            return (
                '"no_reverse": Django does not skip an operation it cannot undo. Without reverse_code it has no '
                "function to run backwards: would it rather drop the column silently, or stop and say so?"
            )
        return '"no_reverse": that is not what Django does on this install with a RunPython that has no reverse.'
    return None


@exercise(
    "04.4",
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
    served="call",
    port=labels_sent,
)
def fix_n_plus_one(answer: Any) -> str | None:
    from helpers.coursework.served import Remote, bind

    if not isinstance(answer, Remote) and not callable(answer):
        return f"the answer should be a function that returns the labels, not a {type(answer).__name__}."
    # A library of the check's own: the answer runs on it where it is (in grading, the replay's process, which reports
    # the statements it sent), and those statements run again here, on the check's copy, to see what they read.
    library = _random_library()
    got = bind(answer, labels_sent)(library)
    if not isinstance(got, dict) or "raised" in got:
        return f"your function raised {got.get('raised') if isinstance(got, dict) else 'an error'}"
    # A plain list of plain strings: a subclass of its own could redefine the comparison below.
    if "kind" in got or not isinstance(got.get("labels"), list) or not isinstance(got.get("sent"), list):
        return (
            f"your function should return a plain list of strings, it returned a {got.get('kind', 'something else')}."
        )
    names = {a[0]: a[1] for a in library["authors"]}
    expected = [f"{title} by {names[author]}" for _, title, _, _, author in sorted(library["books"])]
    labels, sent = got["labels"], got["sent"]
    if labels != expected:
        return (
            f"your function returned {len(labels)} labels, starting {labels[:2]!r}; "
            f"expected {len(expected)}, starting {expected[:2]!r} (ordered by id)."
        )
    if len(sent) > 2:
        return f"the labels are right, but your function sent {len(sent)} queries; get it down to 2 or fewer."
    # The labels came from somewhere: the rows the statements Django sent read must tell each of them.
    fetched = _fetched(library, sent)
    if isinstance(fetched, str):
        return f"the statements your function sent failed on a fresh copy of the library: {fetched}."
    missing = _unread(library, fetched)
    if missing:
        return (
            f"the labels are right, but the {len(sent)} statement(s) Django sent never read {missing[0]!r}: "
            "where did it come from? Ask the queryset for the books and their authors."
        )
    return None


def _slugged_books(rows: list[Any]) -> Any:
    """Return a fresh in-memory SQLite database whose table `book` holds `rows` (id, title, year, slug)."""
    import sqlite3

    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute(
        "CREATE TABLE book (id INTEGER PRIMARY KEY, title VARCHAR(200) NOT NULL, year INTEGER NOT NULL, slug VARCHAR(200))"
    )
    conn.executemany("INSERT INTO book VALUES (?, ?, ?, ?)", [tuple(row) for row in rows])
    return conn


def migration_sent(answer: Any, rows: list[Any]) -> dict[str, Any]:
    """Run the migration `answer()` on a table `book` of `rows`; return {"sent": [[sql, params, many], ...]}.

    04.5's port: Alembic's operations talk to that database while it runs, and every statement they send is
    recorded as text, for the check to run on a copy of its own. {"raised": why} when the migration failed.
    """
    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from sqlalchemy import create_engine, event

    conn = _slugged_books(rows)
    engine = create_engine("sqlite://", creator=lambda: conn)
    sent: list[list[Any]] = []

    def record(connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        sent.append([statement, list(parameters) if many else parameters, many])

    try:
        with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
            event.listen(engine, "before_cursor_execute", record)  # only what the migration sends
            answer()  # `from alembic import op` inside it now talks to this database
        return {"sent": sent}
    except Exception as exc:  # noqa: BLE001 - the learner's migration failed: the check says how
        return {"raised": f"{type(exc).__name__}: {exc}"}
    finally:
        engine.dispose()
        conn.close()


@exercise(
    "04.5",
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
    served="call",
    port=migration_sent,
)
def rename_column(answer: Any) -> str | None:
    import random
    import sqlite3
    import string

    from helpers.coursework import judged_sql
    from helpers.coursework.served import Remote, bind

    if not isinstance(answer, Remote) and not callable(answer):
        return f"the answer should be your upgrade() function, not a {type(answer).__name__}."
    # The notebook's two books and one more no answer knows in advance. In grading, the replay runs the migration on
    # a database of these rows and sends the SQL it sent; that SQL is then run here, on the check's own copy.
    draw = random.SystemRandom()
    slug = "".join(draw.choice(string.ascii_lowercase) for _ in range(10))
    rows = [*SLUGGED_BOOKS, (draw.randint(3, 999), slug.title(), draw.randint(1800, 2024), slug)]
    got = bind(answer, migration_sent)([list(row) for row in rows])
    if not isinstance(got, dict) or "raised" in got or not isinstance(got.get("sent"), list):
        return f"your upgrade() raised {got.get('raised') if isinstance(got, dict) else 'an error'}"
    conn = _slugged_books(rows)
    try:
        with judged_sql.guarded(conn, {"book"}, schema=True) as refused:
            for sent in got["sent"]:
                try:
                    judged_sql.run(conn, sent)
                except (sqlite3.Error, ValueError) as exc:
                    return f"your upgrade()'s SQL failed on a fresh copy of the table: {judged_sql.why(exc, refused)}."
        try:
            cursor = conn.execute("SELECT * FROM book ORDER BY id")
        except sqlite3.Error as exc:
            return f"after your upgrade() the table book can't be read ({exc}): rename its column, not the table."
        columns, got_rows = [d[0] for d in cursor.description], cursor.fetchall()
    finally:
        conn.close()
    if "handle" not in columns:
        return f"after your upgrade() the table's columns are {columns}; there should be a `handle` column."
    if "slug" in columns:
        return f"`handle` is there but `slug` is still there too ({columns}): rename it rather than add a new one."
    kept = [row[columns.index("handle")] for row in got_rows]
    if kept != [row[3] for row in sorted(rows)]:
        return (
            f"the column is called handle now, but its values are {kept}: "
            "the slugs were lost, as with drop + add. Rename the column instead."
        )
    return None


# Exercise 04.6: the table the search runs on, and the names it is tried with.
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


def search_secrets(answer: Any, rows: list[Any], name: str) -> dict[str, Any]:
    """Call `answer(conn, name)` on a fresh table `secret` of `rows`; return the owners found and the SQL sent.

    {"owners": [...]} or {"raised": "Type: message"}, with "sent": [(statement, its values), ...] of that call.
    """
    from sqlalchemy import create_engine, event

    engine = create_engine("sqlite://")
    sent: list[tuple[str, list[Any]]] = []
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE secret (owner TEXT, value TEXT)")
            for row in rows:
                conn.exec_driver_sql("INSERT INTO secret VALUES (?, ?)", tuple(row))

        @event.listens_for(engine, "before_cursor_execute")
        def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
            sent.append((statement, _flat(parameters)))

        try:
            with engine.connect() as conn:
                found: dict[str, Any] = {"owners": [_owner(row) for row in answer(conn, name)]}
        except Exception as exc:  # noqa: BLE001 - the learner's query may raise anything
            found = {"raised": f"{type(exc).__name__}: {exc}"}
    finally:
        engine.dispose()
    return {**found, "sent": sent}


@exercise(
    "04.6",
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
    served="call",
    port=search_secrets,
)
def name_as_parameter(answer: Any) -> str | None:
    import random
    import string

    from helpers.coursework.served import Remote, bind

    if not isinstance(answer, Remote) and not callable(answer):
        return f"the answer should be your fixed owners_named(conn, name) function, not a {type(answer).__name__}."
    search = bind(answer, search_secrets)  # in grading, the judge sends the names where the replay serves it
    # Besides the notebook's names, an owner and a hostile name drawn at random: no answer knows them in advance.
    draw = random.SystemRandom()
    token = "".join(draw.choice(string.ascii_lowercase) for _ in range(10))
    owner, hostile = f"{token[:4]}'{token[4:]}", f"{token}' OR '{token[:3]}'='{token[:3]}"
    rows = [*SECRET_ROWS, (owner, "a fresh secret")]
    for name, expected in {**SEARCHES, hostile: [], owner: [owner]}.items():
        found = search(rows, name)
        sent = found["sent"]  # (statement, values) pairs
        if "raised" in found:  # the learner's query failed: say on which name, and why that matters
            if "'" in name:
                return (
                    f"with the name {name!r} your function raised {found['raised']}. The quote in "
                    "the name ended your SQL's string early, so the rest of the name was read as SQL."
                )
            return f"with the name {name!r} your function raised {found['raised']}"
        got = found["owners"]
        if name in (HOSTILE, hostile) and got:
            return (
                f"the hostile name {name!r} returned {len(got)} rows: it became part of your SQL and "
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
    return None
