"""Django Ninja serves the books contract of the FastAPI app: same operations, schema and validation."""

import pytest

from helpers import serve
from helpers.serving import django_kernel as dk


@pytest.fixture
def ninja(no_leaks):
    dk.setup_django()
    from helpers.apps import api_first_ninja

    dk.set_urls("t-api-first", api_first_ninja.urlpatterns_for(api_first_ninja.create_api()))
    with serve(dk.asgi_app(), "t-ninja", ready_path="/books") as srv:
        yield srv
    dk.set_urls("t-api-first", [])


def operations(schema):
    return {(m, p): op["operationId"] for p, item in schema["paths"].items() for m, op in item.items()}


def test_same_operations_and_request_schema_as_fastapi(ninja):
    from helpers.apps.api_first_fastapi import app

    theirs, ours = app.openapi(), ninja.get("/openapi.json").json()
    assert operations(ours) == operations(theirs)
    keep = ("type", "minimum", "maximum", "minLength", "maxLength")
    for field in ("title", "author", "year"):
        a = ours["components"]["schemas"]["BookIn"]["properties"][field]
        b = theirs["components"]["schemas"]["BookIn"]["properties"][field]
        assert {k: a.get(k) for k in keep} == {k: b.get(k) for k in keep}, field


def test_validation_and_answers(ninja):
    added = ninja.post("/books", json={"title": "Dune", "author": "Frank Herbert", "year": 1965})
    assert added.status_code == 201 and added.json()["id"] == 1
    bad = ninja.post("/books", json={"title": "Dune", "author": "Frank Herbert", "year": 965})
    assert bad.status_code == 422 and "1450" in bad.json()["detail"][0]["msg"]
    assert ninja.get("/books/9").status_code == 404
    assert ninja.get("/books/1").json()["title"] == "Dune"
