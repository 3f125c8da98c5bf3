"""The bookshelf in Flask: an app factory, SQLAlchemy 2 for storage, Marshmallow for validation."""

from __future__ import annotations

from flask import Flask, abort, request
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    """The declarative base of this app's tables."""


class Book(Base):
    """A book row: Flask has no ORM, so this is plain SQLAlchemy."""

    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100))
    year: Mapped[int]


class BookSchema(Schema):
    """What a valid book looks like, in and out."""

    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    author = fields.String(required=True, validate=validate.Length(min=1, max=100))
    year = fields.Integer(required=True, strict=True, validate=validate.Range(1450, 2100))


def create_app(database_url: str = "sqlite://") -> Flask:
    """Build the Flask bookshelf on its own database (in memory by default)."""
    app = Flask(__name__)
    # One in-memory connection shared by every thread, so all requests see one database.
    engine = create_engine(database_url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    schema = BookSchema()

    @app.get("/books")
    def list_books() -> list[dict]:
        with Session(engine) as session:
            return schema.dump(session.scalars(select(Book).order_by(Book.id)), many=True)

    @app.post("/books")
    def add_book() -> tuple[dict, int]:
        try:
            data = schema.load(request.get_json(silent=True) or {})
        except ValidationError as err:
            return {"errors": err.messages}, 422
        with Session(engine) as session:
            book = Book(**data)
            session.add(book)
            session.commit()
            return schema.dump(book), 201

    @app.get("/books/<int:book_id>")
    def get_book(book_id: int) -> dict:
        with Session(engine) as session:
            book = session.get(Book, book_id)
            if book is None:
                abort(404)
            return schema.dump(book)

    return app
