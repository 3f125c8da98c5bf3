"""The hello apps of notebook 00 answer with their framework's name."""

import pytest

from helpers import serve
from helpers.apps import hello_django, hello_fastapi, hello_flask
from helpers.serving import django_kernel as dk


def django_app():
    dk.setup_django()
    dk.set_urls("hello", hello_django.urlpatterns)
    return dk.wsgi_app()


@pytest.mark.parametrize(
    "factory, framework",
    [(hello_flask.create_app, "Flask"), (lambda: hello_fastapi.app, "FastAPI"), (django_app, "Django")],
)
def test_hello_answers_json(factory, framework, no_leaks):
    with serve(factory(), f"t-hello-{framework.lower()}") as srv:
        r = srv.get("/")
    assert r.status_code == 200
    assert r.json() == {"framework": framework, "message": "Hello!"}
    assert r.headers["content-type"].startswith("application/json")
