"""One way to send receipts, running for real: the web server, its job worker (if any), and the receipts.

    shop = Shop("fastapi-rq", redis=start_redis())   # the four ways: WAYS
    shop.start()                                      # web server + job worker, as processes
    shop.order(1)                                     # POST /orders/1: the receipt is queued
    shop.kill_web(); shop.start_web()                 # SIGKILL the web process mid-job, then restart it
    shop.sent(), shop.waiting(), shop.running_jobs()  # what the receipts file and the queue say
    shop.stop()

Every process is on 127.0.0.1, started with a deadline and stopped by its process group; the receipts
and Django's tasks live in a throwaway folder that stop() removes. One Redis serves one shop at a time:
the RQ queue is always called "receipts", and another shop's worker would take its jobs.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

from helpers.apps import receipts
from helpers.jobs.workers import JobWorker, django_admin, start_db_worker, start_rq_worker
from helpers.numbers import require_number
from helpers.serving.owned import OwnedProcess
from helpers.serving.processes import ServerProcess, start_gunicorn, start_uvicorn

DJANGO_TABLE = "django_tasks_database_dbtaskresult"  # django-tasks-db's model, in its app "django_tasks_database"


@dataclass(frozen=True)
class Way:
    """One way to run the receipt job: the app, the server that runs it, and its job worker (None: in-process)."""

    title: str
    app: str  # import string for the server
    server: str  # "uvicorn" or "gunicorn"
    worker: str | None  # None, "rq" or "django"
    retries: int  # how often a failed job is tried again, by the framework's own machinery

    @property
    def queue(self) -> bool:
        """Tell whether a job outlives the web process: it waits in a broker or a database, not in memory."""
        return self.worker is not None


WAYS = {
    "fastapi-background": Way(
        "FastAPI + BackgroundTasks", "helpers.apps.jobs_fastapi_background:app", "uvicorn", None, 0
    ),
    "fastapi-rq": Way("FastAPI + RQ", "helpers.apps.jobs_fastapi_rq:app", "uvicorn", "rq", 2),
    "flask-rq": Way("Flask + RQ", "helpers.apps.jobs_flask_rq:create_app()", "gunicorn", "rq", 2),
    # Django's tasks have no automatic retry: a failed task is FAILED until someone enqueues it again.
    "django-tasks": Way(
        "Django tasks (database)", "helpers.apps.jobs_django.wsgi:application", "gunicorn", "django", 0
    ),
}


def _kill_now(owned: OwnedProcess) -> None:
    """SIGKILL a process and every process under it (RQ's work horse has a group of its own), by pid, at once."""
    # stop() does this too, but first waits for its registry, which another shop's start may hold for a second
    # or more (runs.each): the kill must come when the run says, mid-job, not when the registry is free.
    for process in owned.processes():  # the whole tree, listed before any of it dies
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


class Shop:
    """One way, running: `start()`, `order()`, kill and restart either process, read what was sent, `stop()`."""

    def __init__(self, way: str, redis: Any = None, name: str | None = None, deadline: float = 20.0) -> None:
        if way not in WAYS:
            raise ValueError(f"way must be one of {sorted(WAYS)}, got {way!r}")
        self.way = WAYS[way]
        if self.way.worker == "rq" and redis is None:
            raise ValueError(f"{way} needs a Redis: Shop({way!r}, redis=start_redis())")
        require_number("deadline", deadline, 0, 120, low_open=True, unit="seconds")
        self.name = name or way
        self.redis = redis
        self.deadline = deadline
        self.folder = Path(tempfile.mkdtemp(prefix=f"course-jobs-{self.name}-"))
        self.env = {"RECEIPTS_DB": str(self.folder / "receipts.sqlite3")}
        if redis is not None:
            self.env["REDIS_URL"] = redis.url
        try:
            if self.way.worker == "django":
                self.env["TASKS_DB"] = str(self.folder / "tasks.sqlite3")
                django_admin("migrate", env=self.env)  # the tasks table, before any process uses it
            receipts.connect(self.env["RECEIPTS_DB"]).close()  # the tables, before any job races to make them
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)  # no shop to stop() yet: its folder goes now
            raise
        self.web: ServerProcess | None = None
        self.worker: JobWorker | None = None

    # -- processes -------------------------------------------------------------------------------
    def start(self) -> Shop:
        """Start the job worker (if this way has one), then the web server."""
        if self.way.worker:
            self.start_worker()
        self.start_web()
        return self

    def start_web(self) -> ServerProcess:
        """Start (or restart) the web server: one worker process, the way's server."""
        # POST-only apps answer GET / with 404 or 405: that is enough to know they serve.
        if self.way.server == "uvicorn":
            self.web = start_uvicorn(self.way.app, f"{self.name}-web", env=self.env, deadline=self.deadline)
        else:
            self.web = start_gunicorn(self.way.app, f"{self.name}-web", env=self.env, deadline=self.deadline)
        return self.web

    def start_worker(self) -> JobWorker:
        """Start (or restart) the job worker."""
        if self.way.worker == "rq":
            self.worker = start_rq_worker(self.redis.url, f"{self.name}-jobs", env=self.env, deadline=self.deadline)
        elif self.way.worker == "django":
            self.worker = start_db_worker(f"{self.name}-jobs", env=self.env, deadline=self.deadline)
        else:
            raise ValueError(f"{self.way.title} has no job worker: its jobs run in the web process")
        return self.worker

    def kill_web(self) -> None:
        """Kill the web server's processes at once (SIGKILL), jobs in flight included."""
        if self.web is not None:
            _kill_now(self.web)
            self.web.stop(graceful=False)

    def kill_worker(self) -> None:
        """Kill the job worker at once (SIGKILL), mid-job if one runs."""
        if self.worker is not None:
            _kill_now(self.worker)
            self.worker.kill()

    def stop(self) -> None:
        """Stop both processes and remove the folder (the Redis is the caller's); idempotent."""
        if self.web is not None:
            self.web.stop(timeout=2.0)
        if self.worker is not None:
            self.worker.stop(timeout=2.0)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Shop:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- requests ----------------------------------------------------------------------------------
    def order(self, order_id: int, *, inline: bool = False, fail: int = 0, timeout: float = 30.0) -> float:
        """Place one order (its receipt queued, or sent inside the request if `inline`); return the seconds it took."""
        path = f"/orders/{order_id}" + ("/inline" if inline else "")
        t0 = time.perf_counter()
        r = httpx.post(self.web.url + path, params={"fail": fail} if fail else None, timeout=timeout)
        seconds = time.perf_counter() - t0
        r.raise_for_status()
        return seconds

    # -- what happened -----------------------------------------------------------------------------
    def sent(self) -> list[int]:
        """Return the orders whose receipt was sent."""
        return receipts.receipts_sent(self.env["RECEIPTS_DB"])

    def attempts(self) -> dict[int, int]:
        """Return {order: how many times its job started}."""
        return receipts.attempts(self.env["RECEIPTS_DB"])

    def waiting(self) -> int:
        """Return the jobs waiting for a worker: in the Redis list, or READY rows (0 for BackgroundTasks)."""
        if self.way.worker == "rq":
            return self._queue().count
        if self.way.worker == "django":
            return self._tasks_with("READY")
        return 0

    def running_jobs(self) -> int:
        """Return the jobs marked as running: RQ's started registry, or RUNNING rows (a dead worker's stay there)."""
        if self.way.worker == "rq":
            from rq.registry import StartedJobRegistry

            return StartedJobRegistry(queue=self._queue()).count
        if self.way.worker == "django":
            return self._tasks_with("RUNNING")
        return 0

    def wait_for(self, count: int, timeout: float) -> list[int]:
        """Wait until `count` receipts are sent or `timeout` s pass; return the orders sent."""
        end = time.monotonic() + timeout
        while len(sent := self.sent()) < count and time.monotonic() < end:
            time.sleep(0.05)
        return sent

    def wait_running(self, timeout: float) -> int:
        """Wait until a job is marked as running (a worker took it) or `timeout` s pass; return how many are."""
        end = time.monotonic() + timeout
        while not (count := self.running_jobs()) and time.monotonic() < end:
            time.sleep(0.02)
        return count

    def _queue(self):
        from helpers.apps.jobs_queue import receipts_queue

        return receipts_queue(self.redis.url)

    def _tasks_with(self, status: str) -> int:
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(self.env["TASKS_DB"], timeout=10)) as db:
            return db.execute(f"SELECT count(*) FROM {DJANGO_TABLE} WHERE status = ?", (status,)).fetchone()[0]
