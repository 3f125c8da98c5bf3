"""Count the SQL statements an ORM sends, through the ORM's own hooks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class QueryLog:
    """The SQL statements seen inside a `with` block."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Return how many statements were sent."""
        return len(self.statements)


@contextmanager
def count_django(using: str = "default") -> Iterator[QueryLog]:
    """Record every statement Django sends on connection `using` inside the block."""
    from django.db import connections

    log = QueryLog()

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        log.statements.append(sql)
        return execute(sql, params, many, context)

    # execute_wrapper is Django's documented hook around every cursor.execute on this connection.
    with connections[using].execute_wrapper(wrapper):
        yield log


@contextmanager
def count_sqlalchemy(engine: Any) -> Iterator[QueryLog]:
    """Record every statement SQLAlchemy sends through `engine` inside the block."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not isinstance(engine, Engine):
        raise TypeError(f"engine must be a sqlalchemy Engine, got {type(engine).__name__}")
    log = QueryLog()

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield log
    finally:
        # Remove the listener so re-running a cell never counts twice.
        event.remove(engine, "before_cursor_execute", before)
