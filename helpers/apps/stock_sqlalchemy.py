"""The shop's tables in SQLAlchemy 2 (typed declarative), the engine settings and the endpoint's one query.

Flask and both FastAPI apps share them. Their engines come from the environment (stock_schema.from_env),
so a notebook can start each app as a server process against the database it started.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Select, String, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from helpers.apps.stock_schema import from_env


class Base(DeclarativeBase):
    """Base class of the shop's tables (made by stock_schema.create_shop, not by SQLAlchemy)."""


class Item(Base):
    """Something for sale, and how many are left."""

    __tablename__ = "shop_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price_cents: Mapped[int]
    stock: Mapped[int]


class Order(Base):
    """One item bought."""

    __tablename__ = "shop_order"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("shop_item.id"))
    created: Mapped[datetime] = mapped_column(server_default=func.now())


def engine_options() -> tuple[URL, dict[str, Any]]:
    """Return the URL and pool options for create_engine or create_async_engine, from the environment."""
    url, pool_size, pool_timeout = from_env()
    # psycopg 3 drives both engines, sync and async, from one URL.
    # max_overflow=0: a process never holds more than DB_POOL_SIZE connections, the one number to tune.
    options = {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": pool_timeout}
    return make_url(url).set(drivername="postgresql+psycopg"), options


def item_with_wait(item_id: int, wait_ms: float) -> Select:
    """Select one item in a query that also waits `wait_ms` in the database (pg_sleep stands for a slow query)."""
    return select(Item, func.pg_sleep(wait_ms / 1000)).where(Item.id == item_id)
