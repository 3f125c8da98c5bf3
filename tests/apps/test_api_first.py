"""API-first: the OpenAPI schema comes from the Pydantic models, is valid, and follows a new field."""

import jsonschema
import pytest
from pydantic import Field

from helpers import serve
from helpers.apps.api_first_fastapi import BookIn, app, create_app


def test_schema_is_generated_from_the_models():
    schema = app.openapi()
    assert schema["openapi"].startswith("3.")
    props = schema["components"]["schemas"]["BookIn"]["properties"]
    assert props["year"] == {**props["year"], "type": "integer", "minimum": 1450, "maximum": 2100}
    assert props["title"]["minLength"] == 1
    assert set(schema["components"]["schemas"]["Book"]["properties"]) == {"title", "author", "year", "id"}
    ops = {(m, p): op["operationId"] for p, item in schema["paths"].items() for m, op in item.items()}
    assert ops == {
        ("get", "/books"): "list_books",
        ("post", "/books"): "add_book",
        ("get", "/books/{book_id}"): "get_book",
    }


def test_schema_is_valid_and_describes_real_responses(no_leaks):
    schema = app.openapi()
    jsonschema.Draft202012Validator.check_schema(schema["components"]["schemas"]["Book"])
    book_schema = {"$ref": "#/components/schemas/Book", "components": schema["components"]}
    with serve(create_app(), "t-api-first") as srv:
        added = srv.post("/books", json={"title": "Dune", "author": "Frank Herbert", "year": 1965})
        assert added.status_code == 201
        jsonschema.validate(added.json(), book_schema)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"title": "Dune"}, book_schema)
        assert srv.post("/books", json={"title": "", "author": "x", "year": 1000}).status_code == 422
        assert srv.get("/books/99").status_code == 404
        assert srv.get("/docs").status_code == 200 and "swagger" in srv.get("/docs").text.lower()
        # Behind jupyter-server-proxy the docs page must point at the prefixed schema.
        proxied = srv.get("/docs", headers={"X-Forwarded-Prefix": "/proxy/1234"})
        assert "/proxy/1234/openapi.json" in proxied.text


def test_a_new_field_changes_the_schema():
    class WithPages(BookIn):
        pages: int = Field(ge=1)

    props = create_app(WithPages).openapi()["components"]["schemas"]
    assert props["WithPages"]["properties"]["pages"]["minimum"] == 1
    assert "pages" in props["Book"]["properties"]
    assert "pages" not in app.openapi()["components"]["schemas"]["Book"]["properties"]
