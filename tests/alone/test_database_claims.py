"""Notebook 06's throughput claims, which need the machine's cores to themselves: the pool is the ceiling, async
neither lifts it nor answers faster below it, a larger pool serves more, and the async ORM's hop is cheap.

CI runs tests/alone after its lanes, with nothing else running; with too little CPU free these tests skip (or fail
where COURSE_REQUIRE_CORES=1), as test_multicore_claims.py's do.
"""

from __future__ import annotations

import pytest

from helpers.apps.stock_schema import create_shop
from helpers.concurrency import db_load
from helpers.concurrency.db_load_report import ceiling
from helpers.concurrency.django_async_orm import measure_async_orm
from helpers.services import postgres
from tests.alone.test_multicore_claims import two_cores  # noqa: F401 (a fixture)
from tests.services.conftest import require

POOL, WAIT_MS = 10, 50
pytestmark = pytest.mark.usefixtures("two_cores")  # skipped (or failed in CI) without two free cores


@pytest.fixture(scope="module")
def shop():
    require(postgres.PACKAGE, postgres.PROGRAMS)
    db = postgres.start_postgres("t-db-alone", max_connections=100)
    try:
        create_shop(db.dsn, items=10, stock=10)
        yield db
    finally:
        db.stop()


def rate(db, short: str, pool: int = POOL, level: int = 100) -> float:
    """Return the better of two 2-second runs' requests per second: other work only ever slows a run down."""
    setup = next(s for s in db_load.shop_setups(threads=POOL) if s.short == short)
    runs = db_load.load_setup(db, setup, levels=[level, level], seconds=2, pool_size=pool, pool_timeout=5)
    assert all(r.result.errors == {} and r.held <= pool for r in runs), [r.as_row() for r in runs]
    return max(r.result.throughput for r in runs)


def test_the_pool_is_the_ceiling_and_async_does_not_lift_it(shop):
    flask, fastapi = rate(shop, "Flask"), rate(shop, "FastAPI async def")
    top = ceiling(POOL, WAIT_MS)
    assert 0.5 * top <= min(flask, fastapi) and max(flask, fastapi) <= 1.05 * top, (flask, fastapi)
    assert fastapi < 1.25 * flask, (flask, fastapi)


def test_async_is_not_faster_per_request_below_the_pool(shop):
    # 10 concurrent, a pool of 10: nobody queues for a connection, so what differs is each request's own cost.
    flask, fastapi = rate(shop, "Flask", level=10), rate(shop, "FastAPI async def", level=10)
    assert fastapi <= 1.15 * flask, (flask, fastapi)


def test_a_pool_of_40_serves_over_one_and_a_half_times_a_pool_of_10(shop):
    small, large = rate(shop, "FastAPI async def"), rate(shop, "FastAPI async def", pool=40)
    assert large > 1.5 * small, (small, large)


def test_djangos_async_orm_hops_to_a_thread_cheaply_and_a_request_per_query_runs_them_side_by_side(shop):
    cost = measure_async_orm(shop.dsn, queries=300, together=10, wait_ms=50)
    assert 0 < cost.hop_ms < 1, cost
    assert cost.per_request.seconds * 3 < cost.one_context.seconds, cost
    assert cost.per_request.active > 1, cost  # pg_stat_activity: several of its connections running a query at once
