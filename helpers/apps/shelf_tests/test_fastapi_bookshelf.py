"""Three tests of the FastAPI bookshelf with FastAPI's TestClient."""

import pytest
from fastapi.testclient import TestClient

from helpers.apps import bookshelf_fastapi

DUNE = {"title": "Dune", "author": "Frank Herbert", "year": 1965}


@pytest.fixture
def client():
    # A new app for each test, each with its own in-memory SQLite database: nothing carries over.
    # (With one shared app, app.dependency_overrides can swap the session dependency instead.)
    with TestClient(bookshelf_fastapi.create_app("sqlite://")) as test_client:
        yield test_client


def test_1_add_then_list(client):
    assert client.post("/books", json=DUNE).status_code == 201
    assert [b["title"] for b in client.get("/books").json()] == ["Dune"]


def test_2_shelf_starts_empty(client):
    assert client.get("/books").json() == []


def test_3_bad_book_is_refused(client):
    assert client.post("/books", json={**DUNE, "year": "soon"}).status_code == 422
    assert client.get("/books").json() == []
