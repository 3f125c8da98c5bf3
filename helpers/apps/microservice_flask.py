"""A small Flask microservice (orders) that depends on another service (microservice_inventory)."""

from __future__ import annotations

import os
from typing import Any

import httpx
from flask import Flask, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate


class OrderSchema(Schema):
    """An order: the same two rules as microservice_fastapi.Order, declared with marshmallow."""

    class Meta:
        unknown = EXCLUDE  # extra keys are dropped, as Pydantic does by default

    sku = fields.String(required=True, validate=validate.Length(min=1))
    # strict: 2.0 and "2" are not quantities
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))


def create_app(inventory_url: str | None = None, timeout: float = 1.0) -> Flask:
    """Build the orders service, which asks the inventory service before accepting an order."""
    inventory_url = inventory_url or os.environ["INVENTORY_URL"]  # a server process: from its environment
    app = Flask("orders")
    orders: list[dict[str, Any]] = []
    order_schema = OrderSchema()

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
        try:
            order = order_schema.load(request.get_json(silent=True))  # not JSON: None, refused
        except ValidationError as err:
            return {"errors": [f"{field}: {m}" for field, ms in err.normalized_messages().items() for m in ms]}, 400
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
