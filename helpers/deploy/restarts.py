"""Restart a server's workers under steady load, and count the requests that failed meanwhile.

    r = restart_under_load("gunicorn-hup")     # SIGHUP to gunicorn's master mid-run
    r.failed, r.errors, r.replaced             # 0 failed, {}, True: every worker replaced

Kinds (`KINDS` says what each does):
- "gunicorn-hup": gunicorn, sync workers. HUP makes the master start new workers, then gracefully stop the
  old ones: "Send HUP to the master process for a graceful reload" (https://gunicorn.org/faq/, and
  https://docs.gunicorn.org/en/stable/signals.html). Promised: no failed request.
- "gunicorn-hup-gthread": the same with gthread workers, which keep connections alive between requests.
- "uvicorn-hup": `uvicorn --workers 2`. Since uvicorn 0.51 its supervisor restarts workers one at a time on
  SIGHUP, "bringing each replacement up before retiring the old worker, so reloads no longer drop requests"
  (uvicorn's release notes for 0.51.0, https://www.uvicorn.org/release-notes/; the installed 0.54's
  `uvicorn.supervisors.multiprocess.Multiprocess.restart_all` does just that). `uvicorn --workers` is how
  FastAPI's docs run several processes (https://fastapi.tiangolo.com/deployment/server-workers/). `--reload` is
  something else: it watches files in development and runs one worker. Promised: no failed request.
- "uvicorn-kill-worker": SIGKILL to one of uvicorn's workers, a crash: the supervisor starts a new one, but the
  requests that worker held are lost. Nothing is promised; the count is what a crash costs.

The load comes from client processes (`helpers.concurrency.loadgen`): `connections` connections, each sending
GET `path` one after another, every request with a timeout. A request fails when its connection is refused,
reset or closed before the whole answer came, when it times out, or when the answer is not 2xx.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import psutil

from helpers.concurrency.loadgen import start_load
from helpers.numbers import require_number
from helpers.serving.processes import ServerProcess, start_gunicorn, start_uvicorn

KINDS = {
    "gunicorn-hup": "gunicorn, 2 sync workers, SIGHUP to the master (graceful reload)",
    "gunicorn-hup-gthread": "gunicorn, 2 gthread workers x 4 threads, SIGHUP to the master (graceful reload)",
    "uvicorn-hup": "uvicorn --workers 2, SIGHUP to the supervisor (workers replaced one at a time)",
    "uvicorn-kill-worker": "uvicorn --workers 2, SIGKILL to one worker (a crash; the supervisor starts another)",
}
PROMISES_ZERO = {"gunicorn-hup": True, "gunicorn-hup-gthread": True, "uvicorn-hup": True, "uvicorn-kill-worker": False}
WORKERS = 2
SIGNAL_AT = 0.35  # fraction of the run after which the signal is sent
REPLACE_DEADLINE = 15.0  # seconds to wait for every old worker to be gone and as many new ones serving


@dataclass
class RestartResult:
    """Requests sent under load across one restart, and whether the workers were all replaced."""

    kind: str
    description: str
    requests: int
    ok: int
    errors: dict[str, int]  # failed requests by kind: "refused", "dropped", "timeout", "status 502", ...
    replaced: bool  # every old worker gone and as many new ones running, when the load ended
    replace_seconds: float  # from the signal until the workers were all replaced (nan if they weren't)
    old_workers: list[int] = field(default_factory=list)
    new_workers: list[int] = field(default_factory=list)
    promises_zero: bool = False  # the server's docs promise no failed request for this kind

    @property
    def failed(self) -> int:
        """Return how many requests failed."""
        return sum(self.errors.values())

    def as_dict(self) -> dict[str, Any]:
        """Return the result as plain data, with `failed`."""
        return {**asdict(self), "failed": self.failed}


def workers_of(server: ServerProcess) -> list[int]:
    """Return the pids of the server's worker processes (its master's children, minus multiprocessing's helpers)."""
    try:
        children = psutil.Process(server.pid).children()
    except psutil.NoSuchProcess:
        return []
    pids = []
    for child in children:
        try:
            if child.status() == psutil.STATUS_ZOMBIE or "resource_tracker" in " ".join(child.cmdline()):
                continue
        except psutil.NoSuchProcess:
            continue
        pids.append(child.pid)
    return sorted(pids)


def _start(kind: str) -> ServerProcess:
    if kind.startswith("gunicorn"):
        threads = 4 if kind == "gunicorn-hup-gthread" else 1
        # --graceful-timeout is 1 s here (helpers.serving.processes): far longer than one request of `path`.
        return start_gunicorn(
            "helpers.apps.serving_flask:app", "deploy-restart", workers=WORKERS, threads=threads, ready_path="/json"
        )
    return start_uvicorn("helpers.apps.serving_fastapi:app", "deploy-restart", workers=WORKERS, ready_path="/json")


def _wait_replaced(server: ServerProcess, victims: list[int], end: float) -> tuple[bool, list[int]]:
    """Wait until no victim is left, WORKERS workers run, and each replacement said it is serving."""
    marker = "Application startup complete" if server.server.startswith("uvicorn") else "Booting worker with pid"
    wanted = WORKERS + len(victims)  # the first workers' lines, then one per replacement
    while True:
        now = workers_of(server)
        if len(now) == WORKERS and not set(now) & set(victims) and _count(server, marker) >= wanted:
            return True, now
        if time.monotonic() >= end:
            return False, now
        time.sleep(0.05)


def _count(server: ServerProcess, marker: str) -> int:
    try:
        return server._log_path.read_text(errors="replace").count(marker)
    except (OSError, AttributeError):
        return 0


def restart_under_load(
    kind: str = "gunicorn-hup",
    *,
    seconds: float = 3.0,
    connections: int = 4,
    path: str = "/io?ms=20",
    request_timeout: float = 5.0,
) -> RestartResult:
    """Start the server for `kind`, load it for `seconds`, restart its workers a third of the way in; count failures.

    The server is stopped before this returns. Requests of `path` take about 20 ms, so some are always in
    flight when the signal arrives.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
    require_number("seconds", seconds, 1, 30, unit="seconds")
    require_number("connections", connections, 1, 64, integer=True)
    require_number("request_timeout", request_timeout, 0.5, 30, unit="seconds")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"path must start with '/', got {path!r}")
    server = _start(kind)
    try:
        old = workers_of(server)
        run = start_load(server.url, path, connections=connections, seconds=seconds, timeout=request_timeout)
        try:
            time.sleep(seconds * SIGNAL_AT)
            signalled = time.monotonic()
            if kind == "uvicorn-kill-worker":
                os.kill(old[0], signal.SIGKILL)
                victims = old[:1]
            else:
                os.kill(server.pid, signal.SIGHUP)
                victims = old
            replaced, new = _wait_replaced(server, victims, signalled + REPLACE_DEADLINE)
            took = time.monotonic() - signalled if replaced else float("nan")
            load = run.wait()
        finally:
            run.stop()
        return RestartResult(
            kind=kind,
            description=KINDS[kind],
            requests=load.requests,
            ok=load.ok,
            errors=load.errors,
            replaced=replaced,
            replace_seconds=round(took, 3),
            old_workers=old,
            new_workers=new,
            promises_zero=PROMISES_ZERO[kind],
        )
    finally:
        server.stop()
