"""API-first with Django Ninja: the same books contract as api_first_fastapi, on Django."""

from __future__ import annotations

import itertools
from typing import Any

from django.urls import path
from ninja import Field, NinjaAPI, Schema, Status

_namespaces = itertools.count(1)


class BookIn(Schema):
    """What a client sends to add a book."""

    title: str = Field(min_length=1, max_length=200, examples=["Dune"])
    author: str = Field(min_length=1, max_length=100, examples=["Frank Herbert"])
    year: int = Field(ge=1450, le=2100, description="Year of first publication")


class Book(BookIn):
    """A stored book: what the client sent, and its id."""

    id: int = Field(ge=1)


class Missing(Schema):
    """The body of a 404."""

    detail: str


def create_api() -> NinjaAPI:
    """Build the books API; each call is a new API with its own books."""
    # Ninja refuses two APIs under one URL namespace; a notebook may build the app again.
    api = NinjaAPI(title="Books API", version="1.0.0", urls_namespace=f"books-{next(_namespaces)}")
    books: dict[int, Book] = {}

    @api.get("/books", response=list[Book], operation_id="list_books")
    def list_books(request):
        return list(books.values())

    @api.post("/books", response={201: Book}, operation_id="add_book")
    def add_book(request, new: BookIn):
        stored = Book(id=len(books) + 1, **new.model_dump())
        books[stored.id] = stored
        return Status(201, stored)  # Ninja 1.7 deprecates the old `return 201, stored`

    @api.get("/books/{book_id}", response={200: Book, 404: Missing}, operation_id="get_book")
    def get_book(request, book_id: int):
        if book_id not in books:
            return Status(404, {"detail": f"no book with id {book_id}"})
        return books[book_id]

    return api


def urlpatterns_for(api: NinjaAPI) -> list[Any]:
    """Return URL patterns that mount `api` at the site's root (/books, /openapi.json, /docs)."""
    return [path("", api.urls)]
