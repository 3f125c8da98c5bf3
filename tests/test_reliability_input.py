"""Bad input: every public helper, called with wrong types, out-of-range and absurd values, raises
a clear ValueError/TypeError (or KeyError for an unknown name) whose message names the parameter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import helpers
from helpers import display
from helpers.coursework import checks
from helpers.serving import django_kernel, links


def bare_wsgi(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


# (call, exception types allowed, a word the message must contain: the parameter's name)
CASES: list[Any] = [
    # helpers.serve and friends
    (lambda: helpers.serve(bare_wsgi, 5), ValueError, "name"),
    (lambda: helpers.serve(bare_wsgi, "x" * 41), ValueError, "name"),
    (lambda: helpers.serve(bare_wsgi, "t-in", port=True), ValueError, "port"),
    (lambda: helpers.serve(bare_wsgi, "t-in", port=1.5), ValueError, "port"),
    (lambda: helpers.serve(bare_wsgi, "t-in", port=10**9), ValueError, "port"),
    (lambda: helpers.serve(bare_wsgi, "t-in", deadline=math.nan), ValueError, "deadline"),
    (lambda: helpers.serve(bare_wsgi, "t-in", deadline=math.inf), ValueError, "deadline"),
    (lambda: helpers.serve(bare_wsgi, "t-in", deadline=-1), ValueError, "deadline"),
    (lambda: helpers.serve(bare_wsgi, "t-in", deadline="5"), ValueError, "deadline"),
    (lambda: helpers.serve(bare_wsgi, "t-in", ready_path=None), ValueError, "ready_path"),
    (lambda: helpers.serve(bare_wsgi, "t-in", interface="http"), ValueError, "interface"),
    (lambda: helpers.serve(None, "t-in"), TypeError, "app"),
    (lambda: helpers.serve(42, "t-in"), TypeError, "app"),
    (lambda: helpers.serve_wsgi(bare_wsgi, "t-in", workers=4), TypeError, "ASGI"),
    (lambda: helpers.serve(bare_wsgi, "t-in", threaded="no"), ValueError, "threaded"),
    (lambda: helpers.serve(bare_wsgi, "t-in", lifespan="sometimes"), ValueError, "lifespan"),
    (lambda: helpers.get_server(""), KeyError, "no server named"),
    (lambda: helpers.get_server(None), KeyError, "no server named"),
    (lambda: helpers.server_logs(-1), ValueError, "last"),
    (lambda: helpers.server_logs(2.5), ValueError, "last"),
    (lambda: helpers.server_logs("all"), ValueError, "last"),
    (lambda: helpers.server_logs(True), ValueError, "last"),
    # links
    (lambda: links.proxy_url("8000"), ValueError, "port"),
    (lambda: links.proxy_url(0), ValueError, "port"),
    (lambda: links.direct_url(-5), ValueError, "port"),
    (lambda: links.browser_url(70000), ValueError, "port"),
    (lambda: links.direct_url(8000, path=5), TypeError, "path"),
    (lambda: links.proxy_url(8000, path=None), TypeError, "path"),
    (lambda: links.browser_url(8000, path=b"/"), TypeError, "path"),
    (lambda: links.link_html("django", 8000, path=5), TypeError, "path"),
    (lambda: links.direct_url(True), ValueError, "port"),
    # display
    (lambda: display.Table([[1, 2]], ["a"]), ValueError, "values"),
    (lambda: display.Table(5, ["a"]), TypeError, "rows"),
    (lambda: display.Table("ab", ["a"]), TypeError, "rows"),
    (lambda: display.Table([5], ["a"]), TypeError, "row"),
    (lambda: display.compare_responses([httpx.Response(200)]), TypeError, "responses"),
    (lambda: display.compare_responses({"A": "200 OK"}), TypeError, "responses"),
    (lambda: display.short_body("text"), TypeError, "response"),
    (lambda: display.short_body(httpx.Response(200, text="x" * 50), limit=0), ValueError, "limit"),
    (lambda: display.short_body(httpx.Response(200, text="x" * 50), limit=-3), ValueError, "limit"),
    (lambda: display.short_body(httpx.Response(200, text="x" * 50), limit=True), ValueError, "limit"),
    (lambda: display.short_body(httpx.Response(200, text="x" * 50), limit=2.5), ValueError, "limit"),
    (lambda: display.show_code("no_such_module_anywhere"), ImportError, "no_such_module_anywhere"),
    # checks
    (lambda: checks.check("99.99", 1), KeyError, "99.99"),
    (lambda: checks.check(None, 1), KeyError, "None"),
    (lambda: checks.show_solution("nope"), KeyError, "nope"),
    (lambda: checks.solution_code(3), KeyError, "3"),
    # django_kernel (argument checks that run before Django is touched)
    (lambda: django_kernel.setup_django(debug=True), ValueError, "debug"),
    (lambda: django_kernel.set_urls("", []), ValueError, "group"),
    (lambda: django_kernel.set_urls(None, []), ValueError, "group"),
    (lambda: django_kernel.set_urls("g", 5), TypeError, "patterns"),
    (lambda: django_kernel.set_urls("g", None), TypeError, "patterns"),
]


def _case_id(case: Any) -> str:
    values = case.values if hasattr(case, "values") else case
    return f"{values[2]}-{CASES.index(case)}"


@pytest.mark.parametrize("call, errors, word", CASES, ids=[_case_id(c) for c in CASES])
def test_bad_input_raises_a_clear_error_naming_the_parameter(call: Callable, errors, word: str, no_leaks):
    with pytest.raises(errors) as info:
        call()
    assert word.lower() in str(info.value).lower(), f"{type(info.value).__name__}: {info.value}"


def test_set_urls_rejects_non_patterns_once_django_is_set_up():
    django_kernel.setup_django()
    with pytest.raises(TypeError, match="patterns"):
        django_kernel.set_urls("t-bad-input", [5])


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1}, "timeout"),
        ({"timeout": math.nan}, "timeout"),
        ({"timeout": 10**6}, "timeout"),
        ({"timeout": "5"}, "timeout"),
        ({"timeout": True}, "timeout"),
    ],
)
def test_server_clients_reject_bad_timeouts(kwargs, word, no_leaks):
    with helpers.serve(bare_wsgi, "t-in-client") as srv:
        for make in (srv.client, srv.async_client):
            with pytest.raises(ValueError, match=word):
                make(**kwargs)
        with pytest.raises(ValueError, match=word):
            srv.get("/", **kwargs)


@pytest.mark.parametrize("value", [0, -3, 2.5, "10", None, True])
def test_async_client_rejects_bad_max_connections(value, no_leaks):
    with helpers.serve(bare_wsgi, "t-in-maxconn") as srv:
        with pytest.raises(ValueError, match="max_connections"):
            srv.async_client(max_connections=value)
