"""Real concurrency scenarios: start a server in this kernel, calibrate the model, measure, stop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from helpers.concurrency.load import LoadResult, run_load
from helpers.concurrency.simulation import SimResult, simulate
from helpers.numbers import require_number


@dataclass(frozen=True)
class Scenario:
    """One server set-up, the endpoint it is loaded on, and the model that should predict it."""

    name: str
    description: str
    framework: str  # "Flask", "Django" or "FastAPI"
    server: str  # how it is served, e.g. "werkzeug, one request at a time"
    path: str  # the endpoint, without its ?ms= query
    model: dict[str, Any]  # keyword arguments for simulate(): mode, workers, threads, pool
    n: int = 20
    io_ms: int = 100
    cpu_ms: int = 0
    make_app: Callable[[], Any] = field(default=lambda: None, repr=False, compare=False)
    serve_options: dict[str, Any] = field(default_factory=dict)
    caveat: str = ""  # where the model is simpler than this server, so where it may miss


def _flask() -> Any:
    from helpers.apps.concurrency_flask import create_app

    return create_app()


def _fastapi() -> Any:
    from helpers.apps.concurrency_fastapi import app

    return app


def _django_wsgi() -> Any:
    from helpers.apps import concurrency_django
    from helpers.serving.django_kernel import wsgi_app

    concurrency_django.install()
    return wsgi_app()


def _django_asgi() -> Any:
    from helpers.apps import concurrency_django
    from helpers.serving.django_kernel import asgi_app

    concurrency_django.install()
    return asgi_app()


# A thread per request (werkzeug's threaded server) is a WSGI server with "enough" threads.
_MANY = {"mode": "wsgi", "workers": 1, "threads": 1000}

# Where the model is simpler than the real server: the likely cause when it misses.
_SERIAL = (
    "one request at a time: the sleeps are exact, so what is left is the per-request overhead, "
    "calibrated a moment earlier and never quite the same twice"
)
_THREADS_WAKE = (
    "many threads wake from their sleeps at about the same moment and queue for the GIL; one that "
    "wakes while another holds it may wait a whole switch interval before it runs, which the model "
    "leaves out"
)
_LOOP_AFTER = (
    "the model puts each request's overhead before its wait; the loop really sends the responses "
    "after the waits end, one after another, so the last ones queue behind the others"
)
_DEF_HOP = (
    "each call hops from the loop to a worker thread and back through the loop: two hand-offs that "
    "the model counts as one block of overhead"
)
_DEF_ROUNDS = (
    "the model gives a freed thread to the next request at once; in the server, a finished call's "
    "result first goes back through the event loop, which is busy sending the first 40 responses, "
    "before the limiter lets the 41st request into a thread, so the second round starts late"
)
_DJANGO_ASGI = (
    "Django's ASGI handler runs parts of every request (its request_started and request_finished "
    "signals) in threads through asgiref: hand-offs through the loop that the model counts as one "
    "block of overhead before the wait"
)
_FLASK_ASYNC = (
    "Flask runs each async view in an event loop started for that one request (asgiref's "
    "async_to_sync): a cost that varies from request to request"
)
_CPU = (
    "CPU-bound: calibrated one request at a time just before the run, but other programs on the machine "
    "(and the load's own client, in this same process) still change how fast it runs"
)

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in [
        Scenario(
            "flask-one-worker",
            "Flask, one WSGI worker, one thread: requests wait their turn",
            "Flask",
            "werkzeug threaded=False",
            "/io",
            {"mode": "wsgi", "workers": 1, "threads": 1},
            make_app=_flask,
            serve_options={"threaded": False},
            caveat=_SERIAL,
        ),
        Scenario(
            "flask-async-view",
            "Flask async def view, one worker: still one request at a time",
            "Flask",
            "werkzeug threaded=False",
            "/async-io",
            {"mode": "wsgi", "workers": 1, "threads": 1},
            n=5,
            make_app=_flask,
            serve_options={"threaded": False},
            caveat=_FLASK_ASYNC,
        ),
        Scenario(
            "flask-threaded",
            "Flask, a thread per request: waits overlap",
            "Flask",
            "werkzeug threaded=True",
            "/io",
            _MANY,
            make_app=_flask,
            caveat=_THREADS_WAKE,
        ),
        Scenario(
            "django-wsgi",
            "Django sync view under WSGI, a thread per request",
            "Django",
            "werkzeug threaded=True",
            "/concurrency/io",
            _MANY,
            make_app=_django_wsgi,
            caveat=_THREADS_WAKE,
        ),
        Scenario(
            "fastapi-async",
            "FastAPI async def that awaits its I/O: the loop interleaves",
            "FastAPI",
            "uvicorn",
            "/io",
            {"mode": "async"},
            make_app=_fastapi,
            caveat=_LOOP_AFTER,
        ),
        Scenario(
            "fastapi-blocking",
            "FastAPI async def that calls time.sleep: the loop is stuck",
            "FastAPI",
            "uvicorn",
            "/blocking",
            {"mode": "blocking"},
            make_app=_fastapi,
            caveat=_SERIAL,
        ),
        Scenario(
            "fastapi-def",
            "FastAPI plain def: runs in the 40-thread pool",
            "FastAPI",
            "uvicorn",
            "/sync-io",
            {"mode": "threadpool", "pool": 40},
            make_app=_fastapi,
            caveat=_DEF_HOP,
        ),
        Scenario(
            "fastapi-def-60",
            "FastAPI plain def with 60 requests: past the 40 threads",
            "FastAPI",
            "uvicorn",
            "/sync-io",
            {"mode": "threadpool", "pool": 40},
            n=60,
            make_app=_fastapi,
            caveat=_DEF_ROUNDS,
        ),
        Scenario(
            "django-asgi",
            "Django async view under ASGI: the loop interleaves",
            "Django",
            "uvicorn",
            "/concurrency/async-io",
            {"mode": "async"},
            make_app=_django_asgi,
            caveat=_DJANGO_ASGI,
        ),
        Scenario(
            "flask-threaded-cpu",
            "Flask threaded, CPU-bound handler: the GIL serialises it",
            "Flask",
            "werkzeug threaded=True",
            "/cpu",
            _MANY,
            n=10,
            io_ms=0,
            cpu_ms=20,
            make_app=_flask,
            caveat=_CPU,
        ),
        Scenario(
            "fastapi-async-cpu",
            "FastAPI async def, CPU-bound handler: nothing to await",
            "FastAPI",
            "uvicorn",
            "/cpu",
            {"mode": "async"},
            n=10,
            io_ms=0,
            cpu_ms=20,
            make_app=_fastapi,
            caveat=_CPU,
        ),
    ]
}


@dataclass
class Measurement:
    """A scenario measured for real next to the calibrated model's prediction."""

    scenario: Scenario
    n: int
    overhead: float  # seconds of serialised work per request, calibrated on this machine
    predicted: SimResult
    load: LoadResult

    @property
    def predicted_makespan(self) -> float:
        return self.predicted.makespan

    @property
    def measured_makespan(self) -> float:
        return self.load.makespan

    @property
    def predicted_p95(self) -> float:
        return self.predicted.percentile(95)

    @property
    def measured_p95(self) -> float:
        return self.load.percentile(95)

    @property
    def error(self) -> float:
        """Return (measured - predicted) / predicted makespan."""
        return (self.measured_makespan - self.predicted_makespan) / self.predicted_makespan

    def row(self) -> list[Any]:
        """Return a table row: scenario, predicted, measured (seconds), error (relative, then in ms)."""
        return [
            self.scenario.name,
            round(self.predicted_makespan, 3),
            round(self.measured_makespan, 3),
            f"{self.error:+.0%}",
            round((self.measured_makespan - self.predicted_makespan) * 1000),
        ]


def calibrate(server: Any, path: str, n: int) -> float:
    """Return the serialised cost of one request (seconds): n concurrent zero-wait requests / n."""
    # A zero-wait request is pure overhead: client, sockets, parsing, routing, serialising.
    # It all runs in this one process under one GIL, so it adds up rather than overlapping.
    run_load(server.url, f"{path}?ms=0", n)  # warm up: imports, thread pools, connections
    # The best of two runs: other processes on the machine only ever add time.
    return min(run_load(server.url, f"{path}?ms=0", n).makespan for _ in range(2)) / n


def calibrate_cpu(server: Any, path: str, ms: int) -> float:
    """Return the wall time (s) that `ms` of handler CPU takes now: one request at a time, minus a zero one."""

    # Other programs on the machine slow CPU work down, but not sleeps: measure it as it is now.
    def best(query_ms: int) -> float:
        with server.client(timeout=30) as client:
            return min(client.get(f"{path}?ms={query_ms}").elapsed.total_seconds() for _ in range(3))

    return max(best(ms) - best(0), 0.0)


def measure(name: str, n: int | None = None, *, progress: bool = False) -> Measurement:
    """Start scenario `name`'s server, calibrate the model, fire the load, stop the server."""
    from helpers.serving.servers import serve

    if name not in SCENARIOS:
        raise ValueError(f"name must be one of {', '.join(SCENARIOS)}, got {name!r}")
    sc = SCENARIOS[name]
    n = sc.n if n is None else n
    require_number("n", n, 1, 200, integer=True)
    with serve(sc.make_app(), f"scenario-{name}", ready_path=f"{sc.path}?ms=0", **sc.serve_options) as server:
        overhead = calibrate(server, sc.path, n)
        cpu = calibrate_cpu(server, sc.path, sc.cpu_ms) if sc.cpu_ms else 0.0
        ms = sc.cpu_ms if sc.cpu_ms else sc.io_ms
        timeout = 10 + 2 * n * (sc.io_ms + sc.cpu_ms) / 1000
        load = run_load(server.url, f"{sc.path}?ms={ms}", n, timeout=timeout, progress=progress)
    if not load.ok:
        raise RuntimeError(f"scenario {name!r}: some requests failed: {sorted(set(load.statuses))}")
    predicted = simulate(n=n, io=sc.io_ms / 1000, cpu=cpu, overhead=overhead, label=sc.description, **sc.model)
    return Measurement(sc, n, overhead, predicted, load)


def measure_all(names: list[str] | None = None) -> dict[str, Measurement]:
    """Measure several scenarios one after the other (they must not share the CPU)."""
    return {name: measure(name) for name in (names or list(SCENARIOS))}
