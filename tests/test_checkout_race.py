"""The last item in stock: naive checkouts oversell it, locked and atomic ones never do, in both ORMs."""

from __future__ import annotations

import pytest

from helpers.apps.stock_schema import create_shop
from helpers.concurrency.checkout_race import run_checkouts
from helpers.services import postgres
from tests.services.conftest import require

BUYERS = 20


@pytest.fixture(scope="module")
def shop():
    require(postgres.PACKAGE, postgres.PROGRAMS)
    db = postgres.start_postgres("t-checkout-race", max_connections=2 * BUYERS + 10)
    try:
        create_shop(db.dsn, items=3, stock=1)
        yield db
    finally:
        db.stop()


@pytest.mark.parametrize("orm", ["django", "sqlalchemy"])
def test_naive_checkout_oversells_the_last_item(shop, orm):
    # Every buyer reads stock = 1 during the 50 ms pause before anyone writes: each one buys.
    result = run_checkouts(shop.dsn, orm=orm, way="naive", buyers=BUYERS, stock=1, pause=0.05)
    assert result.errors == {}
    assert result.oversold > 0 and result.bought == result.orders == result.stock + result.oversold
    assert result.stock_left == 0  # the stock column looks right: each write set it to 1 - 1


@pytest.mark.parametrize("orm", ["django", "sqlalchemy"])
@pytest.mark.parametrize("way", ["locked", "atomic"])
def test_locked_and_atomic_checkouts_sell_exactly_the_stock(shop, orm, way):
    result = run_checkouts(shop.dsn, orm=orm, way=way, buyers=BUYERS, stock=1, pause=0.05)
    assert result.errors == {}
    assert (result.oversold, result.orders, result.bought, result.stock_left) == (0, 1, 1, 0)
    assert len(result.latencies) == BUYERS  # every buyer got an answer: sold, or sold out


def test_the_lock_makes_buyers_queue_the_naive_checkout_does_not(shop):
    # Five in stock, twenty buyers: the locked checkout sells five, one after another (5 x 0.2 s at least
    # for the fifth buyer and those behind it); the naive one lets all twenty pause side by side.
    naive = run_checkouts(shop.dsn, orm="sqlalchemy", way="naive", buyers=BUYERS, stock=5, pause=0.2, item_id=2)
    locked = run_checkouts(shop.dsn, orm="sqlalchemy", way="locked", buyers=BUYERS, stock=5, pause=0.2, item_id=2)
    assert (naive.orders, naive.oversold) == (BUYERS, BUYERS - 5)
    assert (locked.orders, locked.oversold, locked.bought) == (5, 0, 5)
    assert max(locked.latencies) > max(naive.latencies)
    assert sorted(locked.latencies)[BUYERS // 2] > sorted(naive.latencies)[BUYERS // 2]


def test_bad_arguments_are_refused_before_anything_runs():
    for kwargs, expected in [({"orm": "peewee"}, "orm"), ({"way": "hope"}, "way"), ({"buyers": 0}, "buyers")]:
        with pytest.raises(ValueError, match=expected):
            run_checkouts("postgresql://nowhere/none", **kwargs)
