"""Fan-out with FastAPI: one request calls several slow backends, one after another or all at once."""

from __future__ import annotations

import asyncio
import time

import httpx
from fastapi import FastAPI, Query


def create_app(backend_url: str, timeout: float = 5.0) -> FastAPI:
    """Build an app whose endpoints call `backend_url`/item/{i} for i in range(n)."""
    app = FastAPI(title="Fan-out (FastAPI)")
    # One client for the app's lifetime: its connection pool is reused, and making a client costs CPU.
    client = httpx.AsyncClient(base_url=backend_url, timeout=timeout, limits=httpx.Limits(max_connections=100))

    @app.get("/sequential")
    async def sequential(n: int = Query(5, ge=1, le=50)):
        start = time.perf_counter()
        items = [(await client.get(f"/item/{i}")).json() for i in range(n)]
        return {"items": items, "seconds": time.perf_counter() - start}

    @app.get("/concurrent")
    async def concurrent(n: int = Query(5, ge=1, le=50)):
        start = time.perf_counter()
        # gather: the event loop waits on all n backends at once.
        responses = await asyncio.gather(*(client.get(f"/item/{i}") for i in range(n)))
        return {"items": [r.json() for r in responses], "seconds": time.perf_counter() - start}

    return app


def create_backend(delay: float = 0.1) -> FastAPI:
    """Build a slow backend: each item takes `delay` seconds, like a database or remote API."""
    if not (isinstance(delay, (int, float)) and 0 <= delay <= 5):
        raise ValueError(f"delay must be from 0 to 5 seconds, got {delay!r}")
    backend = FastAPI(title="Slow backend")

    @backend.get("/item/{i}")
    async def item(i: int):
        await asyncio.sleep(delay)  # waiting, not computing: the loop serves others meanwhile
        return {"id": i}

    return backend
