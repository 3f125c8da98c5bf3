"""The FastAPI shop with AsyncSession (psycopg 3 async) answers /items/{id} from PostgreSQL under uvicorn."""

from helpers.serving.processes import start_uvicorn
from tests.apps.stock_checks import POOL_SIZE, check_endpoint, check_pool_cap, env


def test_under_uvicorn_it_answers_validates_and_keeps_to_its_pool(shop_db):
    with start_uvicorn("helpers.apps.stock_fastapi_async:app", "t-shop-fastapi-a", env=env(shop_db)) as srv:
        check_endpoint(srv, "/items")
        assert srv.get("/items/1", params={"wait_ms": 60_000}).status_code == 422  # longer than WAIT_MS_MAX
        # One event loop, 12 requests awaiting at once: they share the pool's 3 connections.
        assert check_pool_cap(shop_db, srv, "/items") == POOL_SIZE
