"""Compare JSON API implementations: fetch and validate their OpenAPI schemas, and run the owner-only delete matrix."""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from helpers.display import Table

DEFAULT_TIMEOUT = 10.0
METHODS = ("get", "post", "put", "patch", "delete")


def api_client(server: Any, prefix: str = "", **kwargs: Any) -> httpx.Client:
    """Return an httpx.Client for `server` whose paths start at `prefix` (e.g. "/ninja"), with a timeout."""
    if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
        raise ValueError(f"prefix must start with / and not end with one, e.g. '/ninja', got {prefix!r}")
    kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
    return httpx.Client(base_url=server.url + prefix, **kwargs)


def _import_validator() -> Any:
    """Import openapi-spec-validator without the seconds jsonschema spends on an IRI grammar it won't use here."""
    # jsonschema imports rfc3987_syntax when installed, and that compiles a grammar at import time
    # (seconds on a busy machine) only to check "iri" formats; a None entry makes jsonschema skip it.
    blocked = "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        import openapi_spec_validator
        from openapi_spec_validator.validation import exceptions
    finally:
        if blocked:
            del sys.modules["rfc3987_syntax"]
    return openapi_spec_validator.validate, exceptions.OpenAPIValidationError


def validate_schema(schema: Mapping[str, Any]) -> str:
    """Return "valid OpenAPI X" or the validator's first complaint, for one schema."""
    validate, OpenAPIValidationError = _import_validator()

    try:
        validate(dict(schema))
    except OpenAPIValidationError as exc:
        return f"INVALID: {exc.message}"
    return f"valid OpenAPI {schema.get('openapi', '?')}"


def operations(schema: Mapping[str, Any], prefix: str = "") -> dict[str, dict]:
    """Return {"GET /books": operation} for every operation of a schema, with `prefix` taken off the paths."""
    out = {}
    for path, item in schema.get("paths", {}).items():
        path = path[len(prefix) :] if prefix and path.startswith(prefix) else path
        for method in METHODS:
            if method in item:
                out[f"{method.upper()} {path}"] = item[method]
    return out


def _year_rules(schema: Mapping[str, Any]) -> str:
    """Find the year property of the book-input schema and say what it documents."""
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        props = component.get("properties", {})
        if "year" in props and "id" not in props:
            year = props["year"]
            rules = [f"{k} {year[k]}" for k in ("minimum", "maximum") if k in year]
            return f"{name}.year: {year.get('type', '?')}" + (f", {', '.join(rules)}" if rules else ", no range")
    return "—"


def schema_table(schemas: Mapping[str, Mapping[str, Any]], prefixes: Mapping[str, str] | None = None) -> Table:
    """Tabulate what each generated schema documents by itself, one column per implementation.

    The rows are the operations and rules SCHEMA_FACTS asks about: the statuses of adding, getting and deleting a
    book, the year's rules, and the security scheme the delete requires.
    """
    prefixes = prefixes or {}
    ops = {label: operations(s, prefixes.get(label, "")) for label, s in schemas.items()}

    def statuses(label: str, op: str) -> str:
        found = ops[label].get(op)
        return "not documented" if found is None else " ".join(sorted(found.get("responses", {})))

    def requires(label: str) -> str:
        schema = schemas[label]
        delete = ops[label].get("DELETE /books/{book_id}", {})
        names = {name for requirement in delete.get("security", schema.get("security", [])) for name in requirement}
        return ", ".join(sorted(names)) or "nothing"

    shown = ("POST /books", "GET /books/{book_id}", "DELETE /books/{book_id}")
    rows = [
        ["validator says", *(validate_schema(s) for s in schemas.values())],
        *([f"{op}: statuses", *(statuses(label, op) for label in schemas)] for op in shown),
        ["the year a client sends", *(_year_rules(s) for s in schemas.values())],
        ["DELETE /books/{book_id}: requires", *(requires(label) for label in schemas)],
    ]
    return Table(
        rows, ["what the schema says", *schemas], title="What each generated OpenAPI schema documents by itself"
    )


# --- what a generated schema leaves out -----------------------------------------------------------

# Facts every shelf API makes true at run time (the contract and the owner-only delete test them); does its schema say so?
SCHEMA_FACTS: dict[str, str] = {
    "401": "DELETE /books/{book_id} answers 401 without a valid token",
    "403": "DELETE /books/{book_id} answers 403 to anyone but the owner",
    "404": "GET /books/{book_id} answers 404 for a missing id (the contract)",
    "422": "POST /books answers 422 to an invalid book (the contract)",
    "token": "DELETE /books/{book_id} requires a token (a security scheme)",
    "year range": "a new book's year runs from 1450 to 2100",
}


def _deref(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow a local $ref ("#/components/schemas/BookIn") to the object it names."""
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = schema
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {})
        node = target
    return node


def facts_stated(schema: Mapping[str, Any], prefix: str = "") -> dict[str, bool]:
    """Say, for each of SCHEMA_FACTS, whether the schema states it, read from its operations and components."""
    ops = operations(schema, prefix)
    delete, one, add = (ops.get(op, {}) for op in ("DELETE /books/{book_id}", "GET /books/{book_id}", "POST /books"))

    def responds(op: Mapping[str, Any], status: str) -> bool:
        return status in op.get("responses", {})

    schemes = schema.get("components", {}).get("securitySchemes", {})
    required = delete.get("security", schema.get("security", []))
    body = _deref(schema, add.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}))
    year = _deref(schema, body.get("properties", {}).get("year", {}))
    return {
        "401": responds(delete, "401"),
        "403": responds(delete, "403"),
        "404": responds(one, "404"),
        "422": responds(add, "422"),
        "token": any(name in schemes for requirement in required for name in requirement),
        "year range": year.get("minimum") == 1450 and year.get("maximum") == 2100,
    }


def facts_left_out(schema: Mapping[str, Any], prefix: str = "") -> set[str]:
    """Return the names of the SCHEMA_FACTS the schema does not state."""
    return {fact for fact, stated in facts_stated(schema, prefix).items() if not stated}


# --- only the owner may delete -------------------------------------------------------------------


@dataclass
class AuthTarget:
    """How to reach one API and get tokens from it."""

    label: str
    client: Callable[[], httpx.Client]  # a new client (no cookies) for the API's base URL
    login: Callable[[httpx.Client, str, str], str]  # (client, username, password) -> bearer token, over HTTP
    token_for: Callable[[str], str]  # username -> a valid token, made on the server side (no password check)
    expired_token: Callable[[str], str]  # username -> a token that expired


def json_login(client: httpx.Client, username: str, password: str) -> str:
    """Log in with a JSON body, as Django Ninja's and flask-smorest's token routes expect; return the token."""
    return client.post("/auth/token", json={"username": username, "password": password}).json()["access_token"]


def form_login(client: httpx.Client, username: str, password: str) -> str:
    """Log in with a form, as OAuth2's password flow (FastAPI's OAuth2PasswordRequestForm) expects."""
    return client.post("/auth/token", data={"username": username, "password": password}).json()["access_token"]


def shelf_targets(servers: Mapping[str, Any], flask_app: Any, fastapi_app: Any) -> list[AuthTarget]:
    """Return the three shelf APIs as AuthTargets: each one's login, and tokens signed with its own server's key.

    `servers` maps "Django Ninja", "flask-smorest" and "FastAPI" to running servers of the shelf APIs;
    `flask_app` and `fastapi_app` are the apps served, whose keys sign the tokens.
    """
    import time

    from django.contrib.auth import get_user_model

    from helpers.apps import shelf_api_fastapi, shelf_api_flask
    from helpers.apps.shelf_api_django.api import issue_token

    def user_id(name: str) -> int:
        return get_user_model().objects.get(username=name).pk

    secret = fastapi_app.state.secret
    return [
        AuthTarget(
            "Django Ninja",
            lambda: api_client(servers["Django Ninja"], "/ninja"),
            json_login,
            token_for=lambda name: issue_token(user_id(name)),
            expired_token=lambda name: issue_token(user_id(name), issued_at=time.time() - 3600),
        ),
        AuthTarget(
            "flask-smorest",
            lambda: api_client(servers["flask-smorest"]),
            json_login,
            token_for=lambda name: shelf_api_flask.issue_token(flask_app, name, minutes=15),
            expired_token=lambda name: shelf_api_flask.issue_token(flask_app, name, minutes=-1),
        ),
        AuthTarget(
            "FastAPI",
            lambda: api_client(servers["FastAPI"]),
            form_login,
            token_for=lambda name: shelf_api_fastapi.issue_token(secret, name, 15),
            expired_token=lambda name: shelf_api_fastapi.issue_token(secret, name, -1),
        ),
    ]


CASES = ("no credentials", "owner, own book", "owner, someone else's book", "tampered token", "expired token")


def tamper(token: str) -> str:
    """Rewrite who a token names and keep its old signature: what a user editing their token would try."""
    # A JWT is header.payload.signature; a django.core.signing token is payload:timestamp:signature.
    sep, index = (".", 1) if token.count(".") == 2 else (":", 0)
    parts = token.split(sep)
    claims = json.loads(base64.urlsafe_b64decode(parts[index] + "=" * (-len(parts[index]) % 4)))
    for key in ("sub", "user"):
        if isinstance(claims.get(key), str):
            claims[key] = "mallory"
        elif isinstance(claims.get(key), int):
            claims[key] += 1
    parts[index] = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).decode().rstrip("=")
    return sep.join(parts)


def bearer(token: str) -> dict[str, str]:
    """Return the Authorization header for a bearer token."""
    return {"Authorization": f"Bearer {token}"}


def run_matrix(target: AuthTarget, owner: str, password: str, other: str) -> dict[str, httpx.Response]:
    """Log `owner` in, then try to delete books in each way of CASES; return the response to each."""
    # Only the owner logs in over HTTP: each password check costs a deliberate fraction of a second.
    with target.client() as client:
        tokens = {owner: target.login(client, owner, password), other: target.token_for(other)}
        book = {"title": "Dune", "author": "Frank Herbert", "year": 1965}
        mine = client.post("/books", json=book, headers=bearer(tokens[owner])).json()["id"]
        theirs = client.post("/books", json=book, headers=bearer(tokens[other])).json()["id"]
        out = {
            "no credentials": client.delete(f"/books/{mine}"),
            "owner, someone else's book": client.delete(f"/books/{theirs}", headers=bearer(tokens[owner])),
            "tampered token": client.delete(f"/books/{mine}", headers=bearer(tamper(tokens[owner]))),
            "expired token": client.delete(f"/books/{mine}", headers=bearer(target.expired_token(owner))),
        }
        out["owner, own book"] = client.delete(f"/books/{mine}", headers=bearer(tokens[owner]))  # last: it deletes
        for response in out.values():
            response.read()
    return {case: out[case] for case in CASES}


def matrix_table(results: Mapping[str, Mapping[str, httpx.Response]]) -> Table:
    """Tabulate status and body of each case for each framework."""

    def cell(r: httpx.Response) -> str:
        try:
            body = json.dumps(r.json(), separators=(", ", ": "))
        except ValueError:
            body = r.text
        return f"{r.status_code} {body}"

    rows = [[case, *(cell(res[case]) for res in results.values())] for case in CASES]
    return Table(
        rows, ["DELETE /books/{id}", *results], title="Only the owner may delete: the same attempts on each API"
    )
