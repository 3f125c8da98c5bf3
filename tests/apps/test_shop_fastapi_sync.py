"""The FastAPI shop with a sync Session in `def` endpoints answers /items/{id} from PostgreSQL under uvicorn."""

from helpers.serving.processes import start_uvicorn
from tests.apps.shop_checks import POOL_SIZE, check_endpoint, check_pool_cap, env


def test_under_uvicorn_it_answers_validates_and_keeps_to_its_pool(shop_db):
    with start_uvicorn("helpers.apps.shop_fastapi_sync:app", "t-shop-fastapi-s", env=env(shop_db)) as srv:
        check_endpoint(srv, "/items")
        assert srv.get("/items/1", params={"wait_ms": -1}).status_code == 422
        # 12 requests in AnyIO's threads (40 of them): the pool, not the threads, caps the connections.
        assert check_pool_cap(shop_db, srv, "/items") == POOL_SIZE
