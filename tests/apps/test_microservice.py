"""The Flask microservice: health follows its dependency; orders are validated and checked."""

import pytest

from helpers import serve
from helpers.apps.microservice_flask import create_app, validate_order
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
    assert orders.post("/orders", content=b"not json", headers={"content-type": "application/json"}).status_code == 400
    assert orders.get("/orders").json() == {"orders": [{"sku": "apple", "quantity": 2}]}


@pytest.mark.parametrize(
    "data, n_errors",
    [
        ({"sku": "a", "quantity": 1}, 0),
        ({"sku": "a", "quantity": True}, 1),
        ({"sku": 3, "quantity": 101}, 2),
        ([], 1),
        ({"quantity": 1}, 1),
    ],
)
def test_validate_order(data, n_errors):
    assert len(validate_order(data)[1]) == n_errors
