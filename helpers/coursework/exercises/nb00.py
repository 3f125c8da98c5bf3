"""Exercises of 00_start_here."""
from __future__ import annotations

from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("00")


@exercise(
    "00.1",
    "which header names the server",
    hint="Look at the headers in the side-by-side table: one of them names the software that answered.",
    solution='answer = "server"',
    praise="The `server` header says Werkzeug for Flask and Django here, uvicorn for FastAPI.",
)
def header_names_server(answer: Any) -> str | None:
    if not isinstance(answer, str):
        return f"the answer should be a header name as a string, like \"content-type\"; you gave a {type(answer).__name__}."
    if answer.strip().lower() == "content-type":
        return "content-type says what kind of body came back (JSON), not who sent it."
    if answer.strip().lower() != "server":
        return f"{answer!r} is not the header that names the server software."
    return None


@exercise(
    "00.2",
    "a Flask app that adds two numbers",
    hint="Use `@app.get(\"/add\")`, read `request.args.get(\"a\", type=int)`, and return a dict.",
    solution='''
        from flask import Flask, request


        def create_app() -> Flask:
            """Build a Flask app that adds the query parameters a and b."""
            app = Flask(__name__)

            @app.get("/add")
            def add():
                a = request.args.get("a", type=int)
                b = request.args.get("b", type=int)
                return {"sum": a + b}

            return app


        answer = create_app()
    ''',
    praise="Your app was served from this kernel, called over HTTP, and answered right.",
)
def flask_adds(answer: Any) -> str | None:
    from helpers.serving.servers import serve_wsgi

    if not callable(answer):
        return "the answer should be a Flask app (what `Flask(__name__)` returns), not " + type(answer).__name__
    with serve_wsgi(answer, "exercise-00-2") as srv:
        for a, b in [(2, 40), (-5, 5)]:
            r = srv.get("/add", params={"a": a, "b": b})
            if r.status_code == 404:
                return "GET /add answered 404 Not Found: is there a route for \"/add\"?"
            if r.status_code != 200:
                return f"GET /add?a={a}&b={b} answered {r.status_code}, not 200 OK."
            try:
                body = r.json()
            except ValueError:
                return f"GET /add?a={a}&b={b} did not return JSON: {r.text[:80]!r}"
            if not isinstance(body, dict) or body.get("sum") != a + b:
                return f"GET /add?a={a}&b={b} returned {body!r}; expected {{\"sum\": {a + b}}}."
    return None
