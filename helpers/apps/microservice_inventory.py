"""The inventory service both orders services depend on: how many of each item are in stock."""

from __future__ import annotations

import time

from flask import Flask

from helpers.numbers import require_number


def create_inventory_app(stock: dict[str, int] | None = None, delay: float = 0.0) -> Flask:
    """Build the inventory service; each stock answer takes `delay` seconds, like a slow database behind it."""
    require_number("delay", delay, 0, 5, unit="seconds")
    app = Flask("inventory")
    app.config["STOCK"] = dict(stock or {"apple": 5, "pear": 0})

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.get("/stock/<sku>")
    def stock_of(sku: str):
        time.sleep(delay)  # a thread of its own per request (threaded server): waits overlap here
        if sku not in app.config["STOCK"]:
            return {"error": f"unknown item {sku!r}"}, 404
        return {"sku": sku, "in_stock": app.config["STOCK"][sku]}

    return app
