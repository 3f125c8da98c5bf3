"""DRF with drf-spectacular serves the books contract of the FastAPI app: same operations, schema and validation."""

import jsonschema
import pytest
from openapi_spec_validator import validate

from helpers import serve
from helpers.serving import django_kernel as dk

KEEP = ("type", "minimum", "maximum", "minLength", "maxLength")


@pytest.fixture
def drf(no_leaks):
    dk.setup_django()
    from helpers.apps import api_first_drf

    dk.set_urls("t-api-first-drf", api_first_drf.urlpatterns_for("t-drf/"))
    try:
        with serve(dk.asgi_app(), "t-drf", ready_path="/t-drf/books") as srv:
            yield srv
    finally:
        dk.set_urls("t-api-first-drf", [])


def operations(schema):
    return {(m, p): op["operationId"] for p, item in schema["paths"].items() for m, op in item.items()}


def constraints(schema):
    props = schema["components"]["schemas"]["BookIn"]["properties"]
    return {field: {k: v for k, v in p.items() if k in KEEP} for field, p in props.items()}


def test_same_operations_and_request_schema_as_fastapi(drf):
    from helpers.apps.api_first_fastapi import app

    theirs, ours = app.openapi(), drf.get("/t-drf/openapi.json").json()
    validate(ours)  # a valid OpenAPI document
    assert ours["servers"] == [{"url": "/t-drf"}]  # the paths below are under the prefix the API is mounted at
    assert operations(ours) == operations(theirs)
    assert constraints(ours) == constraints(theirs)


def test_validation_and_answers(drf):
    from helpers.apps.api_first_fastapi import app

    book = {"$ref": "#/components/schemas/Book", "components": app.openapi()["components"]}
    added = drf.post("/t-drf/books", json={"title": "Dune", "author": "Frank Herbert", "year": 1965})
    assert added.status_code == 201 and added.json()["id"] == 1
    jsonschema.validate(added.json(), book)  # the FastAPI app's Book schema accepts DRF's answer
    bad = drf.post("/t-drf/books", json={"title": "Dune", "author": "Frank Herbert", "year": 965})
    assert bad.status_code == 422 and "1450" in bad.json()["year"][0]
    assert drf.post("/t-drf/books", json={"title": "", "author": "x", "year": 1000}).status_code == 422
    assert drf.get("/t-drf/books/9").status_code == 404
    assert drf.get("/t-drf/books/1").json() == added.json()
    assert drf.get("/t-drf/books").json() == [added.json()]


def test_each_mount_keeps_its_own_books(drf):
    from helpers.apps import api_first_drf

    dk.set_urls("t-api-first-drf-2", api_first_drf.urlpatterns_for("t-drf-2/"))
    try:
        drf.post("/t-drf/books", json={"title": "Dune", "author": "Frank Herbert", "year": 1965})
        assert drf.get("/t-drf-2/books").json() == []
        assert drf.get("/t-drf-2/openapi.json").json()["servers"] == [{"url": "/t-drf-2"}]
    finally:
        dk.set_urls("t-api-first-drf-2", [])
