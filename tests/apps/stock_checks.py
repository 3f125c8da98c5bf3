"""What every shop app must do, checked the same way against a real server process and a real PostgreSQL."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

POOL_SIZE = 3
BURST = 4 * POOL_SIZE  # concurrent requests, each waiting in the database


def env(db) -> dict[str, str]:
    """Return the environment a shop app reads: the database's URL and a small pool."""
    return {"DATABASE_URL": db.dsn, "DB_POOL_SIZE": str(POOL_SIZE), "DB_POOL_TIMEOUT": "30"}


def check_endpoint(srv, path: str) -> None:
    """GET /items/1 answers the item and the wait it asked for; a missing item is 404."""
    found = srv.get(f"{path}/1", params={"wait_ms": 20})
    assert found.status_code == 200, found.text
    assert found.json() == {"id": 1, "name": "item 1", "price_cents": 101, "stock": 3, "waited_ms": 20.0}
    assert srv.get(f"{path}/999").status_code == 404


def check_pool_cap(db, srv, path: str) -> int:
    """Send BURST requests at once, each waiting 300 ms in the database; return the most connections held.

    Every request must succeed, and the server must never hold more than DB_POOL_SIZE connections: the
    rest queue for the pool inside the app.
    """
    peak = 0
    with ThreadPoolExecutor(BURST) as pool:
        futures = [pool.submit(srv.get, f"{path}/2", params={"wait_ms": 300}) for _ in range(BURST)]
        while not all(f.done() for f in futures):
            peak = max(peak, db.held_connections())
            time.sleep(0.05)
        codes = [f.result().status_code for f in futures]
    assert codes == [200] * BURST
    assert 1 <= peak <= POOL_SIZE, peak
    # Not asserted here: that the server holds no connection once stopped. On CI's loaded lanes, 2 connections of
    # the FastAPI def app were still listed 60 s after its process group was killed (ci15, ci16; never on a quiet
    # machine, nor under two spinners). ServerProcess.stop's own tests and tests/services cover what stop leaves;
    # why PostgreSQL kept listing them is an open question for the database notebook (issue 29).
    return peak
