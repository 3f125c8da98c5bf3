"""The Django shop answers /items/<id> from PostgreSQL: the sync view under gunicorn gthread, the async one under uvicorn."""

from helpers.serving.processes import start_gunicorn, start_uvicorn
from tests.apps.stock_checks import POOL_SIZE, check_endpoint, check_pool_cap, env


def test_sync_view_under_gunicorn_gthread_answers_and_keeps_to_its_pool(shop_db):
    with start_gunicorn(
        "helpers.apps.stock_django.wsgi:application", "t-shop-django", threads=16, env=env(shop_db), ready_path="/"
    ) as srv:
        check_endpoint(srv, "/items")
        # 16 threads, 12 requests at once: the pool, not the threads, caps the connections.
        assert check_pool_cap(shop_db, srv, "/items") == POOL_SIZE


def test_async_view_under_uvicorn_answers_and_keeps_to_its_pool(shop_db):
    with start_uvicorn(
        "helpers.apps.stock_django.asgi:application", "t-shop-django-a", lifespan="off", env=env(shop_db)
    ) as srv:
        check_endpoint(srv, "/async/items")
        assert check_pool_cap(shop_db, srv, "/async/items") == POOL_SIZE
