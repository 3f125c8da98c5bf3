"""API-first with flask-smorest: the same books contract as api_first_fastapi, on Flask with Marshmallow schemas."""

from __future__ import annotations

import threading

from flask import Flask
from flask_smorest import Api, Blueprint, abort
from marshmallow import Schema, fields, validate


class BookIn(Schema):
    """What a client sends to add a book."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"example": "Dune"})
    author = fields.String(
        required=True, validate=validate.Length(min=1, max=100), metadata={"example": "Frank Herbert"}
    )
    year = fields.Integer(
        required=True, validate=validate.Range(1450, 2100), metadata={"description": "Year of first publication"}
    )


class Book(BookIn):
    """A stored book: what the client sent, and its id."""

    id = fields.Integer(required=True, validate=validate.Range(min=1))


def create_app() -> Flask:
    """Build the books API; each call is a new app with its own books."""
    app = Flask(__name__)
    app.config.update(
        API_TITLE="Books API",
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",  # the schema at /openapi.json, as the other two serve it
    )
    api = Api(app)
    blp = Blueprint("books", __name__)
    books: dict[int, dict] = {}
    lock = threading.Lock()  # werkzeug serves each request in its own thread

    @blp.get("/books")
    @blp.response(200, Book(many=True))
    @blp.doc(operationId="list_books")
    def list_books():
        return list(books.values())

    @blp.post("/books")
    @blp.arguments(BookIn)
    @blp.response(201, Book)
    @blp.doc(operationId="add_book")
    def add_book(new):
        with lock:
            stored = {"id": len(books) + 1, **new}
            books[stored["id"]] = stored
        return stored

    @blp.get("/books/<int:book_id>")
    @blp.response(200, Book)
    @blp.alt_response(404, description="No book with this id")
    @blp.doc(operationId="get_book")
    def get_book(book_id):
        if book_id not in books:
            abort(404, message=f"no book with id {book_id}")
        return books[book_id]

    api.register_blueprint(blp)
    return app
