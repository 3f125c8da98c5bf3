"""The bookshelf JSON APIs (Django Ninja, flask-smorest, FastAPI): one contract, valid schemas, owner-only delete."""

from __future__ import annotations

import pytest

from helpers import serve
from helpers.apps import shelf_api_fastapi, shelf_api_flask
from helpers.components import apis
from helpers.components.contract import run_contract
from helpers.serving import django_kernel as dk

USERS = {"alice": "correct horse", "bob": "battery staple"}


def django_setup():
    dk.setup_django()
    from django.contrib.auth import get_user_model

    from helpers.apps.shelf_api_django import urls

    for name, password in USERS.items():
        user, _ = get_user_model().objects.get_or_create(username=name)
        user.set_password(password)
        user.save()
    dk.set_urls("shelf-api", urls.urlpatterns)
    return dk.wsgi_app()


@pytest.fixture(scope="module")
def running():
    django_app = django_setup()
    flask_app, fastapi_app = shelf_api_flask.create_app(USERS), shelf_api_fastapi.create_app(USERS)
    servers = {
        "Django Ninja": serve(django_app, "t-api-django"),
        "flask-smorest": serve(flask_app, "t-api-flask"),
        "FastAPI": serve(fastapi_app, "t-api-fastapi"),
    }
    prefixes = {"Django Ninja": "/ninja", "flask-smorest": "", "FastAPI": ""}
    targets = {t.label: t for t in apis.shelf_targets(servers, flask_app, fastapi_app)}
    assert list(targets) == list(servers)
    yield servers, prefixes, targets
    for server in servers.values():
        server.stop()


@pytest.mark.parametrize("label", ["Django Ninja", "flask-smorest", "FastAPI"])
def test_each_api_meets_the_bookshelf_contract(running, label):
    servers, prefixes, _ = running
    with apis.api_client(servers[label], prefixes[label]) as client:
        result = run_contract(client, label)
    assert result.problems == []


def test_each_schema_is_valid_and_the_table_compares_them(running):
    servers, prefixes, _ = running
    schemas = {label: apis.api_client(s, prefixes[label]).get("/openapi.json").json() for label, s in servers.items()}
    assert all(apis.validate_schema(s).startswith("valid OpenAPI 3") for s in schemas.values())
    ops = {label: set(apis.operations(s, prefixes[label])) for label, s in schemas.items()}
    assert all(
        {"GET /books", "POST /books", "GET /books/{book_id}", "DELETE /books/{book_id}"} <= o for o in ops.values()
    )
    table = repr(apis.schema_table(schemas, prefixes))
    assert "OAuth2PasswordBearer" in table and "SignedToken" in table and "nothing" in table  # flask-smorest's delete
    gaps = {label: apis.facts_left_out(s, prefixes[label]) for label, s in schemas.items()}
    assert all({"401", "403", "404"} <= left_out for left_out in gaps.values()), gaps  # raised in bodies, undeclared


def test_a_broken_schema_is_named():
    assert apis.validate_schema({"openapi": "3.1.0", "paths": {}}).startswith("INVALID")


EXPECTED = {
    "Django Ninja": {
        "no credentials": 401,
        "owner, own book": 200,
        "owner, someone else's book": 403,
        "tampered token": 401,
        "expired token": 401,
    },
    # Flask-JWT-Extended answers 422 for a token whose signature fails (its invalid_token_loader default)
    "flask-smorest": {
        "no credentials": 401,
        "owner, own book": 200,
        "owner, someone else's book": 403,
        "tampered token": 422,
        "expired token": 401,
    },
    "FastAPI": {
        "no credentials": 401,
        "owner, own book": 200,
        "owner, someone else's book": 403,
        "tampered token": 401,
        "expired token": 401,
    },
}


@pytest.mark.parametrize("label", list(EXPECTED))
def test_only_the_owner_may_delete(running, label):
    _, _, targets = running
    results = apis.run_matrix(targets[label], "alice", USERS["alice"], "bob")
    assert {case: r.status_code for case, r in results.items()} == EXPECTED[label]


def test_tamper_keeps_the_signature_and_changes_the_user():
    token = shelf_api_fastapi.issue_token("k" * 32, "alice", 5)
    forged = apis.tamper(token)
    assert forged.rsplit(".", 1)[1] == token.rsplit(".", 1)[1] and forged != token
    import jwt

    assert jwt.decode(forged, options={"verify_signature": False})["sub"] == "mallory"


def test_django_form_view_needs_csrf_and_the_token_api_ignores_cookies(running):
    from django.contrib.auth import get_user_model

    from helpers.apps.shelf_api_django.models import Book

    servers, _, _ = running
    with apis.api_client(servers["Django Ninja"]) as browser:
        assert (
            browser.post("/ninja/auth/login", json={"username": "alice", "password": USERS["alice"]}).status_code == 200
        )
        book = Book.objects.create(
            title="Emma", author="Jane Austen", year=1815, owner=get_user_model().objects.get(username="alice")
        )
        assert browser.delete(f"/ninja/books/{book.id}").status_code == 401  # a cookie can't authorise the API
        assert browser.post(f"/forms/books/{book.id}/delete").status_code == 403  # no CSRF token
        ok = browser.post(f"/forms/books/{book.id}/delete", headers={"X-CSRFToken": browser.cookies["csrftoken"]})
        assert ok.status_code == 200 and not Book.objects.filter(id=book.id).exists()


def test_passwords_are_stored_as_hashes():
    assert shelf_api_flask.create_app({"alice": "pw"}).config["USERS"]["alice"].startswith("scrypt:")
    assert shelf_api_fastapi.create_app({"alice": "pw"}).state.users["alice"].startswith("$argon2id$")


def test_api_client_prefix_is_checked():
    class FakeServer:
        url = "http://127.0.0.1:1"

    with pytest.raises(ValueError, match="prefix"):
        apis.api_client(FakeServer(), "ninja/")
    with apis.api_client(FakeServer(), "/ninja") as client:
        assert str(client.base_url) == "http://127.0.0.1:1/ninja/" and client.timeout.read == apis.DEFAULT_TIMEOUT


def test_the_facts_a_schema_states_are_read_from_its_operations_and_components():
    book_in = {"properties": {"year": {"type": "integer", "minimum": 1450.0, "maximum": 2100}}}
    schema = {
        "paths": {
            "/api/books": {
                "post": {
                    "responses": {"201": {}, "422": {}},
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/In"}}}},
                }
            },
            "/api/books/{book_id}": {
                "get": {"responses": {"200": {}, "404": {}}},
                "delete": {"responses": {"200": {}, "401": {}}, "security": [{"Bearer": []}]},
            },
        },
        "components": {"schemas": {"In": book_in}, "securitySchemes": {"Bearer": {"type": "http", "scheme": "bearer"}}},
    }
    assert apis.facts_left_out(schema, "/api") == {"403"}
    assert apis.facts_left_out(schema) == set(apis.SCHEMA_FACTS)  # without the prefix, no operation is found
    del schema["paths"]["/api/books/{book_id}"]["delete"]["security"]
    book_in["properties"]["year"].pop("maximum")
    assert apis.facts_left_out(schema, "/api") == {"403", "token", "year range"}
    schema["security"] = [{"Bearer": []}]  # a requirement for every operation counts for the delete too
    assert "token" not in apis.facts_left_out(schema, "/api")
