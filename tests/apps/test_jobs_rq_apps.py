"""Flask and FastAPI with RQ: an order puts one job on the Redis queue, with retries, and sends nothing itself."""

from __future__ import annotations

import importlib

import pytest
from fastapi.testclient import TestClient

from helpers.apps import receipts
from helpers.apps.jobs_queue import RETRIES, receipts_queue


@pytest.fixture(autouse=True)
def quick(tmp_path, monkeypatch, broker):
    monkeypatch.setenv("RECEIPTS_DB", str(tmp_path / "receipts.sqlite3"))
    monkeypatch.setenv("RECEIPT_SECONDS", "0.01")
    monkeypatch.setenv("REDIS_URL", broker.url)


def flask_client():
    from helpers.apps.jobs_flask_rq import create_app

    return create_app().test_client()


def fastapi_client(monkeypatch, url):
    module = importlib.import_module("helpers.apps.jobs_fastapi_rq")
    monkeypatch.setattr(module, "queue", receipts_queue(url))  # the module made its queue at import
    return TestClient(module.app)


@pytest.fixture(params=["flask", "fastapi"])
def client(request, monkeypatch, broker):
    return flask_client() if request.param == "flask" else fastapi_client(monkeypatch, broker.url)


def test_an_order_queues_one_receipt_job_and_sends_nothing_itself(client, broker):
    r = client.post("/orders/8?fail=1")
    assert r.status_code == 202
    body = r.json() if callable(r.json) else r.json  # httpx's method, Flask's property
    assert body["order"] == 8 and body["receipt"] == "queued"
    queue = receipts_queue(broker.url)
    (job,) = queue.jobs
    assert job.id == body["job"] and job.args == (8, 1) and job.retries_left == RETRIES
    assert receipts.attempts() == {}  # the web process did not run it


def test_inline_sends_the_receipt_inside_the_request(client, broker):
    r = client.post("/orders/9/inline")
    assert r.status_code == 201 and receipts.receipts_sent() == [9]
    assert receipts_queue(broker.url).count == 0
