"""The three bookshelves answer the same HTTP contract, and a broken one is caught."""
import pytest
from flask import Flask

from helpers import serve
from helpers.serving import django_kernel as dk
from helpers.apps import bookshelf_fastapi, bookshelf_flask
from helpers.components.contract import run_contract


def django_app():
    dk.setup_django()
    from helpers.apps.bookshelf_django import urls

    dk.set_urls("bookshelf", urls.urlpatterns)
    return dk.wsgi_app()


APPS = {
    "django": django_app,
    "flask": bookshelf_flask.create_app,
    "fastapi": bookshelf_fastapi.create_app,
}


@pytest.mark.parametrize("name", list(APPS))
def test_bookshelf_meets_the_contract(name, no_leaks):
    with serve(APPS[name](), f"t-bookshelf-{name}") as srv, srv.client() as client:
        result = run_contract(client, name)
    assert result.problems == []
    assert result.statuses() == {"list": 200, "add valid": 201, "add invalid": 422, "get one": 200, "get missing": 404}


def test_each_flask_app_has_its_own_database():
    a, b = bookshelf_flask.create_app().test_client(), bookshelf_flask.create_app().test_client()
    a.post("/books", json={"title": "A", "author": "B", "year": 2000})
    assert len(a.get("/books").json) == 1 and b.get("/books").json == []


def test_flask_and_fastapi_refuse_the_same_bad_years(no_leaks):
    with serve(bookshelf_fastapi.create_app(), "t-bookshelf-years") as srv:
        for year in ["1999", 1000, 3000, None]:
            book = {"title": "T", "author": "A", "year": year}
            assert bookshelf_flask.create_app().test_client().post("/books", json=book).status_code == 422, year
            assert srv.post("/books", json=book).status_code == 422, year


def test_django_admin_lists_the_book_model():
    django_app()
    from django.contrib import admin

    from helpers.apps.bookshelf_django.models import Book

    assert admin.site.is_registered(Book)


def broken_flask_app() -> Flask:
    """A bookshelf that forgets to validate: it stores whatever it gets."""
    app = Flask(__name__)
    shelf: dict[int, dict] = {}

    @app.route("/books", methods=["GET", "POST"])
    def books():
        from flask import request

        if request.method == "GET":
            return list(shelf.values())
        book = {"id": len(shelf) + 1, **(request.get_json() or {})}
        shelf[book["id"]] = book
        return book, 201

    @app.get("/books/<int:book_id>")
    def book(book_id):
        return shelf[book_id] if book_id in shelf else ({"detail": "missing"}, 404)

    return app


def test_contract_fails_when_one_app_breaks_it(no_leaks):
    with serve(broken_flask_app(), "t-bookshelf-broken") as srv, srv.client() as client:
        result = run_contract(client, "broken")
    assert not result.passed
    assert result.problems == ["add invalid: expected status 422, got 201"]


def _fastapi_without_validation():
    from fastapi import FastAPI, Request

    app = FastAPI()
    shelf: dict[int, dict] = {}

    @app.get("/books")
    def books() -> list[dict]:
        return list(shelf.values())

    @app.post("/books", status_code=201)
    async def add(request: Request) -> dict:
        book = {"id": len(shelf) + 1, **(await request.json())}
        shelf[book["id"]] = book
        return book

    return app
