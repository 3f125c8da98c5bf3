"""Load: FastAPI takes 1,000 concurrent requests and threaded Flask 200; every id comes back once.

Each app holds every request until all N are inside the server at once (an
asyncio.Event for FastAPI, a threading.Barrier for Flask), so "concurrent" is
a property the test proves, not a hope; a server that can't hold N at once
fails with a 503 instead of passing slowly. No timed asserts.
"""

from __future__ import annotations

import asyncio
import collections
import resource
import threading

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from flask import Flask

from helpers import serve

HOLD_TIMEOUT = 45.0  # seconds an app waits for the rest of the crowd before giving up (503)
CLIENT_TIMEOUT = 90.0
POOL = 50  # httpx's pool gets superlinearly slower with size: many small pools instead of one big one


@pytest.fixture
def enough_file_descriptors():
    """Each request holds a client and a server socket in this process: make room for both."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * 1000 + 256
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            pytest.skip(f"needs {need} file descriptors, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def fastapi_crowd(n: int, drop: int | None = None) -> FastAPI:
    """An app that answers /echo/{rid} only once n requests are in flight together."""
    app = FastAPI()
    state = {"inside": 0, "event": None}

    @app.get("/echo/{rid}")
    async def echo(rid: int):
        if state["event"] is None:
            state["event"] = asyncio.Event()
        state["inside"] += 1
        if state["inside"] >= n:
            state["event"].set()
        try:
            await asyncio.wait_for(state["event"].wait(), HOLD_TIMEOUT)
        except TimeoutError:
            return JSONResponse({"error": f"only {state['inside']} of {n} arrived"}, status_code=503)
        if rid == drop:  # a deliberately broken server: answers with someone else's id
            rid = rid + 1
        return {"id": rid}

    return app


def flask_crowd(n: int, hold_timeout: float = HOLD_TIMEOUT) -> Flask:
    """An app whose handler threads wait at a barrier until n requests are in flight together."""
    app = Flask("crowd")
    barrier = threading.Barrier(n, timeout=hold_timeout)

    @app.get("/echo/<int:rid>")
    def echo(rid: int):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return {"error": f"only {barrier.n_waiting} of {n} arrived"}, 503
        return {"id": rid}

    return app


async def fire(url: str, n: int) -> list[tuple[int, int, object]]:
    """Send GET /echo/0..n-1 all at once; return (sent id, status, returned id or error)."""
    clients = [
        httpx.AsyncClient(
            base_url=url,
            timeout=CLIENT_TIMEOUT,
            limits=httpx.Limits(max_connections=POOL, max_keepalive_connections=POOL),
        )
        for _ in range((n + POOL - 1) // POOL)
    ]
    try:
        responses = await asyncio.gather(
            *(clients[i // POOL].get(f"/echo/{i}") for i in range(n)), return_exceptions=True
        )
    finally:
        for c in clients:
            await c.aclose()
    out = []
    for i, r in enumerate(responses):
        if isinstance(r, Exception):
            out.append((i, -1, repr(r)))
        else:
            out.append((i, r.status_code, r.json().get("id", r.text)))
    return out


def problems(results: list[tuple[int, int, object]], n: int) -> list[str]:
    """Say what is wrong: errors, ids answered to the wrong request, ids lost or returned twice."""
    found = [f"request {i}: status {status} {body}" for i, status, body in results if status != 200][:5]
    found += [f"request {i} got id {body}" for i, status, body in results if status == 200 and body != i][:5]
    counts = collections.Counter(body for _, status, body in results if status == 200)
    found += [f"id {i} came back {counts[i]} times" for i in range(n) if counts[i] != 1][:5]
    return found


def test_fastapi_takes_1000_concurrent_requests_and_answers_each_id_once(no_leaks, enough_file_descriptors):
    n = 1000
    with serve(fastapi_crowd(n), "t-load-fastapi", ready_path="/docs") as srv:
        results = asyncio.run(fire(srv.url, n))
    assert problems(results, n) == []


def test_threaded_flask_takes_200_concurrent_requests_and_answers_each_id_once(no_leaks):
    n = 200
    with serve(flask_crowd(n), "t-load-flask", ready_path="/nothing-here") as srv:
        results = asyncio.run(fire(srv.url, n))
    assert problems(results, n) == []


def test_the_id_check_catches_a_server_that_mixes_up_answers(no_leaks):
    """The load tests can fail: a server that answers one request with another's id is caught."""
    n = 20
    with serve(fastapi_crowd(n, drop=7), "t-load-broken", ready_path="/docs") as srv:
        results = asyncio.run(fire(srv.url, n))
    found = problems(results, n)
    assert "request 7 got id 8" in found and "id 7 came back 0 times" in found and "id 8 came back 2 times" in found


def test_a_server_that_cannot_hold_the_crowd_fails_instead_of_passing_slowly(no_leaks):
    """A single-threaded WSGI server can't hold 5 requests at once: the barrier breaks, 503s come back."""
    n = 5
    with serve(flask_crowd(n, hold_timeout=1.0), "t-load-serial", threaded=False, ready_path="/nothing-here") as srv:
        results = asyncio.run(fire(srv.url, n))
    # The first request waits for four that can't get in, gives up; so does each after it.
    assert problems(results, n) and all(status == 503 for _, status, _ in results)
