"""Fan-out: concurrent calls to slow backends beat sequential ones, in FastAPI, Flask and Django."""

import pytest

from helpers import serve
from helpers.apps import fanout_django, fanout_fastapi, fanout_flask
from helpers.serving import django_kernel as dk

N, DELAY = 5, 0.1


@pytest.fixture
def backend(no_leaks):
    with serve(fanout_fastapi.create_backend(DELAY), "t-backend") as srv:
        yield srv


def elapsed(srv, path):
    r = srv.get(path, params={"n": N}, timeout=15)
    assert r.status_code == 200
    assert [item["id"] for item in r.json()["items"]] == list(range(N))  # results keep request order
    return r.json()["seconds"]


@pytest.mark.parametrize("make", [fanout_fastapi.create_app, fanout_flask.create_app], ids=["fastapi", "flask"])
def test_concurrent_beats_sequential_by_a_margin(backend, make):
    with serve(make(backend.url), "t-fanout") as srv:
        # Other programs only ever add time: the quickest of three concurrent runs is the fan-out's own
        # (CI's lanes run this beside spinning processes on the same core).
        sequential, concurrent = elapsed(srv, "/sequential"), min(elapsed(srv, "/concurrent") for _ in range(3))
    assert sequential >= N * DELAY * 0.9  # one wait after another
    assert sequential / concurrent > 2  # ideal is N; generous margin for a busy machine


def test_django_async_view_fans_out_concurrently(backend):
    dk.setup_django()
    dk.set_urls("fanout", fanout_django.urlpatterns_for(backend.url))
    with serve(dk.asgi_app(), "t-fanout-django") as srv:
        quickest = min(elapsed(srv, "/fanout/concurrent") for _ in range(3))  # others only add time
        assert quickest < N * DELAY * 0.6  # sequential would take N delays


def test_bad_inputs_are_refused(backend):
    with serve(fanout_flask.create_app(backend.url), "t-fanout-flask") as srv:
        assert srv.get("/concurrent", params={"n": 0}).status_code == 400
    with pytest.raises(ValueError, match="delay"):
        fanout_fastapi.create_backend(-1)
