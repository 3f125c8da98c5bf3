"""Run a job worker (RQ's `rq worker`, django-tasks' `db_worker`) as a real process, one per name.

    worker = start_rq_worker(redis.url, "rq")      # returns once it listens on the queue
    worker.kill()                                  # SIGKILL, mid-job: what a crash or an OOM kill does
    worker.stop()                                  # or helpers.stop_all(), or the kernel's exit

Each worker runs in a process group of its own (RQ forks a "work horse" per job), on the course's folder,
with the environment it is given; stopping it ends the whole group, by its pid, never by name.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psutil

from helpers.apps.jobs_queue import QUEUE
from helpers.numbers import require_number
from helpers.serving.owned import OwnedProcess
from helpers.serving.registry import Registry

ROOT = Path(__file__).resolve().parent.parent.parent  # the course's folder: the workers import helpers from it
DEFAULT_DEADLINE = 20.0
DJANGO_SETTINGS = "helpers.apps.jobs_django.settings"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_TAIL = 15  # lines of a worker's log an error message quotes

_workers: Registry[JobWorker] = Registry("job worker", in_stop_all=True)


class JobWorkerError(RuntimeError):
    """A job worker did not start: the message says why and quotes its log."""


class JobWorker(OwnedProcess):
    """One job worker process (and the processes it forks): pid, log, kill() and stop()."""

    def __init__(self, name: str, kind: str, argv: list[str]) -> None:
        self.name = name
        self.kind = kind  # "rq" or "django"
        self.argv = argv
        self.started_in: float = float("nan")  # seconds from start to listening
        self._popen: subprocess.Popen | None = None
        self._log_path: Path | None = None
        self._stopped = False

    @property
    def command(self) -> str:
        """Return the command line that started the worker, as you would type it in a terminal."""
        return " ".join(["python", *self.argv[1:]])

    def log(self) -> str:
        """Return everything the worker has logged."""
        try:
            return self._log_path.read_text(errors="replace") if self._log_path else ""
        except OSError:
            return ""

    def log_tail(self, lines: int = _TAIL) -> str:
        """Return the last `lines` lines of the worker's log."""
        return "\n".join(self.log().splitlines()[-lines:])

    def kill(self) -> None:
        """Kill the worker and its work horse at once (SIGKILL), mid-job if a job runs: nothing gets to clean up."""
        self.stop(graceful=False)

    def stop(self, timeout: float = 5.0, graceful: bool = True) -> None:
        """Stop the worker and everything it forked; idempotent.

        graceful=True sends SIGTERM first: both workers then finish the job they run (a warm shutdown)
        and exit; whatever is still alive after `timeout` s is killed.
        """
        _workers.discard(self.name, self)
        if self._stopped:
            return
        self._stopped = True
        if self._popen is not None:
            _stop_group(self._popen, timeout if graceful else 0.0)
        if self._log_path is not None:
            with contextlib.suppress(OSError):
                self._log_path.unlink()

    def __enter__(self) -> JobWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<JobWorker {self.name!r} {self.kind} {state} pid {self.pid}>"


def _stop_group(popen: subprocess.Popen, timeout: float) -> None:
    """SIGTERM the main process, wait `timeout`, then SIGKILL the whole group; 0 kills at once."""
    try:
        tree = [psutil.Process(popen.pid), *psutil.Process(popen.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        tree = []
    alive = tree
    if timeout > 0:
        with contextlib.suppress(ProcessLookupError):
            os.kill(popen.pid, signal.SIGTERM)  # the main process stops its own work horse
        _, alive = psutil.wait_procs(tree, timeout=timeout)
    for p in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, signal.SIGKILL)  # its own session: the group id is its pid
    psutil.wait_procs(alive, timeout=5.0)
    with contextlib.suppress(subprocess.TimeoutExpired):
        popen.wait(5.0)


try:  # loaded here, not in the forked child, where only async-signal-safe work belongs
    _LIBC: Any = ctypes.CDLL(None, use_errno=True)
except OSError:
    _LIBC = None


def _child_setup() -> None:
    # PR_SET_PDEATHSIG = 1: a kernel killed without running atexit still takes its workers with it.
    if _LIBC is not None and hasattr(_LIBC, "prctl"):
        _LIBC.prctl(1, signal.SIGKILL)


def _validate(name: Any, env: Any, deadline: Any) -> None:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(
            f"name must be 1-40 letters, digits, '_', '.', '-' starting with a letter or digit, got {name!r}"
        )
    if env is not None and not (
        isinstance(env, Mapping)
        and all(
            isinstance(k, str) and re.fullmatch(r"[A-Z_][A-Z0-9_]*", k) and isinstance(v, str) for k, v in env.items()
        )
    ):
        raise ValueError(f"env must map UPPER_CASE names to strings, got {env!r}")
    require_number("deadline", deadline, 0, 120, low_open=True, unit="seconds")


def _environment(env: Mapping[str, str] | None) -> dict[str, str]:
    full = {**os.environ, **(env or {})}
    # The worker imports the course's helpers (the job's function) from this folder, as the kernel does.
    full["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [full.get("PYTHONPATH")])])
    full["PYTHONUNBUFFERED"] = "1"
    return full


def _launch(name: str, kind: str, argv: list[str], env: Mapping[str, str] | None, marker: str, deadline: float):
    """Replace any worker called `name`, start `argv`, and wait until its log shows `marker`."""
    with _workers.lock:
        old = _workers.find(name)
        if old is not None:
            old.stop()
        worker = JobWorker(name, kind, argv)
        fd, log = tempfile.mkstemp(prefix=f"course-{name}-", suffix=".log")
        worker._log_path = Path(log)
        t0 = time.perf_counter()
        try:
            with os.fdopen(fd, "wb") as log_file:
                worker._popen = subprocess.Popen(
                    argv,
                    cwd=ROOT,
                    env=_environment(env),
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: stop() reaches the work horse too
                    preexec_fn=_child_setup,
                )
            end = time.monotonic() + deadline
            while marker not in worker.log():
                code = worker._popen.poll()
                if code is not None:
                    raise JobWorkerError(
                        f"{kind} worker {name!r} exited with code {code} while starting. "
                        f"It said:\n{worker.log_tail() or '(nothing)'}"
                    )
                if time.monotonic() > end:
                    raise JobWorkerError(
                        f"{kind} worker {name!r} was not listening within {deadline:g} s "
                        f"(a busy machine may need a longer deadline=). It said:\n{worker.log_tail() or '(nothing)'}"
                    )
                time.sleep(0.02)
        except BaseException:
            worker.stop(timeout=2.0)  # also on KeyboardInterrupt: never leave a half-started worker
            raise
        worker.started_in = time.perf_counter() - t0
        _workers.add(name, worker)
        return worker


def start_rq_worker(
    redis_url: str,
    name: str = "rq-worker",
    *,
    queue: str = QUEUE,
    env: Mapping[str, str] | None = None,
    deadline: float = DEFAULT_DEADLINE,
) -> JobWorker:
    """Start `rq worker` on `queue` of the Redis at `redis_url`; return once it listens.

    It takes one job at a time and runs each in a forked work horse, as RQ's docs describe
    (https://python-rq.org/docs/workers/). `env` is the jobs' environment (e.g. RECEIPTS_DB).
    """
    _validate(name, env, deadline)
    if not isinstance(redis_url, str) or not redis_url.startswith(("redis://", "unix://")):
        raise ValueError(f"redis_url must be a redis:// URL (Redis.url), got {redis_url!r}")
    argv = [sys.executable, "-m", "rq.cli", "worker", "--url", redis_url, "--logging_level", "INFO", queue]
    return _launch(name, "rq", argv, env, marker="Listening on", deadline=deadline)


def django_admin(*args: str, env: Mapping[str, str] | None = None, timeout: float = 60.0) -> str:
    """Run `django-admin ARGS` for the tasks project (e.g. "migrate") in a fresh process; return its output."""
    full = _environment(env)
    full["DJANGO_SETTINGS_MODULE"] = DJANGO_SETTINGS
    done = subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env=full,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise JobWorkerError(f"django-admin {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def start_db_worker(
    name: str = "db-worker",
    *,
    env: Mapping[str, str] | None = None,
    interval: float = 0.1,
    deadline: float = DEFAULT_DEADLINE,
) -> JobWorker:
    """Start django-tasks-db's `db_worker` for the tasks project; return once it runs.

    It polls the database for ready tasks every `interval` s and runs one at a time in its own process
    (https://github.com/RealOrangeOne/django-tasks-db#worker). `env` must name TASKS_DB, a migrated database.
    """
    _validate(name, env, deadline)
    require_number("interval", interval, 0.01, 60, unit="seconds")
    argv = [
        sys.executable,
        "-m",
        "django",
        "db_worker",
        "--settings",
        DJANGO_SETTINGS,
        "--interval",
        str(interval),
        "--no-startup-delay",
    ]
    return _launch(name, "django", argv, env, marker="Starting worker", deadline=deadline)


def list_workers() -> list[JobWorker]:
    """Return the job workers this kernel runs, oldest first."""
    return _workers.running()


def stop_workers() -> int:
    """Stop every job worker this kernel started; return how many."""
    return _workers.stop_all()


atexit.register(stop_workers)
