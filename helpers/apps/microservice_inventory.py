"""The inventory service both orders services depend on: how many of each item are in stock."""

from __future__ import annotations

from flask import Flask


def create_inventory_app(stock: dict[str, int] | None = None) -> Flask:
    """Build the inventory service: how many of each item are in stock."""
    app = Flask("inventory")
    app.config["STOCK"] = dict(stock or {"apple": 5, "pear": 0})

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.get("/stock/<sku>")
    def stock_of(sku: str):
        if sku not in app.config["STOCK"]:
            return {"error": f"unknown item {sku!r}"}, 404
        return {"sku": sku, "in_stock": app.config["STOCK"][sku]}

    return app
