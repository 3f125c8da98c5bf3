"""The bare WSGI and ASGI apps answer JSON naming their protocol and the path."""
import pytest

from helpers import serve
from helpers.apps import bare_asgi, bare_wsgi


@pytest.mark.parametrize("module, protocol, interface", [(bare_wsgi, "WSGI", "wsgi"), (bare_asgi, "ASGI", "asgi")])
def test_bare_app_answers_json(module, protocol, interface, no_leaks):
    with serve(module.app, f"t-bare-{interface}") as srv:
        r = srv.post("/any/path", content=b"{not json")
    assert srv.interface == interface
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"protocol": protocol, "path": "/any/path"}
    assert int(r.headers["content-length"]) == len(r.content)


def test_exercise_01_3_says_what_is_wrong(no_leaks):
    from helpers.coursework.checks import evaluate

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
