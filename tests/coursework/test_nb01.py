"""Exercises of notebook 01 fail on plausible wrong answers with specific feedback, and pass on the right ones."""

from __future__ import annotations

from helpers.apps import bare_asgi, bare_wsgi, bookshelf_fastapi
from helpers.components import footprint as fp
from helpers.coursework.checks import evaluate, solution_code
from tests.apps.test_bookshelf import _fastapi_without_validation, broken_flask_app


def test_exercise_01_1_names_the_broken_step(no_leaks):
    assert evaluate("01.1", bookshelf_fastapi.create_app()).passed  # the course's own app meets it
    # The exercise's starting point: the solution with the `year` field taken out of the model.
    namespace: dict = {}
    exec(solution_code("01.1").replace("year: int", "pass  #"), namespace)
    assert "{'year': None}" in evaluate("01.1", namespace["answer"]).message
    assert "FastAPI app" in evaluate("01.1", broken_flask_app()).message
    assert "add invalid" in evaluate("01.1", _fastapi_without_validation()).message


def test_exercise_01_2_tells_a_wrong_framework_apart():
    counts = {label: len(fp.dependency_tree(dist)) for label, (dist, _) in fp.FRAMEWORKS.items()}
    fewest = min(counts, key=counts.get)
    assert "installs" in evaluate("01.2", fewest).message
    assert "not one of" in evaluate("01.2", "Bottle").message
    assert "string" in evaluate("01.2", 3).message
    assert evaluate("01.2", max(counts, key=counts.get).upper()).passed


def test_exercise_01_3_says_what_is_wrong(no_leaks):
    def plain_text(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b'{"hello": "wsgi"}']

    def wrong_body(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"hello": "world"}']

    assert "content-type" in evaluate("01.3", plain_text).message
    assert "expected" in evaluate("01.3", wrong_body).message
    assert "async def" in evaluate("01.3", bare_asgi.app).message
    assert evaluate("01.3", bare_wsgi.app).passed is False
