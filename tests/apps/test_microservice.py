"""The Flask microservice: health follows its dependency; orders are validated (marshmallow) and checked."""

import time

import pytest

from helpers import serve
from helpers.apps.microservice_flask import OrderSchema, create_app
from helpers.apps.microservice_inventory import create_inventory_app


@pytest.fixture
def services(no_leaks):
    inventory = serve(create_inventory_app({"apple": 5, "pear": 0}), "t-inventory")
    orders = serve(create_app(inventory.url, timeout=1.0), "t-orders")
    yield inventory, orders
    orders.stop()
    inventory.stop()


def test_health_is_ok_then_degraded_when_the_dependency_stops(services):
    inventory, orders = services
    r = orders.get("/health")
    assert r.status_code == 200 and r.json()["dependencies"] == {"inventory": "ok"}
    inventory.stop()
    r = orders.get("/health")
    assert r.status_code == 503 and r.json() == {"status": "degraded", "dependencies": {"inventory": "unreachable"}}
    assert orders.post("/orders", json={"sku": "apple", "quantity": 1}).status_code == 503


def test_orders_are_validated_and_checked_against_stock(services):
    _, orders = services
    assert orders.post("/orders", json={"sku": "apple", "quantity": 2}).status_code == 201
    assert orders.post("/orders", json={"sku": "pear", "quantity": 1}).status_code == 409
    assert orders.post("/orders", json={"sku": "plum", "quantity": 1}).status_code == 404
    bad = orders.post("/orders", json={"sku": "", "quantity": 0})
    assert bad.status_code == 400 and len(bad.json()["errors"]) == 2
    assert all(e.startswith(("sku: ", "quantity: ")) for e in bad.json()["errors"])  # "field: message", as FastAPI's
    assert orders.post("/orders", json={"sku": "apple", "quantity": 1, "note": "x"}).status_code == 201  # extra keys
    assert orders.post("/orders", content=b"not json", headers={"content-type": "application/json"}).status_code == 400
    assert orders.get("/orders").json()["orders"][0] == {"sku": "apple", "quantity": 2}


@pytest.mark.parametrize(
    "data, n_errors",
    [
        ({"sku": "a", "quantity": 1}, 0),
        ({"sku": "a", "quantity": True}, 1),
        ({"sku": "a", "quantity": 2.0}, 1),
        ({"sku": "a", "quantity": "2"}, 1),
        ({"sku": 3, "quantity": 101}, 2),
        ([], 1),
        (None, 1),
        ({"quantity": 1}, 1),
    ],
)
def test_the_schema_declares_the_same_rules_as_fastapis_model(data, n_errors):
    from pydantic import ValidationError

    from helpers.apps.microservice_fastapi import Order

    assert len(OrderSchema().validate(data)) == n_errors
    if isinstance(data, dict):  # Pydantic refuses the same orders for the same fields
        try:
            Order.model_validate(data)
            pydantic_fields = set()
        except ValidationError as exc:
            pydantic_fields = {e["loc"][0] for e in exc.errors()}
        assert pydantic_fields == set(OrderSchema().validate(data))


def test_a_slow_inventory_takes_its_delay_to_answer_stock_but_not_health(no_leaks):
    with serve(create_inventory_app(delay=0.2), "t-inventory-slow", ready_path="/health") as inventory:
        start = time.perf_counter()
        assert inventory.get("/stock/apple").json()["in_stock"] == 5
        slow = time.perf_counter() - start
        start = time.perf_counter()
        inventory.get("/health")
        fast = time.perf_counter() - start
    assert slow >= 0.2 > fast
    with pytest.raises(ValueError, match="delay must be seconds"):
        create_inventory_app(delay=-1)
