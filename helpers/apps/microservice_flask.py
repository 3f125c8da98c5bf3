"""A small Flask microservice (orders) that depends on another service (microservice_inventory)."""

from __future__ import annotations

from typing import Any

import httpx
from flask import Flask, request


def validate_order(data: Any) -> tuple[dict[str, Any], list[str]]:
    """Check an order by hand (Flask leaves validation to you) and return it with its errors."""
    if not isinstance(data, dict):
        return {}, ["the body must be a JSON object"]
    errors = []
    sku, quantity = data.get("sku"), data.get("quantity")
    if not isinstance(sku, str) or not sku:
        errors.append("sku: a non-empty string is required")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 100:
        errors.append("quantity: an integer from 1 to 100 is required")
    return {"sku": sku, "quantity": quantity}, errors


def create_app(inventory_url: str, timeout: float = 1.0) -> Flask:
    """Build the orders service, which asks the inventory service before accepting an order."""
    app = Flask("orders")
    orders: list[dict[str, Any]] = []

    # One thread-safe client, and a short timeout: a slow dependency must not hang this service's workers.
    inventory = httpx.Client(base_url=inventory_url, timeout=timeout)

    @app.get("/health")
    def health():
        try:
            ok = inventory.get("/health").status_code == 200
        except httpx.HTTPError:
            ok = False
        body = {"status": "ok" if ok else "degraded", "dependencies": {"inventory": "ok" if ok else "unreachable"}}
        # 503 tells a load balancer to send traffic elsewhere until the dependency is back.
        return body, 200 if ok else 503

    @app.post("/orders")
    def place_order():
        order, errors = validate_order(request.get_json(silent=True))
        if errors:
            return {"errors": errors}, 400
        try:
            r = inventory.get(f"/stock/{order['sku']}")
        except httpx.HTTPError:
            return {"error": "inventory unreachable, try again later"}, 503
        if r.status_code == 404:
            return {"error": f"unknown item {order['sku']!r}"}, 404
        if r.json()["in_stock"] < order["quantity"]:
            return {"error": "not enough in stock", "in_stock": r.json()["in_stock"]}, 409
        orders.append(order)
        return {"id": len(orders), **order}, 201

    @app.get("/orders")
    def list_orders():
        return {"orders": orders}

    return app
