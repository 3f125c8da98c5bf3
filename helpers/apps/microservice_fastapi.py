"""The same orders microservice with FastAPI: Pydantic validates, the contract matches microservice_flask."""

from __future__ import annotations

import os
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field


class Order(BaseModel):
    """An order: the same two rules as microservice_flask.validate_order."""

    sku: str = Field(min_length=1)
    quantity: int = Field(ge=1, le=100, strict=True)  # strict: true and "2" are not quantities


def create_app(inventory_url: str | None = None, timeout: float = 1.0) -> FastAPI:
    """Build the orders service, which asks the inventory service before accepting an order."""
    inventory_url = inventory_url or os.environ["INVENTORY_URL"]  # a server process: from its environment
    app = FastAPI(title="orders")
    orders: list[dict[str, Any]] = []
    # One client for the app's lifetime, and a short timeout: a slow dependency must not hang the service.
    inventory = httpx.AsyncClient(base_url=inventory_url, timeout=timeout)

    @app.exception_handler(RequestValidationError)
    async def bad_order(request, exc: RequestValidationError) -> JSONResponse:
        # Same status and shape as the Flask service (FastAPI's default is 422 with its own shape).
        return JSONResponse({"errors": [f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors()]}, status_code=400)

    @app.get("/health")
    async def health() -> JSONResponse:
        try:
            ok = (await inventory.get("/health")).status_code == 200
        except httpx.HTTPError:
            ok = False
        body = {"status": "ok" if ok else "degraded", "dependencies": {"inventory": "ok" if ok else "unreachable"}}
        # 503 tells a load balancer to send traffic elsewhere until the dependency is back.
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.post("/orders", status_code=201)
    async def place_order(order: Order) -> Any:
        try:
            r = await inventory.get(f"/stock/{order.sku}")
        except httpx.HTTPError:
            return JSONResponse({"error": "inventory unreachable, try again later"}, status_code=503)
        if r.status_code == 404:
            return JSONResponse({"error": f"unknown item {order.sku!r}"}, status_code=404)
        if r.json()["in_stock"] < order.quantity:
            return JSONResponse({"error": "not enough in stock", "in_stock": r.json()["in_stock"]}, status_code=409)
        orders.append(order.model_dump())
        return {"id": len(orders), **order.model_dump()}

    @app.get("/orders")
    async def list_orders() -> dict[str, Any]:
        return {"orders": orders}

    return app
