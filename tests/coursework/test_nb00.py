"""Exercises of notebook 00 fail on plausible wrong answers with specific feedback, and pass on the right ones."""

from __future__ import annotations

import pytest
from flask import Flask, request

from helpers.apps import hello_flask
from helpers.coursework.checks import evaluate


@pytest.mark.parametrize(
    "answer, words",
    [
        ("content-type", "what kind of body"),
        ("x-frame-options", "security instruction"),
        ("X-Content-Type-Options", "security instruction"),
        ("host", "not one of the headers"),
        (1, "as a string"),
    ],
)
def test_00_1_says_why_a_header_does_not_name_the_server(answer, words):
    result = evaluate("00.1", answer)
    assert not result.passed and words in result.message


def test_00_1_accepts_the_server_header_in_any_case():
    assert evaluate("00.1", " Server ").passed


def _adder(convert: bool) -> Flask:
    app = Flask("adder")

    @app.get("/add")
    def add():
        if convert:
            return {"sum": request.args.get("a", type=int) + request.args.get("b", type=int)}
        return {"sum": request.args["a"] + request.args["b"]}  # text: "2" + "40" is "240"

    return app


def test_00_2_catches_text_instead_of_numbers(no_leaks):
    result = evaluate("00.2", _adder(convert=False))
    assert not result.passed and "'240'" in result.message
    assert evaluate("00.2", _adder(convert=True)).passed


def test_00_2_points_at_a_missing_route_and_at_server_logs(no_leaks):
    assert "404" in evaluate("00.2", Flask("empty")).message
    crashing = Flask("crashing")

    @crashing.get("/add")
    def add():
        return {"sum": 1 / 0}

    assert "server_logs()" in evaluate("00.2", crashing).message


def test_00_3_wants_the_header_on_the_hello_route(no_leaks):
    assert "no X-Content-Type-Options" in evaluate("00.3", hello_flask.create_app()).message
    wrong_value = hello_flask.create_app()
    wrong_value.after_request(lambda r: (r.headers.__setitem__("X-Content-Type-Options", "sniff"), r)[1])
    assert '"nosniff"' in evaluate("00.3", wrong_value).message
    assert "Flask app" in evaluate("00.3", "app").message
