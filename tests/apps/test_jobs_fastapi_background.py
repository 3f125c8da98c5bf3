"""FastAPI's BackgroundTasks app: the answer comes first, the receipt after it, in the same process."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from helpers.apps import receipts
from helpers.apps.jobs_fastapi_background import app


@pytest.fixture(autouse=True)
def quick(tmp_path, monkeypatch):
    monkeypatch.setenv("RECEIPTS_DB", str(tmp_path / "receipts.sqlite3"))
    monkeypatch.setenv("RECEIPT_SECONDS", "0.01")


def test_an_order_is_accepted_and_its_receipt_sent_after_the_response():
    # Starlette's TestClient runs background tasks before it hands back the response.
    with TestClient(app) as client:
        r = client.post("/orders/4")
    assert r.status_code == 202 and r.json() == {"order": 4, "receipt": "after the response"}
    assert receipts.receipts_sent() == [4]


def test_a_failing_receipt_is_tried_once_and_never_again():
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/orders/5", params={"fail": 1}).status_code == 202  # the answer had gone out
    assert receipts.attempts() == {5: 1} and receipts.receipts_sent() == []


def test_inline_sends_the_receipt_inside_the_request():
    with TestClient(app) as client:
        r = client.post("/orders/6/inline")
    assert r.status_code == 201 and r.json() == {"order": 6, "receipt": "sent"}
    assert receipts.receipts_sent() == [6]
