"""Exercises of 01_architecture."""

from __future__ import annotations

from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("01")


@exercise(
    "01.1",
    "make a FastAPI bookshelf meet the contract",
    hint="Compare a valid book in the contract (title, author, year) with the fields of `BookIn`. "
    "A Pydantic field is a class attribute with a type annotation, and strict mode wants the exact type.",
    solution='''
        from fastapi import FastAPI, HTTPException
        from pydantic import BaseModel, ConfigDict, Field

        app = FastAPI()
        shelf: dict[int, dict] = {}


        class BookIn(BaseModel):
            """A book as a client sends it."""

            model_config = ConfigDict(strict=True)
            title: str = Field(min_length=1)
            author: str
            # The contract's valid book is {"title", "author", "year": 1965}: the model had no year,
            # so FastAPI dropped it and the answer lacked it. An int field, strict, also makes
            # "soon" a 422, which is the contract's invalid-book step.
            year: int


        @app.get("/books")
        def list_books() -> list[dict]:
            return list(shelf.values())


        @app.post("/books", status_code=201)
        def add_book(book: BookIn) -> dict:
            book_id = len(shelf) + 1
            shelf[book_id] = {"id": book_id, **book.model_dump()}
            return shelf[book_id]


        @app.get("/books/{book_id}")
        def get_book(book_id: int) -> dict:
            if book_id not in shelf:
                raise HTTPException(status_code=404, detail="Book not found")
            return shelf[book_id]


        answer = app
    ''',
    praise="Your app was served from this kernel and passed every step of the same contract as the three bookshelves.",
)
def fastapi_meets_contract(answer: Any) -> str | None:
    from helpers.components.contract import run_contract
    from helpers.serving.servers import serve_asgi

    if not callable(answer) or not hasattr(answer, "routes"):
        return f"the answer should be the FastAPI app object (`app`), not a {type(answer).__name__}."
    with serve_asgi(answer, "exercise-01-1", ready_path="/books") as srv, srv.client() as client:
        result = run_contract(client, "your app")
    if result.problems:
        return "the contract found: " + "; ".join(result.problems[:2]) + "."
    return None


@exercise(
    "01.2",
    "which framework pulls in the most dependencies",
    hint="Run the measurement below and read the column of dependencies (or `len(costs[label]['dependencies'])`).",
    solution="""
        # Read from package metadata (footprint.dependency_tree), not guessed from the labels:
        # Django keeps its batteries inside one package; FastAPI stands on Starlette and Pydantic,
        # which bring their own dependencies.
        from helpers.components.footprint import FRAMEWORKS, dependency_tree

        counts = {label: len(dependency_tree(dist)) for label, (dist, _) in FRAMEWORKS.items()}
        answer = max(counts, key=counts.get)
    """,
    praise="Counted from package metadata: the micro and the modern frameworks install more packages than the big one.",
)
def most_dependencies(answer: Any) -> str | None:
    from helpers.components.footprint import FRAMEWORKS, dependency_tree

    if not isinstance(answer, str):
        return (
            f'the answer should be a framework\'s name as a string, like "Flask"; you gave a {type(answer).__name__}.'
        )
    counts = {label: len(dependency_tree(dist)) for label, (dist, _) in FRAMEWORKS.items()}
    names = {label.lower(): label for label in counts}
    if answer.strip().lower() not in names:
        return f"{answer!r} is not one of {', '.join(counts)}."
    label = names[answer.strip().lower()]
    most = max(counts, key=counts.get)
    if label != most:
        return f"{label} installs {counts[label]} other packages; another framework installs more."
    return None


@exercise(
    "01.3",
    "a bare WSGI app that returns JSON",
    hint="A WSGI app calls `start_response(status_line, headers)` once, headers being a list of (name, value) pairs, "
    "then returns an iterable of bytes: text must be encoded first, and JSON starts as a dict.",
    solution='''
        import json


        def answer(environ, start_response):
            """Answer every request with {"hello": "wsgi"} as JSON."""
            # The server speaks bytes: dict -> JSON text -> UTF-8 bytes.
            body = json.dumps({"hello": "wsgi"}).encode()
            # Status and headers go through start_response; the body is what we return.
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
    ''',
    praise="No framework at all: one function, a status line, headers and bytes.",
)
def bare_wsgi_json(answer: Any) -> str | None:
    import inspect

    from helpers.serving.servers import serve_wsgi

    if not callable(answer):
        return f"the answer should be a function taking (environ, start_response), not a {type(answer).__name__}."
    if inspect.iscoroutinefunction(answer):
        return "that is an `async def`: WSGI apps are plain `def` functions (async ones are ASGI)."
    with serve_wsgi(answer, "exercise-01-3") as srv:
        r = srv.get("/anything")
    if r.status_code != 200:
        return f'GET /anything answered {r.status_code}, not 200 OK: pass "200 OK" to start_response.'
    if not r.headers.get("content-type", "").startswith("application/json"):
        return f'the content-type was {r.headers.get("content-type")!r}; say "application/json" in your headers.'
    try:
        body = r.json()
    except ValueError:
        return f"the body is not JSON: {r.text[:60]!r}"
    if body != {"hello": "wsgi"}:
        return f'the body was {body!r}; expected {{"hello": "wsgi"}}.'
    return None
