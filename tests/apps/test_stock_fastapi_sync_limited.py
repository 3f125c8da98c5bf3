"""FastAPI's def shop with its session dependency limited to the pool (max_concurrency) never starves its pool."""

from helpers.concurrency.loadgen import run_load
from helpers.serving.processes import start_uvicorn
from tests.apps.stock_checks import POOL_SIZE, check_endpoint, check_pool_cap, env


def test_under_uvicorn_it_answers_validates_and_keeps_to_its_pool(shop_db):
    with start_uvicorn("helpers.apps.stock_fastapi_sync_limited:app", "t-shop-fastapi-l", env=env(shop_db)) as srv:
        check_endpoint(srv, "/items")
        assert srv.get("/items/1", params={"wait_ms": -1}).status_code == 422
        assert check_pool_cap(shop_db, srv, "/items") == POOL_SIZE


def test_past_its_40_threads_with_a_smaller_pool_every_request_is_answered(shop_db):
    # The load that starves stock_fastapi_sync (test_stock_fastapi_sync.py): 80 at once, a pool of 3, 2 s to wait.
    limited = {**env(shop_db), "DB_POOL_TIMEOUT": "2"}
    with start_uvicorn("helpers.apps.stock_fastapi_sync_limited:app", "t-shop-fastapi-l", env=limited) as srv:
        above = run_load(srv.url, "/items/1", connections=80, requests=80, progress=False, timeout=20)
    assert (above.ok, above.errors) == (80, {})
