"""Hold N mostly idle connections against a server process; read its memory, threads and a probe's latency.

Each step adds connections whose request waits `wait_s` seconds on the server (a long poll),
then reads the server's resident memory, threads and open files over its whole process tree, the
connections still waiting in its listen queue (the backlog), and times one small extra request
(the probe) sent while they all wait. `waiting_setups()` lists the set-ups a chooser would compare.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from helpers.concurrency.loadgen import LoadRun, start_load
from helpers.numbers import require_number
from helpers.serving.processes import ServerProcess, start_gunicorn, start_uvicorn

MAX_WAITING = 5000
PROBE_TIMEOUT = 1.0  # seconds one more request may take before it counts as unanswered
# waiting_setups()' five set-ups, in order, by the short names the verdicts and exercise 03.2 use.
SHORT_NAMES = ("gthread", "gevent", "FastAPI async def", "FastAPI def", "Django async")


@dataclass
class WaitingPoint:
    """The server's state with `waiting` connections held open."""

    waiting: int
    rss_mib: float
    threads: int
    probe_s: float  # the probe's latency; `probe_timeout` if it got no answer in time
    probe_answered: bool
    fds: int = 0  # file descriptors open in the server's tree: one per accepted connection, plus its own
    queued: int | None = None  # connections in the listen queue, not yet accepted (None: unknown)
    fd_limit: int = -1  # the server's soft limit on open files, which caps the connections it can accept


def _probe(server: ServerProcess, path: str, timeout: float) -> tuple[float, bool]:
    # http.client, not httpx: building an httpx client costs ~20 ms, more than the answer itself.
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        ok = response.status == 200
    except (OSError, http.client.HTTPException):
        ok = False
    finally:
        conn.close()
    return (time.perf_counter() - t0 if ok else timeout), ok


def hold_connections(
    server: ServerProcess,
    steps: list[int],
    *,
    wait_path: str = "/io?ms={ms}",
    wait_s: float = 20.0,
    probe_path: str = "/json",
    probe_timeout: float = PROBE_TIMEOUT,
    settle_s: float = 0.3,
    open_deadline: float = 30.0,
) -> list[WaitingPoint]:
    """Measure `server` with 0, then each of `steps` (rising totals) connections waiting; release them at the end."""
    if not isinstance(server, ServerProcess) or not server.running:
        raise ValueError(f"server must be a running ServerProcess, got {server!r}")
    if not isinstance(steps, (list, tuple)) or not steps:
        raise ValueError(f"steps must be a non-empty list of rising connection counts, got {steps!r}")
    previous = 0
    for n in steps:
        require_number("each step", n, previous + 1, MAX_WAITING, integer=True)
        previous = n
    require_number("wait_s", wait_s, 1, 120, unit="seconds")
    require_number("probe_timeout", probe_timeout, 0, 30, low_open=True, unit="seconds")
    require_number("settle_s", settle_s, 0, 10, unit="seconds")
    require_number("open_deadline", open_deadline, 0, 120, low_open=True, unit="seconds")
    path = wait_path.format(ms=int(wait_s * 1000))
    runs: list[LoadRun] = []
    points = []
    try:
        _probe(server, probe_path, probe_timeout)  # warm the probe's path once
        points.append(_point(server, 0, probe_path, probe_timeout))
        held = 0
        for n in steps:
            # One client process per step: each holds its share of connections, each with one request waiting.
            run = start_load(server.url, path, connections=n - held, timeout=wait_s + 30)
            runs.append(run)
            # A full listen queue leaves new connections unanswered (the kernel drops their SYN and the
            # client retries): after `open_deadline` the step is measured with the ones that got through.
            run.wait_sent(deadline=open_deadline)
            held = n
            _drain(server, open_deadline)  # let the server accept what it will
            time.sleep(settle_s)  # and start their handlers
            points.append(_point(server, n, probe_path, probe_timeout))
    finally:
        for run in runs:
            run.stop()
    return points


def _drain(server: ServerProcess, deadline: float, stuck_s: float = 1.0, still_s: float = 0.3) -> None:
    """Wait until the listen queue is empty, or has not shrunk for `stuck_s` (the server's cap), or `deadline`;
    then until its open files and threads have not grown for `still_s`: it has taken in what it will."""
    end = time.monotonic() + deadline
    best, since = server.listen_queue(), time.monotonic()
    while best and time.monotonic() < end and time.monotonic() - since < stuck_s:
        time.sleep(0.1)
        queued = server.listen_queue()
        if queued is None or queued < best:
            best, since = queued, time.monotonic()
    # An empty queue is not the end: a server that starts a thread per request (Django's ASGI handler) can
    # still be accepting connections and starting their requests' threads, thousands of them, seconds later.
    most, since = (server.fd_count(), server.thread_count()), time.monotonic()
    while time.monotonic() < end and time.monotonic() - since < still_s:
        time.sleep(0.1)
        now = (server.fd_count(), server.thread_count())
        if now[0] > most[0] or now[1] > most[1]:
            most, since = (max(now[0], most[0]), max(now[1], most[1])), time.monotonic()


def _point(server: ServerProcess, waiting: int, probe_path: str, probe_timeout: float) -> WaitingPoint:
    # Read the server's state before the probe adds a connection of its own.
    rss, threads, fds, queued = server.rss() / 2**20, server.thread_count(), server.fd_count(), server.listen_queue()
    probe_s, answered = _probe(server, probe_path, probe_timeout)
    return WaitingPoint(waiting, rss, threads, probe_s, answered, fds, queued, server.fd_limit())


@dataclass(frozen=True)
class WaitingSetup:
    """One server a chooser would use for many waiting connections: how to start it, what to wait on and probe."""

    label: str
    start: Callable[[str], ServerProcess]  # start(name) -> a running server
    wait_path: str  # the path each held request waits on, with {ms}
    probe_path: str  # the extra request timed at each step: the same kind of handler as the waiting ones
    limit: str  # what should cap it, in words: each cell and test checks it against the measurement


def waiting_setups(max_connections: int = MAX_WAITING) -> list[WaitingSetup]:
    """Return the five set-ups: gthread, gevent, FastAPI async def and def, Django async under uvicorn."""
    flask, fastapi, django = (
        "helpers.apps.serving_flask:app",
        "helpers.apps.serving_fastapi:app",
        "helpers.apps.serving_django_project:asgi",
    )
    uvicorn = partial(start_uvicorn, workers=1, ready_path="/json")
    return [
        WaitingSetup(
            "Flask, gunicorn gthread 1 x 1000 threads",
            partial(start_gunicorn, flask, threads=1000, ready_path="/json"),
            "/io?ms={ms}",
            "/json",
            "gunicorn's worker_connections (1,000 by default): the rest wait in the listen queue",
        ),
        WaitingSetup(
            f"Flask, gunicorn gevent, worker_connections {2 * max_connections:,}",
            # Flask's docs, "Async with Gevent": a greenlet per connection; gunicorn caps them per worker, so
            # the cap is set past the most held here, with room for the probe (at exactly the most held, the
            # probe is one connection too many and waits: the cap, not gevent).
            partial(
                start_gunicorn,
                flask,
                worker_class="gevent",
                worker_connections=2 * max_connections,
                ready_path="/json",
            ),
            "/io?ms={ms}",
            "/json",
            "worker_connections, set here to twice the most this notebook holds",
        ),
        WaitingSetup(
            "FastAPI async def, uvicorn",
            partial(uvicorn, fastapi),
            "/io?ms={ms}",
            "/json",
            "open files (the start raised the soft limit) and memory",
        ),
        WaitingSetup(
            "FastAPI def, uvicorn",
            partial(uvicorn, fastapi),
            "/io-def?ms={ms}",
            "/io-def?ms=0",  # a def route: it needs one of the pool's threads too
            "AnyIO's thread pool (40 threads by default): a def route waits for a free thread",
        ),
        WaitingSetup(
            "Django async view, uvicorn (ASGI)",
            partial(uvicorn, django, lifespan="off"),
            "/io-async?ms={ms}",
            "/json",
            "open files and memory, as long as the view awaits",
        ),
    ]


def fit_memory(points: list[WaitingPoint], up_to: int | None = None) -> tuple[float, float]:
    """Fit memory = base + slope x connections by least squares; return (base MiB, KiB per connection)."""
    pts = [p for p in points if up_to is None or p.waiting <= up_to]
    if len({p.waiting for p in pts}) < 2:
        raise ValueError("need points at two or more connection counts to fit a slope")
    mx = sum(p.waiting for p in pts) / len(pts)
    my = sum(p.rss_mib for p in pts) / len(pts)
    slope = sum((p.waiting - mx) * (p.rss_mib - my) for p in pts) / sum((p.waiting - mx) ** 2 for p in pts)
    return my - slope * mx, slope * 1024


def hold_setup(
    setup: WaitingSetup,
    steps: list[int],
    *,
    wait_s: float = 20.0,
    name: str = "waiting",
    open_deadline: float = 10.0,
) -> list[WaitingPoint]:
    """Start `setup`, hold `steps` waiting connections against it as `hold_connections` does, and stop it."""
    if not isinstance(setup, WaitingSetup):
        raise ValueError(f"setup must be one of waiting_setups(), got {setup!r}")
    server = setup.start(name)
    try:
        return hold_connections(
            server,
            steps,
            wait_path=setup.wait_path,
            wait_s=wait_s,
            probe_path=setup.probe_path,
            open_deadline=open_deadline,
        )
    finally:
        # Every held request's client is gone by now: nothing is left to finish, so no graceful wait.
        server.stop(graceful=False)
