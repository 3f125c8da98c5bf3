"""Three tests of the Flask bookshelf with Flask's test client."""

import pytest

from helpers.apps import bookshelf_flask

DUNE = {"title": "Dune", "author": "Frank Herbert", "year": 1965}


@pytest.fixture
def client():
    # A new app for each test, each with its own in-memory SQLite database: nothing carries over.
    app = bookshelf_flask.create_app("sqlite://")
    app.config["TESTING"] = True  # exceptions reach the test instead of becoming 500s
    return app.test_client()


def test_1_add_then_list(client):
    assert client.post("/books", json=DUNE).status_code == 201
    assert [b["title"] for b in client.get("/books").json] == ["Dune"]


def test_2_shelf_starts_empty(client):
    assert client.get("/books").json == []


def test_3_bad_book_is_refused(client):
    assert client.post("/books", json={**DUNE, "year": "soon"}).status_code == 422
    assert client.get("/books").json == []
