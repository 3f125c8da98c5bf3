"""Connection pools shown failing, as data: a pool too small for its clients, and pools past max_connections.

    pool_exhaustion(db, pool_size=2, clients=5, hold=1.0, pool_timeout=0.2)
        # 2 clients get a connection; 3 wait 0.2 s and get SQLAlchemy's TimeoutError ("QueuePool limit ...")
    past_max_connections(db, workers=3, pool_size=4)
        # 12 connections wanted, the server lets the role have max_connections - reserved; the rest get
        # PostgreSQL's own refusal ("remaining connection slots are reserved ...")

`db` is a running server from helpers.services.postgres.start_postgres. Each function returns a
PoolOutcome: how many clients got through, the errors by kind and each kind's message, in the words
of the library or server that raised it.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from helpers.numbers import require_number

MAX_CLIENTS = 500


@dataclass
class PoolOutcome:
    """What a pool experiment saw: clients that got through, errors by kind, and the words of each error."""

    clients: int
    ok: int
    errors: dict[str, int] = field(default_factory=dict)  # kind ("sqlalchemy.TimeoutError", ...) -> count
    messages: dict[str, str] = field(default_factory=dict)  # kind -> the first such error's message
    latencies: list[float] = field(default_factory=list)  # seconds each client took, ok or not
    held: int | None = None  # connections the server held for the application at the fullest moment
    limit: int | None = None  # connections the server allows the application's role

    def as_row(self) -> dict[str, Any]:
        """Return the outcome as one row of a table."""
        return {"clients": self.clients, "ok": self.ok, **self.errors, "held": self.held, "limit": self.limit}


def _kind(exc: BaseException) -> str:
    return f"{type(exc).__module__.split('.')[0]}.{type(exc).__name__}"


def _message(exc: BaseException) -> str:
    """Return the error's own words: the server's FATAL line for a refused connection, else the first line."""
    text = str(getattr(exc, "orig", None) or exc)
    fatal = re.search(r"FATAL:\s+(.*)", text)
    return fatal.group(1).strip() if fatal else text.strip().splitlines()[0]


def _engine(db: Any, **options: Any) -> Any:
    from sqlalchemy import create_engine

    return create_engine(db.url, **options)


def pool_exhaustion(
    db: Any, *, pool_size: int = 2, clients: int = 5, hold: float = 1.0, pool_timeout: float = 0.2
) -> PoolOutcome:
    """Let `clients` threads each hold a connection for `hold` s, from one pool of `pool_size`; return what happened.

    The pool has no overflow: a client that waits `pool_timeout` s without a free connection gets
    SQLAlchemy's TimeoutError. A pool as large as the clients, or a timeout longer than the queue, fixes it.
    """
    require_number("pool_size", pool_size, 1, MAX_CLIENTS, integer=True)
    require_number("clients", clients, 1, MAX_CLIENTS, integer=True)
    require_number("hold", hold, 0, 60, unit="seconds")
    require_number("pool_timeout", pool_timeout, 0, 60, low_open=True, unit="seconds")
    from sqlalchemy import text

    engine = _engine(db, pool_size=pool_size, max_overflow=0, pool_timeout=pool_timeout)
    gate = threading.Barrier(clients + 1)
    results: list[tuple[BaseException | None, float]] = [(None, 0.0)] * clients
    peak = [0]

    def client(i: int) -> None:
        gate.wait()
        t0 = time.perf_counter()
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_sleep(:s)"), {"s": hold})
            results[i] = (None, time.perf_counter() - t0)
        except Exception as exc:  # the outcome is the lesson: reported, not raised
            results[i] = (exc, time.perf_counter() - t0)

    threads = [threading.Thread(target=client, args=(i,), name=f"pool-client-{i}") for i in range(clients)]
    try:
        for t in threads:
            t.start()
        gate.wait()
        if hold >= 0.2:  # long enough to look while they hold their connections
            time.sleep(min(hold / 2, pool_timeout + 0.1))
            peak[0] = db.held_connections()
        for t in threads:
            t.join()
    finally:
        engine.dispose()
    return _outcome(results, held=peak[0] if hold >= 0.2 else None, limit=None)


def past_max_connections(db: Any, *, workers: int = 3, pool_size: int = 4) -> PoolOutcome:
    """Fill `workers` pools of `pool_size` connections each at once, as busy worker processes would; return what happened.

    Each engine stands for one worker process's pool. The server allows the application's role
    max_connections - reserved_connections; past that it refuses with its own error.
    """
    require_number("workers", workers, 1, 64, integer=True)
    require_number("pool_size", pool_size, 1, MAX_CLIENTS, integer=True)
    engines = [_engine(db, pool_size=pool_size, max_overflow=0, pool_timeout=1) for _ in range(workers)]
    held: list[Any] = []
    results: list[tuple[BaseException | None, float]] = []
    try:
        for engine in engines:
            for _ in range(pool_size):
                t0 = time.perf_counter()
                try:
                    held.append(engine.connect())
                    held[-1].exec_driver_sql("SELECT 1")
                    results.append((None, time.perf_counter() - t0))
                except Exception as exc:
                    results.append((exc, time.perf_counter() - t0))
        full = db.held_connections()  # the superuser's reserved slot still gets in
    finally:
        for conn in held:
            conn.close()
        for engine in engines:
            engine.dispose()
    return _outcome(results, held=full, limit=db.max_connections - db.reserved_connections)


def _outcome(results: list[tuple[BaseException | None, float]], held: int | None, limit: int | None) -> PoolOutcome:
    errors = [exc for exc, _ in results if exc is not None]
    messages: dict[str, str] = {}
    for exc in errors:
        messages.setdefault(_kind(exc), _message(exc))
    return PoolOutcome(
        clients=len(results),
        ok=len(results) - len(errors),
        errors=dict(Counter(_kind(exc) for exc in errors)),
        messages=messages,
        latencies=[seconds for _, seconds in results],
        held=held,
        limit=limit,
    )
