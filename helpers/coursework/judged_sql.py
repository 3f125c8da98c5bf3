"""Run SQL an answer sent on the check's own SQLite database, where it may only read and change the lesson's tables.

A check that must know what SQL an answer sends (04.4's queries, 04.5's migration, 06.4's UPDATE) cannot trust a
count or a result made in the learner's process: an answer can patch whatever counts or reads there, and put the
patch back before anyone looks. So the answer's process only reports the statements, as text, and the check runs
them again here, on a database of its own holding rows the answer never chose; the verdict follows from what the
statements do to those rows. Whatever the answer's process says it sent, that is what is judged.

The statements come from the learner, so the connection allows only what a lesson needs: reading any table,
writing the tables named, changing their schema when asked, and a few read-only PRAGMAs that Alembic's batch mode
uses. Attaching a file (which VACUUM INTO does too), every other PRAGMA, and loading an extension are refused, and a
statement past a budget of SQLite's steps (a recursive query that never ends) is stopped.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

STEPS = 20_000  # progress callbacks of 1,000 SQLite instructions each: ~20 M instructions, well under a second
READ_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list"}
SETTABLE_PRAGMAS = {"foreign_keys", "legacy_alter_table", "defer_foreign_keys"}  # per connection, touch no file
SCHEMA_TABLES = {"sqlite_master", "sqlite_temp_master", "sqlite_schema", "sqlite_temp_schema", "sqlite_sequence"}
DATABASES = {None, "main", "temp"}
_ACTIONS = {getattr(sqlite3, f"SQLITE_{name}"): name for name in (
    "CREATE_INDEX", "CREATE_TABLE", "CREATE_TEMP_INDEX", "CREATE_TEMP_TABLE", "DELETE", "DROP_INDEX", "DROP_TABLE",
    "DROP_TEMP_INDEX", "DROP_TEMP_TABLE", "INSERT", "PRAGMA", "READ", "SELECT", "TRANSACTION", "UPDATE", "ATTACH",
    "DETACH", "ALTER_TABLE", "REINDEX", "ANALYZE", "CREATE_VTABLE", "DROP_VTABLE", "FUNCTION", "SAVEPOINT",
    "RECURSIVE", "CREATE_TRIGGER", "CREATE_TEMP_TRIGGER", "CREATE_VIEW", "CREATE_TEMP_VIEW", "DROP_TRIGGER",
    "DROP_TEMP_TRIGGER", "DROP_VIEW", "DROP_TEMP_VIEW",
)}  # fmt: skip
_WRITES = {"INSERT", "UPDATE", "DELETE"}
_SCHEMA = {"CREATE_TABLE", "CREATE_TEMP_TABLE", "DROP_TABLE", "DROP_TEMP_TABLE", "CREATE_INDEX", "DROP_INDEX",
           "CREATE_TEMP_INDEX", "DROP_TEMP_INDEX"}  # fmt: skip
# A migration's batch mode copies a table through a temporary one of this name (Alembic's batch operations).
TEMP_TABLE = re.compile(r"_alembic_tmp_\w+")


class Refused(sqlite3.DatabaseError):
    """A statement did something the check does not allow."""


def _policy(writable: set[str], schema: bool, refused: list[str]) -> Any:
    """Return an authorizer that allows reading, and writing (and with `schema`, re-shaping) the `writable` tables."""

    def ours(table: Any) -> bool:
        return isinstance(table, str) and (table in writable or schema and TEMP_TABLE.fullmatch(table) is not None)

    def authorize(action: int, arg1: Any, arg2: Any, database: Any, trigger: Any) -> int:
        name = _ACTIONS.get(action, str(action))
        # ALTER TABLE names its database first (and, for DROP COLUMN, the column where others name the database).
        if (arg1 if name == "ALTER_TABLE" else database) not in DATABASES:
            ok = False
        elif name in ("READ", "SELECT", "TRANSACTION", "SAVEPOINT"):
            ok = True
        elif name == "FUNCTION":
            ok = str(arg2).lower() != "load_extension"
        elif name in _WRITES:
            # SQLite itself rewrites its schema table while it runs an ALTER TABLE or a CREATE TABLE of ours.
            ok = ours(arg1) or schema and arg1 in SCHEMA_TABLES and trigger is None
        elif name == "ALTER_TABLE":
            ok = schema and ours(arg2)
        elif name in _SCHEMA:
            ok = schema and (ours(arg1) if "INDEX" not in name else ours(arg2))
        elif name == "PRAGMA":
            ok = arg1 in READ_PRAGMAS or arg1 in SETTABLE_PRAGMAS
        else:
            ok = False
        if not ok:
            refused.append(f"{name} {arg1 or ''} {arg2 or ''}".strip())
        return sqlite3.SQLITE_OK if ok else sqlite3.SQLITE_DENY

    return authorize


@contextmanager
def guarded(conn: sqlite3.Connection, writable: Iterable[str] = (), *, schema: bool = False) -> Iterator[list[str]]:
    """Let statements on `conn` inside the block read, and write only `writable`; yield what was refused."""
    refused: list[str] = []
    steps = [0]

    def budget() -> int:
        steps[0] += 1
        return 1 if steps[0] > STEPS else 0  # non-zero: SQLite interrupts the statement

    conn.set_authorizer(_policy(set(writable), schema, refused))
    conn.set_progress_handler(budget, 1000)
    try:
        yield refused
    finally:
        conn.set_authorizer(None)
        conn.set_progress_handler(None, 1000)


def django_to_qmark(sql: str) -> str:
    """Return a statement Django wrote with %s placeholders in SQLite's own style (?), as Django's backend does."""
    return re.sub(r"(?<!%)%s", "?", sql).replace("%%", "%")


def plain_params(params: Any) -> tuple | list | dict:
    """Return DB-API parameters as sent over JSON (a list or a dict); refuse anything else with a clear error."""
    if params is None:
        return ()
    if isinstance(params, dict) and all(isinstance(k, str) for k in params):
        return params
    if isinstance(params, (list, tuple)):
        return list(params)
    raise ValueError(f"a statement's parameters are a list or a dict, not {type(params).__name__}")


def statement(sent: Any) -> tuple[str, Any, bool]:
    """Return (sql, parameters, many) from one sent row [sql, parameters] or [sql, parameters, many]."""
    if not isinstance(sent, (list, tuple)) or not 1 <= len(sent) <= 3 or not isinstance(sent[0], str):
        raise ValueError("each statement sent is [sql, parameters] with the SQL as text")
    many = bool(sent[2]) if len(sent) > 2 else False
    params = sent[1] if len(sent) > 1 else None
    if many:
        if not isinstance(params, (list, tuple)):
            raise ValueError("a statement run for many rows has a list of parameter sets")
        return sent[0], [plain_params(p) for p in params], True
    return sent[0], plain_params(params), False


def run(conn: sqlite3.Connection, sent: Any) -> sqlite3.Cursor:
    """Run one sent statement on `conn` (already guarded); return its cursor. Raises sqlite3 errors and ValueError."""
    sql, params, many = statement(sent)
    return conn.executemany(sql, params) if many else conn.execute(sql, params)


def why(exc: BaseException, refused: list[str]) -> str:
    """Return in words why a sent statement failed on the check's database."""
    if refused:
        return f"it does something the check does not allow ({refused[-1]})"
    if isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc):
        return f"it ran past the check's budget of {STEPS * 1000:,} SQLite steps"
    return f"{type(exc).__name__}: {exc}"
