"""Flask endpoints for the concurrency notebook: wait on I/O, burn CPU, or await inside a WSGI worker."""

import asyncio
import time

from flask import Flask, request

MAX_MS = 5000  # a typo like ms=100000 should not hang a notebook cell for minutes


def wanted_ms() -> int:
    """Read the `ms` query parameter, clamped to [0, MAX_MS]."""
    return min(max(request.args.get("ms", default=100, type=int), 0), MAX_MS)


def burn_cpu(seconds: float) -> None:
    """Spin in pure Python for `seconds` of this thread's CPU time: work that holds the GIL."""
    # thread_time, not the wall clock: while other threads hold the GIL this thread's
    # clock stops, so every request really does `seconds` of work.
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def create_app() -> Flask:
    """Build the Flask app: /io sleeps, /cpu spins, /async-io awaits (still one worker per request)."""
    app = Flask(__name__)

    @app.get("/io")
    def io():
        ms = wanted_ms()
        time.sleep(ms / 1000)  # stands in for a database or an HTTP call: the thread just waits
        return {"framework": "Flask", "waited_ms": ms}

    @app.get("/cpu")
    def cpu():
        ms = wanted_ms()
        burn_cpu(ms / 1000)
        return {"framework": "Flask", "computed_ms": ms}

    @app.get("/async-io")
    async def async_io():
        # Flask runs this coroutine to completion inside the worker thread that took the
        # request, so the worker stays busy for the whole wait: async def buys nothing here.
        ms = wanted_ms()
        await asyncio.sleep(ms / 1000)
        return {"framework": "Flask", "awaited_ms": ms}

    return app
