"""Fan-out with Flask: the same calls one after another, or concurrently with threads."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from flask import Flask, request


def _n() -> int:
    n = request.args.get("n", 5, type=int)
    if not 1 <= n <= 50:
        raise ValueError("n must be from 1 to 50")
    return n


def create_app(backend_url: str, timeout: float = 5.0) -> Flask:
    """Build an app whose endpoints call `backend_url`/item/{i} for i in range(n)."""
    app = Flask("fanout")
    # One thread-safe client for the app's lifetime: its connection pool is shared by all requests.
    client = httpx.Client(base_url=backend_url, timeout=timeout, limits=httpx.Limits(max_connections=100))

    @app.errorhandler(ValueError)
    def bad_request(exc: ValueError):
        return {"error": str(exc)}, 400

    @app.get("/sequential")
    def sequential():
        n, start = _n(), time.perf_counter()
        items = [client.get(f"/item/{i}").json() for i in range(n)]
        return {"items": items, "seconds": time.perf_counter() - start}

    @app.get("/concurrent")
    def concurrent():
        n, start = _n(), time.perf_counter()
        # Threads overlap I/O waits too: no event loop needed for a handful of calls.
        with ThreadPoolExecutor(n) as pool:
            items = list(pool.map(lambda i: client.get(f"/item/{i}").json(), range(n)))
        return {"items": items, "seconds": time.perf_counter() - start}

    return app
