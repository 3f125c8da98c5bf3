"""Django's async ORM measured in a process of its own: the hop to a thread per query, and which threads ran them."""

from __future__ import annotations

import pytest

from helpers.apps.stock_schema import create_shop
from helpers.concurrency import checkout_race
from helpers.concurrency.django_async_orm import AsyncOrmError, measure_async_orm
from helpers.services import postgres
from tests.services.conftest import require


@pytest.fixture(scope="module")
def shop():
    require(postgres.PACKAGE, postgres.PROGRAMS)
    db = postgres.start_postgres("t-async-orm", max_connections=30)
    try:
        create_shop(db.dsn, items=3)
        yield db
    finally:
        db.stop()


def test_queries_run_in_one_thread_per_request_context(shop):
    cost = measure_async_orm(shop.dsn, queries=50, together=5, wait_ms=20)
    # Counts, not timings: thread_sensitive=True runs a context's calls in one thread; a context per request, one each.
    assert (cost.sync_threads, cost.async_threads) == (1, 1)
    assert (cost.one_context.queries, cost.one_context.threads) == (5, 1)
    assert (cost.per_request.queries, cost.per_request.threads) == (5, 5)
    # pg_stat_activity: one request's queries run one at a time on its thread's one connection; a request each,
    # several at once (a sample every 5 ms may miss one that ended early, on a busy machine).
    assert cost.one_context.active == 1 and cost.one_context.open >= 1
    assert 2 <= cost.per_request.active <= 5 and cost.per_request.open >= cost.per_request.active
    assert cost.sync_ms > 0 and cost.async_ms > 0 and cost.hop_ms == pytest.approx(cost.async_ms - cost.sync_ms)


def test_a_failing_process_says_what_it_said(monkeypatch):
    # The child's pool keeps retrying an unreachable server until its timeout: one second is enough here.
    monkeypatch.setattr(checkout_race, "POOL_TIMEOUT", 1.0)
    with pytest.raises(AsyncOrmError, match="exited with code"):
        measure_async_orm("postgresql://course@127.0.0.1:1/none?connect_timeout=2", queries=10, together=2)


@pytest.mark.parametrize("kwargs", [{"queries": 5}, {"together": 1}, {"wait_ms": 0}])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        measure_async_orm("postgresql://nowhere/none", **kwargs)
