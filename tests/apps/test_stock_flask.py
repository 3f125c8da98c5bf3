"""The Flask shop (SQLAlchemy, sync Session) answers /items/<id> from PostgreSQL under gunicorn gthread."""

from helpers.serving.processes import start_gunicorn
from tests.apps.stock_checks import POOL_SIZE, check_endpoint, check_pool_cap, env


def test_under_gunicorn_gthread_it_answers_and_keeps_to_its_pool(shop_db):
    with start_gunicorn(
        "helpers.apps.stock_flask:create_app()", "t-shop-flask", threads=16, env=env(shop_db), ready_path="/"
    ) as srv:
        check_endpoint(srv, "/items")
        assert srv.get("/items/1", params={"wait_ms": "soon"}).status_code == 200  # a bad wait falls back to 50 ms
        assert check_pool_cap(shop_db, srv, "/items") == POOL_SIZE
