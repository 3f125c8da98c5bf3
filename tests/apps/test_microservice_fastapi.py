"""The FastAPI orders service keeps the Flask service's contract: health, validation, stock."""

import pytest

from helpers import serve
from helpers.apps import microservice_fastapi, microservice_flask, microservice_inventory


@pytest.fixture(params=["Flask", "FastAPI"])
def services(request, no_leaks):
    module = microservice_flask if request.param == "Flask" else microservice_fastapi
    inventory = serve(microservice_inventory.create_inventory_app({"apple": 5, "pear": 0}), "t-inventory")
    orders = serve(module.create_app(inventory.url, timeout=1.0), "t-orders", ready_path="/orders")
    yield inventory, orders
    orders.stop()
    inventory.stop()


def test_same_health_check_on_both(services):
    inventory, orders = services
    assert orders.get("/health").json() == {"status": "ok", "dependencies": {"inventory": "ok"}}
    inventory.stop()
    r = orders.get("/health")
    assert r.status_code == 503 and r.json()["dependencies"] == {"inventory": "unreachable"}


@pytest.mark.parametrize(
    "order, status",
    [
        ({"sku": "apple", "quantity": 2}, 201),
        ({"sku": "pear", "quantity": 1}, 409),
        ({"sku": "plum", "quantity": 1}, 404),
        ({"sku": "", "quantity": 0}, 400),
        ({"sku": "apple", "quantity": True}, 400),
    ],
)
def test_same_answers_to_the_same_orders(services, order, status):
    _, orders = services
    r = orders.post("/orders", json=order)
    assert r.status_code == status, r.text
    if status == 400:
        assert all(isinstance(e, str) for e in r.json()["errors"])


def test_start_figures_come_from_fresh_processes():
    from helpers.usecases.service_start import start_once

    bare, flask = start_once("none"), start_once("Flask")
    assert flask["rss_mib"] > bare["rss_mib"] and flask["seconds"] > 0
    with pytest.raises(ValueError, match="framework must be one of"):
        start_once("Bottle")
