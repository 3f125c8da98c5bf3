"""The FastAPI shop with a sync Session in `def` endpoints answers /items/{id} from PostgreSQL under uvicorn."""

from helpers.serving.processes import start_uvicorn
from tests.apps.stock_checks import POOL_SIZE, check_endpoint, check_pool_cap, env


def test_under_uvicorn_it_answers_validates_and_keeps_to_its_pool(shop_db):
    with start_uvicorn("helpers.apps.stock_fastapi_sync:app", "t-shop-fastapi-s", env=env(shop_db)) as srv:
        check_endpoint(srv, "/items")
        assert srv.get("/items/1", params={"wait_ms": -1}).status_code == 422
        # 12 requests in AnyIO's threads (40 of them): the pool, not the threads, caps the connections.
        assert check_pool_cap(shop_db, srv, "/items") == POOL_SIZE


def test_past_its_40_threads_with_a_smaller_pool_it_starves_its_own_pool(shop_db):
    # Measured while building the apps: each request's Session is closed by the `yield` dependency's exit,
    # which FastAPI also runs in the 40-thread pool. With more requests than threads, every thread can be
    # an endpoint waiting for a connection while the sessions holding the connections wait for a thread:
    # nothing moves until the pool's timeout, and those requests fail with SQLAlchemy's TimeoutError.
    from helpers.concurrency.loadgen import run_load

    starved = {**env(shop_db), "DB_POOL_TIMEOUT": "2"}
    with start_uvicorn("helpers.apps.stock_fastapi_sync:app", "t-shop-fastapi-s", env=starved) as srv:
        below = run_load(srv.url, "/items/1", connections=30, requests=30, progress=False, timeout=20)
        above = run_load(srv.url, "/items/1", connections=80, requests=80, progress=False, timeout=20)
        log = srv.stderr_tail(40)
    assert (below.ok, below.errors) == (30, {})
    assert above.ok < 80 and above.errors.get("status 500", 0) > 0, above.errors
    assert "QueuePool limit of size 3 overflow 0 reached" in log
