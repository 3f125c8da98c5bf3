"""API-first with flask-smorest: the same operations and constraints as the FastAPI app, and real answers match them."""

import jsonschema

from helpers import serve
from helpers.apps import api_first_fastapi, api_first_smorest

KEEP = ("type", "minimum", "maximum", "minLength", "maxLength")


def operations(schema: dict) -> dict:
    # Path items may also hold a path-level "parameters" list (flask-smorest writes one): only dicts are operations.
    return {
        (m, p): op["operationId"]
        for p, item in schema["paths"].items()
        for m, op in item.items()
        if isinstance(op, dict)
    }


def constraints(schema: dict) -> dict:
    props = schema["components"]["schemas"]["BookIn"]["properties"]
    return {field: {k: v for k, v in p.items() if k in KEEP} for field, p in props.items()}


def test_the_schema_has_the_fastapi_contracts_operations_and_constraints():
    schema = api_first_smorest.create_app().test_client().get("/openapi.json").get_json()
    fastapi_schema = api_first_fastapi.app.openapi()
    assert schema["openapi"].startswith("3.")
    assert operations(schema) == operations(fastapi_schema)
    assert constraints(schema) == constraints(fastapi_schema)


def test_answers_follow_the_contract(no_leaks):
    fastapi_schema = api_first_fastapi.app.openapi()
    book = {"$ref": "#/components/schemas/Book", "components": fastapi_schema["components"]}
    with serve(api_first_smorest.create_app(), "t-api-smorest", ready_path="/books") as srv:
        added = srv.post("/books", json={"title": "Dune", "author": "Frank Herbert", "year": 1965})
        assert added.status_code == 201
        jsonschema.validate(added.json(), book)  # the FastAPI app's Book schema accepts flask-smorest's answer
        assert srv.post("/books", json={"title": "", "author": "x", "year": 1000}).status_code == 422
        assert srv.get("/books/99").status_code == 404
        assert srv.get(f"/books/{added.json()['id']}").json() == added.json()
