"""The shop's tables: made, restocked and counted in plain SQL; the apps' settings come from the environment."""

from __future__ import annotations

import pytest

from helpers.apps import stock_schema


def test_from_env_reads_the_url_and_pool_with_defaults(monkeypatch):
    for name in ("DATABASE_URL", "DB_POOL_SIZE", "DB_POOL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    assert stock_schema.from_env() == ("postgresql://course@127.0.0.1:5432/course", 5, 30.0)
    monkeypatch.setenv("DATABASE_URL", "postgresql://course@127.0.0.1:5999/course")
    monkeypatch.delenv("DB_POOL_SIZE", raising=False)
    monkeypatch.delenv("DB_POOL_TIMEOUT", raising=False)
    assert stock_schema.from_env() == ("postgresql://course@127.0.0.1:5999/course", 5, 30.0)
    monkeypatch.setenv("DB_POOL_SIZE", "12")
    assert stock_schema.from_env()[1] == 12


def test_create_restock_and_count(shop_db):
    stock_schema.create_shop(shop_db.dsn, items=4, stock=7)
    assert shop_db.query("SELECT count(*), min(stock), max(stock) FROM shop_item") == [(4, 7, 7)]
    shop_db.query("INSERT INTO shop_order (item_id) VALUES (2), (2)")
    assert stock_schema.stock_and_orders(shop_db.dsn, 2) == (7, 2)
    stock_schema.restock(shop_db.dsn, 2, stock=1)
    assert stock_schema.stock_and_orders(shop_db.dsn, 2) == (1, 0)
    with pytest.raises(KeyError, match="no item 99"):
        stock_schema.stock_and_orders(shop_db.dsn, 99)
    with pytest.raises(ValueError, match="items"):
        stock_schema.create_shop(shop_db.dsn, items=0)
