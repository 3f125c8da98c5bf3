"""The background job of the jobs notebook: send a receipt for an order, which takes about 2 s.

Every app of the notebook starts this same function, so only *where* it runs differs: in the request,
after the response in the web process (FastAPI's BackgroundTasks), or in a worker process fed by a queue
(RQ on Redis, Django's tasks). It records each attempt and each receipt sent in a SQLite file named by
the RECEIPTS_DB environment variable: a record any process can write and the notebook can read after a
crash, because it is on disk, not in the memory of a process that was killed.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing

SECONDS = 2.0  # what a slow mail server takes; RECEIPT_SECONDS overrides it


def connect(path: str | None = None) -> sqlite3.Connection:
    """Open the receipts database (RECEIPTS_DB unless `path`), creating its two tables the first time."""
    db = sqlite3.connect(path or os.environ["RECEIPTS_DB"], timeout=10, isolation_level=None)  # autocommit
    db.execute("CREATE TABLE IF NOT EXISTS attempts (order_id INTEGER, at REAL, pid INTEGER)")
    db.execute("CREATE TABLE IF NOT EXISTS receipts (order_id INTEGER, at REAL, pid INTEGER)")
    return db


def send_receipt(order_id: int, fail_times: int = 0) -> str:
    """Send the receipt for `order_id`; the first `fail_times` attempts fail, as an unreachable mail server would."""
    with closing(connect()) as db:
        db.execute("INSERT INTO attempts VALUES (?, ?, ?)", (order_id, time.time(), os.getpid()))
        (attempt,) = db.execute("SELECT count(*) FROM attempts WHERE order_id = ?", (order_id,)).fetchone()
    if attempt <= fail_times:
        raise ConnectionError(f"mail server unreachable (order {order_id}, attempt {attempt})")
    time.sleep(float(os.environ.get("RECEIPT_SECONDS", SECONDS)))  # talking to the mail server
    with closing(connect()) as db:
        db.execute("INSERT INTO receipts VALUES (?, ?, ?)", (order_id, time.time(), os.getpid()))
    return f"receipt for order {order_id} sent"


def receipts_sent(path: str | None = None) -> list[int]:
    """Return the order ids whose receipt was sent, in the order they were sent."""
    with closing(connect(path)) as db:
        return [row[0] for row in db.execute("SELECT order_id FROM receipts ORDER BY at")]


def attempts(path: str | None = None) -> dict[int, int]:
    """Return {order id: how many times its job started}."""
    with closing(connect(path)) as db:
        return dict(db.execute("SELECT order_id, count(*) FROM attempts GROUP BY order_id").fetchall())
