"""The bookshelf's HTTP contract: one client that exercises any bookshelf server the same way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from helpers.display import Table, short_body, shorten

VALID_BOOK = {"title": "Dune", "author": "Frank Herbert", "year": 1965}
INVALID_BOOK = {"title": "", "author": "Nobody", "year": "soon"}  # empty title, a year that is not a number
MISSING_ID = 999_999

# The contract: each step, the request it sends, and the status it must get back.
STEPS: tuple[tuple[str, str, int], ...] = (
    ("list", "GET /books", 200),
    ("add valid", "POST /books", 201),
    ("add invalid", "POST /books", 422),
    ("get one", "GET /books/{id}", 200),
    ("get missing", f"GET /books/{MISSING_ID}", 404),
)


@dataclass
class ContractResult:
    """What one server answered to each step, and which steps broke the contract."""

    label: str
    responses: dict[str, httpx.Response] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Tell whether every step met the contract."""
        return not self.problems

    def statuses(self) -> dict[str, int]:
        """Return the status code of each step, e.g. {"list": 200, ...}."""
        return {step: r.status_code for step, r in self.responses.items()}


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def run_contract(client: httpx.Client, label: str = "server") -> ContractResult:
    """Run every step of the contract with `client` (its base_url is the server) and record the answers."""
    if not isinstance(client, httpx.Client):
        raise TypeError(f"client must be an httpx.Client (use server.client()), got {type(client).__name__}")
    result = ContractResult(label)
    want = {step: status for step, _, status in STEPS}

    def record(step: str, response: httpx.Response) -> Any:
        result.responses[step] = response
        if response.status_code != want[step]:
            result.problems.append(f"{step}: expected status {want[step]}, got {response.status_code}")
        return _json(response)

    listed = record("list", client.get("/books"))
    if response_ok(result, "list") and not isinstance(listed, list):
        result.problems.append(f"list: expected a JSON list, got {short(listed)}")

    added = record("add valid", client.post("/books", json=VALID_BOOK))
    book_id = MISSING_ID - 1
    if response_ok(result, "add valid"):
        if not isinstance(added, dict) or not isinstance(added.get("id"), int):
            result.problems.append(f"add valid: expected the stored book with an integer id, got {short(added)}")
        else:
            book_id = added["id"]
            wrong = {k: added.get(k) for k, v in VALID_BOOK.items() if added.get(k) != v}
            if wrong:
                result.problems.append(f"add valid: these fields came back different: {wrong}")

    record("add invalid", client.post("/books", json=INVALID_BOOK))

    got = record("get one", client.get(f"/books/{book_id}"))
    if response_ok(result, "get one") and isinstance(added, dict) and got != added:
        result.problems.append(f"get one: expected the book just added, {short(added)}, got {short(got)}")

    record("get missing", client.get(f"/books/{MISSING_ID}"))
    return result


def response_ok(result: ContractResult, step: str) -> bool:
    """Tell whether `step` got the status the contract wants."""
    want = {s: status for s, _, status in STEPS}[step]
    return result.responses[step].status_code == want


def short(value: Any, limit: int = 80) -> str:
    """Return a short repr of a JSON value for a problem message."""
    return shorten(repr(value), limit)


def check_servers(servers: Mapping[str, Any]) -> dict[str, ContractResult]:
    """Run the contract against each running server ({label: Server}) and return the results."""
    results = {}
    for label, server in servers.items():
        with server.client() as client:
            results[label] = run_contract(client, label)
    return results


def side_by_side(results: Mapping[str, ContractResult]) -> Table:
    """Tabulate each step's status and body for every server, one column per server."""
    rows = []
    for step, request, status in STEPS:
        cells = []
        for result in results.values():
            r = result.responses.get(step)
            cells.append("—" if r is None else f"{r.status_code} {short_body(r, 70)}")
        rows.append([f"{step}\n{request} → {status}", *cells])
    rows.append(["contract", *("passed" if r.passed else "FAILED: " + "; ".join(r.problems) for r in results.values())])
    return Table(rows, ["step", *results], title="The same requests to every bookshelf")
