"""The contract client records every step and names each broken one."""

import httpx
import pytest

from helpers.components.contract import MISSING_ID, check_servers, run_contract, side_by_side


def fake_server(overrides: dict | None = None) -> httpx.Client:
    """Return a client for an in-memory bookshelf whose answers `overrides` can spoil."""
    overrides = overrides or {}
    shelf: dict[int, dict] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        key = (request.method, request.url.path)
        if key in overrides:
            return overrides[key](request)
        if key == ("GET", "/books"):
            return httpx.Response(200, json=list(shelf.values()))
        if key == ("POST", "/books"):
            data = httpx.Response(200, content=request.content).json()
            if not data.get("title") or not isinstance(data.get("year"), int):
                return httpx.Response(422, json={"errors": "bad"})
            book = {"id": len(shelf) + 1, **data}
            shelf[book["id"]] = book
            return httpx.Response(201, json=book)
        book_id = int(request.url.path.rsplit("/", 1)[1])
        return httpx.Response(200, json=shelf[book_id]) if book_id in shelf else httpx.Response(404)

    return httpx.Client(transport=httpx.MockTransport(handler), base_url="http://shelf")


def test_a_correct_server_passes_every_step():
    result = run_contract(fake_server(), "ok")
    assert result.passed
    assert result.statuses() == {"list": 200, "add valid": 201, "add invalid": 422, "get one": 200, "get missing": 404}


def test_a_list_that_is_not_a_list_is_reported():
    result = run_contract(fake_server({("GET", "/books"): lambda r: httpx.Response(200, json={"books": []})}))
    assert result.problems == ["list: expected a JSON list, got {'books': []}"]


def test_a_book_that_comes_back_changed_is_reported():
    def lossy(request):
        return httpx.Response(201, json={"id": 1, "title": "Dune", "author": "Frank Herbert"})

    problems = run_contract(fake_server({("POST", "/books"): lossy})).problems
    assert any(p.startswith("add valid: these fields came back different: {'year': None}") for p in problems)


def test_a_missing_book_that_is_found_is_reported():
    found = {("GET", f"/books/{MISSING_ID}"): lambda r: httpx.Response(200, json={})}
    assert run_contract(fake_server(found)).problems == ["get missing: expected status 404, got 200"]


def test_run_contract_refuses_a_non_client():
    with pytest.raises(TypeError, match="httpx.Client"):
        run_contract("http://127.0.0.1:8000")


def test_side_by_side_shows_each_server_and_the_verdict():
    good = run_contract(fake_server(), "good")
    bad = run_contract(fake_server({("POST", "/books"): lambda r: httpx.Response(500)}), "bad")
    text = repr(side_by_side({"good": good, "bad": bad}))
    assert "passed" in text and "FAILED: add valid: expected status 201, got 500" in text
    assert text.splitlines()[1].split() == ["step", "good", "bad"]


def test_check_servers_runs_each_server():
    class FakeServer:
        def client(self):
            return fake_server()

    results = check_servers({"a": FakeServer(), "b": FakeServer()})
    assert list(results) == ["a", "b"] and all(r.passed for r in results.values())
