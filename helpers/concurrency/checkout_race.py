"""The last item in stock: N buyers check out one item at once, in a process of their own; who got it?

    result = run_checkouts(db.dsn, orm="django", way="naive", buyers=20, stock=1)
    result.oversold    # orders taken beyond the stock (19 when every buyer read stock = 1 before anyone wrote)
    result.latencies   # seconds per checkout, the cost of waiting for the lock

The buyers run in a fresh Python process (`python -m helpers.concurrency.checkout_race`), one thread and
one database connection each, released together by a barrier once every connection is open: Django is
configured there for PostgreSQL, whatever the kernel configured, and the kernel's GIL is not theirs.
The checkout functions are the learner's: `helpers.apps.stock_django.checkout` and
`helpers.apps.checkout_sqlalchemy` (naive, locked, atomic).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.apps.stock_schema import restock, stock_and_orders
from helpers.numbers import require_number

ROOT = Path(__file__).resolve().parent.parent.parent
ORMS = ("django", "sqlalchemy")
WAYS = ("naive", "locked", "atomic")
MAX_BUYERS = 200
DEADLINE = 120.0  # seconds for the whole child process
POOL_TIMEOUT = 30.0  # seconds the child's pool waits for a connection: every buyer at once may queue for one


class RaceError(RuntimeError):
    """The buyers' process failed: the message quotes what it said."""


def run_in_child(
    module: str, args: dict, dsn: str, pool_size: int, error: type[Exception], what: str, deadline: float = DEADLINE
) -> Any:
    """Run `python -m module ARGS_JSON` against the shop at `dsn` with a pool of `pool_size`; return its result.

    The child prints one "result {json}" line. Its Django and SQLAlchemy are its own (no DJANGO_SETTINGS_MODULE
    from the kernel); `error` is raised, naming `what`, with the child's last lines when it fails.
    """
    env = {**os.environ, "DATABASE_URL": dsn, "DB_POOL_SIZE": str(pool_size), "DB_POOL_TIMEOUT": f"{POOL_TIMEOUT:g}"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", module, json.dumps(args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=deadline,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("result ")]
    if done.returncode != 0 or not lines:
        tail = "\n".join((done.stderr or done.stdout).splitlines()[-15:])
        raise error(f"{what} exited with code {done.returncode}. It said:\n{tail}")
    return json.loads(lines[-1][len("result ") :])


@dataclass
class RaceResult:
    """What one race did: each buyer's answer and latency, and what the database holds afterwards."""

    orm: str
    way: str
    buyers: int
    stock: int  # the stock before the race
    pause: float
    bought: int  # checkouts that answered "sold to you"
    stock_left: int
    orders: int  # order rows in the database for the item
    latencies: list[float] = field(default_factory=list)  # seconds, one per buyer that got an answer
    errors: dict[str, int] = field(default_factory=dict)  # exceptions by class name

    @property
    def oversold(self) -> int:
        """Return the orders taken beyond the stock there was."""
        return max(0, self.orders - self.stock)

    def as_row(self) -> dict:
        """Return the result as one row of a table."""
        lat = sorted(self.latencies)
        return {
            "orm": self.orm,
            "checkout": self.way,
            "buyers": self.buyers,
            "stock": self.stock,
            "orders": self.orders,
            "oversold": self.oversold,
            "stock left": self.stock_left,
            "slowest (s)": round(lat[-1], 3) if lat else None,
            "errors": sum(self.errors.values()),
        }


def run_checkouts(
    dsn: str,
    *,
    orm: str = "django",
    way: str = "naive",
    buyers: int = 20,
    stock: int = 1,
    pause: float = 0.05,
    item_id: int = 1,
) -> RaceResult:
    """Set item `item_id`'s stock to `stock`, let `buyers` check it out at once with `orm`'s `way`; return what happened.

    The shop's tables must exist (helpers.apps.stock_schema.create_shop). The server needs `buyers`
    connections free (start_postgres(max_connections=...)).
    """
    if orm not in ORMS:
        raise ValueError(f"orm must be one of {ORMS}, got {orm!r}")
    if way not in WAYS:
        raise ValueError(f"way must be one of {WAYS}, got {way!r}")
    require_number("buyers", buyers, 1, MAX_BUYERS, integer=True)
    require_number("stock", stock, 0, 1_000_000, integer=True)
    require_number("pause", pause, 0, 5, unit="seconds")
    restock(dsn, item_id, stock)
    args = {"orm": orm, "way": way, "buyers": buyers, "pause": pause, "item_id": item_id}
    answers = run_in_child(
        "helpers.concurrency.checkout_race", args, dsn, buyers, RaceError, f"the buyers' process ({orm}, {way})"
    )
    left, orders = stock_and_orders(dsn, item_id)
    return RaceResult(
        orm=orm,
        way=way,
        buyers=buyers,
        stock=stock,
        pause=pause,
        bought=sum(1 for a in answers if a[0] is True),
        stock_left=left,
        orders=orders,
        latencies=[a[1] for a in answers if isinstance(a[0], bool)],
        errors=dict(Counter(a[0] for a in answers if not isinstance(a[0], bool))),
    )


# -- the buyers' process ------------------------------------------------------------------------------


def _buyers(orm: str, way: str, buyers: int, pause: float, item_id: int) -> list[list]:
    """Run `buyers` threads, each checking out once after all are connected; return [answer, seconds] each."""
    gate = threading.Barrier(buyers)
    answers: list[list] = [["not run", 0.0] for _ in range(buyers)]
    if orm == "django":
        import django

        os.environ["DJANGO_SETTINGS_MODULE"] = "helpers.apps.stock_django.settings"
        django.setup()
        from django.db import connection

        from helpers.apps.stock_django import checkout

        def buy(i: int) -> None:
            connection.ensure_connection()  # this thread's connection, from Django's pool
            gate.wait()
            _timed(answers, i, lambda: getattr(checkout, f"checkout_{way}")(item_id, pause))
            connection.close()  # back to the pool

    else:
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session

        from helpers.apps import checkout_sqlalchemy as checkout
        from helpers.apps.stock_sqlalchemy import engine_options

        url, options = engine_options()
        engine = create_engine(url, **options)

        def buy(i: int) -> None:
            with engine.connect() as conn:  # this thread's connection, opened before the race
                gate.wait()
                with Session(conn) as session:
                    _timed(answers, i, lambda: getattr(checkout, f"checkout_{way}")(session, item_id, pause))
                    conn.commit()

    threads = [threading.Thread(target=buy, args=(i,), name=f"buyer-{i}") for i in range(buyers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def _timed(answers: list[list], i: int, call) -> None:
    t0 = time.perf_counter()
    try:
        answers[i] = [bool(call()), time.perf_counter() - t0]
    except Exception as exc:  # reported by kind, not raised: a race's errors are part of its result
        answers[i] = [type(exc).__name__, time.perf_counter() - t0]


if __name__ == "__main__":
    print("result " + json.dumps(_buyers(**json.loads(sys.argv[1]))), flush=True)
