"""SQL an answer sent, run on the check's own SQLite database under a policy (helpers/coursework/judged_sql.py)."""

from __future__ import annotations

import sqlite3

import pytest

from helpers.coursework import judged_sql


@pytest.fixture
def conn():
    """Yield an in-memory database with a table `book` of two rows, and an `other` table."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("CREATE TABLE book (id INTEGER PRIMARY KEY, slug TEXT)")
    db.execute("CREATE TABLE other (x)")
    db.executemany("INSERT INTO book VALUES (?, ?)", [(1, "a"), (2, "b")])
    yield db
    db.close()


def attempt(conn: sqlite3.Connection, sql: str, writable=("book",), schema=False) -> str | None:
    """Run `sql` under the policy; return why it failed, or None."""
    with judged_sql.guarded(conn, writable, schema=schema) as refused:
        try:
            judged_sql.run(conn, [sql])
        except (sqlite3.Error, ValueError) as exc:
            return judged_sql.why(exc, refused)
    return None


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE book RENAME COLUMN slug TO handle",
        "ALTER TABLE book ADD COLUMN handle TEXT",
        "ALTER TABLE book DROP COLUMN slug",
        "CREATE TABLE _alembic_tmp_book (id INTEGER)",  # Alembic's batch mode copies through one
        "PRAGMA main.table_xinfo(book)",
        "UPDATE book SET slug = upper(slug)",
    ],
)
def test_what_a_migration_needs_is_allowed(conn, sql):
    assert attempt(conn, sql, schema=True) is None


@pytest.mark.parametrize(
    "sql, words",
    [
        ("VACUUM INTO '/tmp/judged-sql-stolen.db'", "ATTACH"),  # writes a file
        ("ATTACH ':memory:' AS elsewhere", "ATTACH"),
        ("PRAGMA writable_schema = 1", "PRAGMA"),
        ("SELECT load_extension('evil')", "load_extension"),
        ("CREATE TABLE evil (x)", "CREATE_TABLE"),
        ("DELETE FROM other", "DELETE other"),
        ("DROP TABLE other", "DROP_TABLE"),
        ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", "RECURSIVE"),
    ],
)
def test_anything_else_is_refused_by_name(conn, sql, words):
    assert words in attempt(conn, sql, schema=True)


def test_without_schema_a_statement_may_only_read_and_write_the_tables_named(conn):
    assert attempt(conn, "UPDATE book SET slug = 'x' WHERE id = 1") is None
    assert "ALTER_TABLE" in attempt(conn, "ALTER TABLE book ADD COLUMN y")
    assert "UPDATE other" in attempt(conn, "UPDATE other SET x = 1")
    assert "UPDATE book" in attempt(conn, "UPDATE book SET slug = 'y'", writable=())  # read-only
    # The policy ends with the block: the check's own statements run unhindered after it.
    conn.execute("CREATE TABLE after (x)")


def test_a_statement_past_the_budget_is_stopped(conn):
    conn.executemany("INSERT INTO other VALUES (?)", [(i,) for i in range(1000)])
    assert "budget" in attempt(conn, "SELECT count(*) FROM other a, other b, other c")


def test_two_statements_at_once_are_refused(conn):
    assert attempt(conn, "UPDATE book SET slug = 'x'; DROP TABLE other") is not None
    assert conn.execute("SELECT count(*) FROM other").fetchone() == (0,)


def test_sent_rows_are_read_strictly():
    assert judged_sql.statement(["SELECT ?", [1]]) == ("SELECT ?", [1], False)
    assert judged_sql.statement(["INSERT INTO t VALUES (?)", [[1], [2]], True]) == (
        "INSERT INTO t VALUES (?)",
        [[1], [2]],
        True,
    )
    for bad in ["SELECT 1", [1, []], ["SELECT ?", 5], ["x", [1], True], []]:
        with pytest.raises(ValueError):
            judged_sql.statement(bad)


def test_djangos_placeholders_become_sqlites():
    sql = 'SELECT "t"."x" FROM "t" WHERE "t"."id" IN (%s, %s) AND "t"."name" LIKE \'50%%\''
    assert (
        judged_sql.django_to_qmark(sql)
        == 'SELECT "t"."x" FROM "t" WHERE "t"."id" IN (?, ?) AND "t"."name" LIKE \'50%\''
    )
