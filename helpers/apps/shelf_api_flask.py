"""The bookshelf API in Flask: flask-smorest (Marshmallow schemas, OpenAPI) and Flask-JWT-Extended to delete."""

from __future__ import annotations

import secrets
import threading
from datetime import timedelta
from itertools import count

from flask import Flask
from flask.views import MethodView
from flask_jwt_extended import JWTManager, create_access_token, get_jwt_identity, jwt_required, verify_jwt_in_request
from flask_smorest import Api, Blueprint, abort
from marshmallow import Schema, fields, validate
from werkzeug.security import check_password_hash, generate_password_hash


class BookIn(Schema):
    """What a client sends to add a book."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    author = fields.String(required=True, validate=validate.Length(min=1, max=100))
    year = fields.Integer(required=True, strict=True, validate=validate.Range(1450, 2100))


class BookOut(BookIn):
    """A stored book, with its id."""

    id = fields.Integer(required=True)


class Credentials(Schema):
    """A username and password."""

    username = fields.String(required=True)
    password = fields.String(required=True)


class Token(Schema):
    """A signed bearer token (a JWT)."""

    access_token = fields.String(required=True)
    token_type = fields.String(required=True)


def issue_token(app: Flask, username: str, minutes: float) -> str:
    """Sign a JWT for `username` with the app's key, expiring after `minutes` (negative: already expired)."""
    with app.app_context():
        return create_access_token(identity=username, expires_delta=timedelta(minutes=minutes))


def create_app(users: dict[str, str] | None = None, token_minutes: int = 15) -> Flask:
    """Build the API; `users` maps usernames to passwords, stored only as hashes."""
    app = Flask(__name__)
    app.config.update(
        API_TITLE="Bookshelf (flask-smorest)",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",  # serve the generated schema at /openapi.json
        JWT_SECRET_KEY=secrets.token_urlsafe(32),  # fresh per app: tokens never outlive it
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(minutes=token_minutes),
    )
    # Werkzeug's hasher, Flask's own; it picks a slow, salted scrypt by default.
    app.config["USERS"] = {name: generate_password_hash(pw) for name, pw in (users or {}).items()}
    books: dict[int, dict] = {}
    ids = count(1)
    lock = threading.Lock()  # werkzeug serves each request in its own thread
    JWTManager(app)
    api = Api(app)
    blp = Blueprint("books", __name__, description="The bookshelf")

    @blp.route("/books")
    class Books(MethodView):
        @blp.response(200, BookOut(many=True))
        def get(self):
            return list(books.values())

        @blp.arguments(BookIn)
        @blp.response(201, BookOut)
        def post(self, data):
            verify_jwt_in_request(optional=True)  # a logged-in user owns what they add
            with lock:
                book = {"id": next(ids), **data, "owner": get_jwt_identity()}
                books[book["id"]] = book
            return book

    @blp.route("/books/<int:book_id>")
    class OneBook(MethodView):
        @blp.response(200, BookOut)
        def get(self, book_id):
            if book_id not in books:
                abort(404, message="Book not found")
            return books[book_id]

        @jwt_required()
        @blp.response(200)
        def delete(self, book_id):
            if book_id not in books:
                abort(404, message="Book not found")
            if books[book_id]["owner"] != get_jwt_identity():
                abort(403, message="Only the book's owner may delete it")
            with lock:
                books.pop(book_id, None)
            return {"deleted": book_id}

    @blp.route("/auth/token", methods=["POST"])
    @blp.arguments(Credentials)
    @blp.response(200, Token)
    def token(credentials):
        stored = app.config["USERS"].get(credentials["username"])
        if stored is None or not check_password_hash(stored, credentials["password"]):
            abort(401, message="Wrong username or password")
        return {"access_token": create_access_token(identity=credentials["username"]), "token_type": "bearer"}

    api.register_blueprint(blp)
    return app
