"""The shop's endpoint in five set-ups under load from client processes, with what PostgreSQL saw meanwhile.

    runs = load_setup(db, shop_setups()[0], levels=(10, 100, 500), seconds=2)
    runs[0].result.throughput   # requests per second at 10 concurrent (a helpers.concurrency.loadgen.LoadResult)
    runs[0].held                # the most connections PostgreSQL listed for the app while it ran (pg_stat_activity)
    runs[0].threads             # the most OS threads the server's processes ran meanwhile

Each set-up is one server process (one worker), started as its framework's docs show it, with a pool of
`pool_size` connections (DB_POOL_SIZE, no overflow) and `pool_timeout` seconds to wait for one. Every
request runs one query that waits `wait_ms` in the database (pg_sleep), so the database, not the CPU,
is what each request waits on.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import psutil

from helpers.concurrency.loadgen import LoadResult, run_load
from helpers.numbers import require_number
from helpers.serving.durations import durations
from helpers.serving.processes import ServerProcess, start_gunicorn, start_uvicorn

WAIT_MS = 50.0  # what each request waits in the database
MAX_LEVEL = 2000
CLIENT_TIMEOUT = 10.0  # seconds a client waits for an answer before it counts the request as a timeout
SAMPLE_S = 0.05  # how often the server and the database are looked at during a run

# The pages each set-up follows.
DJANGO_GUNICORN_DOCS = "https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/gunicorn/"
DJANGO_ASYNC_DOCS = "https://docs.djangoproject.com/en/5.2/topics/async/#queries-the-orm"
DJANGO_POOL_DOCS = "https://docs.djangoproject.com/en/5.2/ref/databases/#connection-pool"
FLASK_SQLALCHEMY_DOCS = "https://flask.palletsprojects.com/en/stable/patterns/sqlalchemy/"
FASTAPI_SQL_DOCS = "https://fastapi.tiangolo.com/tutorial/sql-databases/"
SQLALCHEMY_ASYNCIO_DOCS = "https://docs.sqlalchemy.org/en/21/orm/extensions/asyncio.html"
FASTAPI_LIMIT_DOCS = "https://fastapi.tiangolo.com/advanced/advanced-dependencies/#limit-dependency-concurrency"
SQLALCHEMY_POOL_DOCS = "https://docs.sqlalchemy.org/en/21/core/pooling.html"


@dataclass(frozen=True)
class ShopSetup:
    """One of the five set-ups: the app, how it is served, the path it answers, and the page it follows."""

    short: str  # "Django sync", the name tables, verdicts and exercises use
    framework: str  # "Django", "Flask" or "FastAPI"
    server: str  # how it is served, in words
    app: str  # the import string
    path: str  # the endpoint, e.g. "/items/1"
    start: Callable[..., ServerProcess]  # start(app, name, env=..., ready_path=...) -> a running server
    docs: str

    @property
    def label(self) -> str:
        """Return "short (server)"."""
        return f"{self.short} ({self.server})"


def shop_setups(threads: int = 10) -> list[ShopSetup]:
    """Return the five set-ups, one worker process each; gthread runs `threads` threads (one per pooled connection)."""
    require_number("threads", threads, 2, 1000, integer=True)
    gthread = partial(start_gunicorn, workers=1, threads=threads)
    uvicorn = partial(start_uvicorn, workers=1)
    return [
        ShopSetup(
            "Django sync",
            "Django",
            f"gunicorn gthread, {threads} threads",
            "helpers.apps.stock_django.wsgi:application",
            "/items/1",
            gthread,
            DJANGO_GUNICORN_DOCS,
        ),
        ShopSetup(
            "Django async",
            "Django",
            "uvicorn, async view + async ORM",
            "helpers.apps.stock_django.asgi:application",
            "/async/items/1",
            partial(uvicorn, lifespan="off"),
            DJANGO_ASYNC_DOCS,
        ),
        ShopSetup(
            "Flask",
            "Flask",
            f"gunicorn gthread, {threads} threads, SQLAlchemy Session",
            "helpers.apps.stock_flask:create_app()",
            "/items/1",
            gthread,
            FLASK_SQLALCHEMY_DOCS,
        ),
        ShopSetup(
            "FastAPI async def",
            "FastAPI",
            "uvicorn, AsyncSession",
            "helpers.apps.stock_fastapi_async:app",
            "/items/1",
            uvicorn,
            SQLALCHEMY_ASYNCIO_DOCS,
        ),
        ShopSetup(
            "FastAPI def",
            "FastAPI",
            "uvicorn, sync Session in 40 threads",
            "helpers.apps.stock_fastapi_sync:app",
            "/items/1",
            uvicorn,
            FASTAPI_SQL_DOCS,
        ),
    ]


def fastapi_def_limited() -> ShopSetup:
    """Return FastAPI def with its session dependency limited to the pool's size (Depends(max_concurrency=...))."""
    return ShopSetup(
        "FastAPI def, limited",
        "FastAPI",
        "uvicorn, sync Session, Depends(max_concurrency=pool size)",
        "helpers.apps.stock_fastapi_sync_limited:app",
        "/items/1",
        partial(start_uvicorn, workers=1),
        FASTAPI_LIMIT_DOCS,
    )


@dataclass
class LevelRun:
    """One load run of one set-up at one concurrency: the requests, and what the server and database held."""

    setup: str  # the set-up's short name
    concurrency: int
    result: LoadResult
    held: int  # the most connections PostgreSQL listed for the application meanwhile
    threads: int  # the most OS threads in the server's processes meanwhile
    logged: tuple[str, ...] = ()  # the exceptions the server had logged by the end of the run, each once

    def as_row(self) -> dict[str, Any]:
        """Return the run as one row of a table (milliseconds, requests per second)."""
        s = self.result.summary()
        return {
            "set-up": self.setup,
            "concurrent": self.concurrency,
            "req/s": s["req_per_s"],
            "p50 ms": s["p50_ms"],
            "p99 ms": s["p99_ms"],
            "ok": s["ok"],
            "errors": dict(sorted(self.result.errors.items())),
            "held": self.held,
            "threads": self.threads,
        }


def held_by(db: Any, server: ServerProcess) -> int:
    """Return how many connections PostgreSQL lists (pg_stat_activity) from `server`'s processes.

    A connection is the server's when its client port in pg_stat_activity is the local port of one of the
    server's sockets to the database: connections another process holds, or a stopped server's that
    PostgreSQL still lists, are not counted.
    """
    ports = set()
    for proc in server.processes():
        try:
            conns = proc.net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        ports.update(c.laddr.port for c in conns if c.raddr and c.raddr.port == db.port)
    if not ports:
        return 0
    rows = db.query(
        "SELECT client_port FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
        (db.database,),
    )
    return sum(1 for (port,) in rows if port in ports)


class _Watcher:
    """Sample the connections the server holds in PostgreSQL, and its threads, in a thread until stopped."""

    def __init__(self, db: Any, server: ServerProcess) -> None:
        self.db, self.server = db, server
        self.held = self.threads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="helpers-db-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.held = max(self.held, held_by(self.db, self.server))
                self.threads = max(self.threads, self.server.thread_count())
            except Exception:  # noqa: S110 - a sample missed on a busy machine is not an error of the run
                pass
            self._stop.wait(SAMPLE_S)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


_EXCEPTION_LINE = re.compile(r"^[a-z_][\w.]*\.[A-Z]\w*(Error|Exception|Timeout)\b: .+")


def logged_errors(server: ServerProcess) -> tuple[str, ...]:
    """Return each distinct exception line in the server's log ("sqlalchemy.exc.TimeoutError: ..."), oldest first."""
    seen: dict[str, None] = {}
    for line in server.stderr_tail(100_000).splitlines():
        if _EXCEPTION_LINE.match(line.strip()):
            seen.setdefault(line.strip(), None)
    return tuple(seen)


def app_env(db: Any, pool_size: int, pool_timeout: float) -> dict[str, str]:
    """Return the environment the shop apps read: the database, the pool's size and its timeout."""
    return {"DATABASE_URL": db.dsn, "DB_POOL_SIZE": str(pool_size), "DB_POOL_TIMEOUT": f"{pool_timeout:g}"}


def load_setup(
    db: Any,
    setup: ShopSetup,
    *,
    levels: Sequence[int] = (10, 100, 500),
    seconds: float = 2.0,
    pool_size: int = 10,
    pool_timeout: float = 5.0,
    wait_ms: float = WAIT_MS,
    name: str = "shop",
) -> list[LevelRun]:
    """Start `setup` against `db`, load it at each of `levels` concurrent connections for `seconds`; stop it.

    Under COURSE_QUICK (CI) each run lasts at most helpers.serving.durations.QUICK's seconds.
    """
    if not isinstance(setup, ShopSetup):
        raise ValueError(f"setup must be one of shop_setups(), got {setup!r}")
    if not isinstance(levels, (list, tuple)) or not levels:
        raise ValueError(f"levels must be a non-empty list of concurrency levels, got {levels!r}")
    for level in levels:
        require_number("each level", level, 1, MAX_LEVEL, integer=True)
    require_number("seconds", seconds, 0, 120, low_open=True, unit="seconds")
    require_number("pool_size", pool_size, 1, 500, integer=True)
    require_number("pool_timeout", pool_timeout, 0, 120, low_open=True, unit="seconds")
    require_number("wait_ms", wait_ms, 0, 5000, unit="ms")
    budget = durations()
    if budget.quick:  # CI's COURSE_QUICK: the cells' plumbing is checked, not their figures
        seconds = min(seconds, budget.seconds)
    path = f"{setup.path}?wait_ms={wait_ms:g}"
    server = setup.start(setup.app, name, env=app_env(db, pool_size, pool_timeout), ready_path=path)
    runs = []
    try:
        for level in levels:
            watch = _Watcher(db, server)
            try:
                result = run_load(
                    server.url,
                    path,
                    connections=level,
                    seconds=seconds,
                    processes=1 if level < 200 else 2,
                    warm=True,
                    timeout=CLIENT_TIMEOUT,
                    progress=False,
                )
            finally:
                watch.stop()
            runs.append(LevelRun(setup.short, level, result, watch.held, watch.threads, logged_errors(server)))
    finally:
        server.stop(graceful=False)
    return runs


def load_all(
    db: Any,
    setups: Sequence[ShopSetup],
    *,
    levels: Sequence[int] = (10, 100, 500),
    seconds: float = 2.0,
    pool_size: int = 10,
    pool_timeout: float = 5.0,
    progress: bool = True,
) -> dict[str, list[LevelRun]]:
    """Load each set-up in turn (one server at a time, so they never share the CPU); return runs by short name."""
    status = _status() if progress else None
    out: dict[str, list[LevelRun]] = {}
    for k, setup in enumerate(setups):
        if status is not None:
            status.update(_pretty(f"{k}/{len(setups)} set-ups done; loading {setup.label}"))
        out[setup.short] = load_setup(
            db, setup, levels=levels, seconds=seconds, pool_size=pool_size, pool_timeout=pool_timeout
        )
    if status is not None:
        status.update(_pretty(f"{len(setups)}/{len(setups)} set-ups done"))
    return out


def _pretty(text: str) -> Any:
    from IPython.display import Pretty

    return Pretty(text)


def _status() -> Any:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - the course always has IPython
        return None
    return display(_pretty(""), display_id=True) if get_ipython() is not None else None
