"""The serving apps answer /json, wait on /io and compute on /cpu (in the kernel; processes in test_processes)."""

import pytest

from helpers import serve
from helpers.apps import serving_django, serving_fastapi, serving_flask
from helpers.serving import django_kernel as dk


def django_app():
    dk.setup_django()
    dk.set_urls("serving", serving_django.urlpatterns)
    return dk.wsgi_app()


@pytest.mark.parametrize(
    "factory, framework",
    [(lambda: serving_flask.app, "Flask"), (lambda: serving_fastapi.app, "FastAPI"), (django_app, "Django")],
)
def test_json_and_io(factory, framework, no_leaks):
    with serve(factory(), f"t-serving-{framework.lower()}") as srv:
        hello = srv.get("/json")
        waited = srv.get("/io", params={"ms": 50})
    assert hello.json() == {"framework": framework, "message": "Hello!"}
    assert waited.json() == {"waited_ms": 50.0}
    assert waited.elapsed.total_seconds() >= 0.045


@pytest.mark.parametrize("app", [serving_flask.app, serving_fastapi.app])
def test_cpu_endpoint_computes_for_as_long_as_asked(app, no_leaks):
    with serve(app, "t-serving-cpu") as srv:
        short = srv.get("/cpu", params={"ms": 5}).json()
        long = srv.get("/cpu", params={"ms": 50}).json()
    assert short["cpu_ms"] == 5 and long["cpu_ms"] == 50
    assert long["spins"] > 3 * short["spins"]  # ten times the CPU time does several times the work


def test_django_async_view_and_fastapi_def_route_wait_as_asked(no_leaks):
    # The waiting-connections set-ups: Django's async view under ASGI, FastAPI's def route in its thread pool.
    with serve(serving_fastapi.app, "t-serving-def") as srv:
        waited = srv.get("/io-def", params={"ms": 50})
    assert waited.json() == {"waited_ms": 50.0} and waited.elapsed.total_seconds() >= 0.045
    dk.setup_django()
    dk.set_urls("serving", serving_django.urlpatterns)
    with serve(dk.asgi_app(), "t-serving-aio") as srv:
        waited = srv.get("/io-async", params={"ms": 50})
    assert waited.json() == {"waited_ms": 50.0} and waited.elapsed.total_seconds() >= 0.045
