"""What Django's async ORM does under the hood, measured: each query's hop to a thread, and which threads ran them.

    cost = measure_async_orm(db.dsn)
    cost.sync_ms, cost.async_ms   # one small query with the sync ORM (get) and with the async ORM (aget), in ms
    cost.hop_ms                   # what sync_to_async adds per query
    cost.one_context              # K concurrent aget() in one request: threads used, seconds taken, and the
                                  # connections PostgreSQL listed meanwhile (pg_stat_activity): open, and running a query
    cost.per_request              # K concurrent aget(), each in a request context of its own (as Django's ASGI handler does)

Django's database layer is synchronous: `aget()` runs `get()` through asgiref's sync_to_async with
thread_sensitive=True (https://docs.djangoproject.com/en/5.2/topics/async/#queries-the-orm). Queries of one
request share one thread, so concurrent awaits inside one request take turns; requests run in threads of their own.
It runs in a fresh Python process (`python -m helpers.concurrency.django_async_orm`), where Django is configured
for PostgreSQL whatever the kernel configured.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from dataclasses import dataclass

from helpers.concurrency.checkout_race import run_in_child
from helpers.numbers import require_number

DEADLINE = 120.0  # seconds for the child process


class AsyncOrmError(RuntimeError):
    """The measuring process failed: the message quotes what it said."""


@dataclass(frozen=True)
class Concurrent:
    """K queries awaited together: how many threads ran them, how long all took, and what PostgreSQL listed."""

    queries: int
    threads: int
    seconds: float
    active: int = 0  # the most of the process's connections pg_stat_activity showed running a query at once
    open: int = 0  # the most of the process's connections pg_stat_activity listed at once, idle ones too


@dataclass(frozen=True)
class AsyncOrmCost:
    """One measurement of Django's async ORM against the sync one."""

    queries: int  # small queries timed one after another, each way
    sync_ms: float  # median milliseconds of Item.objects.get(pk=1)
    async_ms: float  # median milliseconds of await Item.objects.aget(pk=1)
    sync_threads: int  # threads that ran the sync queries
    async_threads: int  # threads that ran the async queries, one after another in one context
    wait_ms: float  # what each concurrent query waited in the database (pg_sleep)
    one_context: Concurrent  # K awaited together in one request context
    per_request: Concurrent  # K awaited together, each in a request context of its own

    @property
    def hop_ms(self) -> float:
        """Return the milliseconds sync_to_async adds to each query (async minus sync)."""
        return self.async_ms - self.sync_ms


def measure_async_orm(dsn: str, *, queries: int = 300, together: int = 10, wait_ms: float = 50.0) -> AsyncOrmCost:
    """Time `queries` small queries each way and `together` concurrent ones waiting `wait_ms`, in a fresh process.

    The shop's tables must exist (helpers.apps.stock_schema.create_shop) and the server needs `together` + 2
    connections free: the process's pool, and one that samples pg_stat_activity.
    """
    require_number("queries", queries, 10, 10_000, integer=True)
    require_number("together", together, 2, 100, integer=True)
    require_number("wait_ms", wait_ms, 1, 2000, unit="ms")
    args = {"queries": queries, "together": together, "wait_ms": wait_ms}
    doc = run_in_child(
        "helpers.concurrency.django_async_orm",
        args,
        dsn,
        together + 1,
        AsyncOrmError,
        "the measuring process",
        DEADLINE,
    )
    return AsyncOrmCost(
        queries=queries,
        sync_ms=doc["sync_ms"],
        async_ms=doc["async_ms"],
        sync_threads=doc["sync_threads"],
        async_threads=doc["async_threads"],
        wait_ms=wait_ms,
        one_context=Concurrent(**doc["one_context"]),
        per_request=Concurrent(**doc["per_request"]),
    )


# -- the measuring process ---------------------------------------------------------------------------------

SAMPLE_S = 0.005  # how often the sampler reads pg_stat_activity while the concurrent queries run
# The other connections to the shop's database (this process's pool), and those running a query (state 'active').
ACTIVITY_SQL = (
    "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity "
    "WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
)


class _Activity:
    """Read pg_stat_activity on a connection of its own, every SAMPLE_S, until stopped: the most open and active."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.open = self.active = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="activity-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            opened, active = self.conn.execute(ACTIVITY_SQL).fetchone()
            self.open, self.active = max(self.open, opened), max(self.active, active)
            self._stop.wait(SAMPLE_S)

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join(10)
        self.conn.close()
        return {"open": self.open, "active": self.active}


def _measure(queries: int, together: int, wait_ms: float) -> dict:
    """Run the measurements with Django set up for PostgreSQL; return them as plain data."""
    import asyncio
    import statistics

    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "helpers.apps.stock_django.settings"
    django.setup()
    from asgiref.sync import ThreadSensitiveContext, sync_to_async
    from django.db import connection
    from django.db.backends.signals import connection_created

    from helpers.apps.stock_django.models import Item, PgSleep
    from helpers.apps.stock_schema import from_env

    ran_in: list[int] = []  # the thread of every query, recorded by a wrapper on each new connection

    def record(execute, sql, params, many, context):
        ran_in.append(threading.get_ident())
        return execute(sql, params, many, context)

    def on_connect(sender, connection, **kwargs) -> None:
        connection.execute_wrappers.append(record)

    connection_created.connect(on_connect)

    def close_connection() -> None:
        connection.close()  # this thread's connection (Django keeps one per thread), back to the pool

    def timed_sync() -> list[float]:
        times = []
        for _ in range(queries):
            t0 = time.perf_counter()
            Item.objects.get(pk=1)
            times.append(time.perf_counter() - t0)
        return times

    async def timed_async() -> list[float]:
        times = []
        for _ in range(queries):
            t0 = time.perf_counter()
            await Item.objects.aget(pk=1)
            times.append(time.perf_counter() - t0)
        return times

    def slow_query():
        return Item.objects.annotate(waited=PgSleep(wait_ms / 1000)).aget(pk=1)

    async def in_one_context() -> dict:
        ran_in.clear()
        activity = _Activity(from_env()[0])
        t0 = time.perf_counter()
        await asyncio.gather(*(slow_query() for _ in range(together)))
        seconds = time.perf_counter() - t0
        return {"queries": together, "threads": len(set(ran_in)), "seconds": seconds, **activity.stop()}

    async def one_request() -> None:
        async with ThreadSensitiveContext():  # what Django's ASGI handler opens around each request
            await slow_query()
            await sync_to_async(close_connection)()  # the request is over, as Django's request_finished does

    async def per_request() -> dict:
        ran_in.clear()
        activity = _Activity(from_env()[0])
        t0 = time.perf_counter()
        await asyncio.gather(*(one_request() for _ in range(together)))
        seconds = time.perf_counter() - t0
        return {"queries": together, "threads": len(set(ran_in)), "seconds": seconds, **activity.stop()}

    timed_sync()  # warm up: connect, and fill the pool's first connection
    ran_in.clear()
    sync_times = timed_sync()
    sync_threads = len(set(ran_in))
    connection.close()  # back to the pool
    ran_in.clear()

    async def main() -> dict:
        await timed_async()  # warm up the executor's thread and its connection
        ran_in.clear()
        async_times = await timed_async()
        async_threads = len(set(ran_in))
        await sync_to_async(close_connection)()  # the executor thread's
        await per_request()  # warm up: open the pool's connections, so neither run below pays for connecting
        one = await in_one_context()
        await sync_to_async(close_connection)()
        many = await per_request()
        return {"async_times": async_times, "async_threads": async_threads, "one_context": one, "per_request": many}

    out = asyncio.run(main())
    return {
        "sync_ms": statistics.median(sync_times) * 1000,
        "async_ms": statistics.median(out["async_times"]) * 1000,
        "sync_threads": sync_threads,
        "async_threads": out["async_threads"],
        "one_context": out["one_context"],
        "per_request": out["per_request"],
    }


if __name__ == "__main__":
    print("result " + json.dumps(_measure(**json.loads(sys.argv[1]))), flush=True)
