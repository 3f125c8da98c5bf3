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
