"""The bookshelf in FastAPI: Pydantic models, SQLAlchemy 2, a session by dependency injection."""
# No "from __future__ import annotations" here: FastAPI reads the annotations of the nested routes at runtime.

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    """The declarative base of this app's tables."""


class BookRow(Base):
    """A book row in the database."""

    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100))
    year: Mapped[int]


class BookIn(BaseModel):
    """What a client sends to add a book; FastAPI validates it and answers 422 if wrong."""

    model_config = ConfigDict(strict=True)  # "1999" is not a year: same rule as the other two apps
    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=100)
    year: int = Field(ge=1450, le=2100)


class BookOut(BookIn):
    """A stored book, with its id."""

    model_config = ConfigDict(from_attributes=True)
    id: int


def create_app(database_url: str = "sqlite://") -> FastAPI:
    """Build the FastAPI bookshelf on its own database (in memory by default)."""
    engine = create_engine(database_url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    app = FastAPI(title="Bookshelf")

    def get_session() -> Iterator[Session]:
        # A dependency: FastAPI opens a session per request and closes it afterwards.
        with Session(engine) as session:
            yield session

    # scope="function": close the session before the response goes out, not after (FastAPI's default).
    # The client may send its next request as soon as it has the answer, and every session shares the one
    # in-memory connection: a late close rolls back, and would undo that next request's INSERT.
    SessionDep = Annotated[Session, Depends(get_session, scope="function")]

    # Plain def, not async def: a SQLAlchemy Session blocks while it waits for the database,
    # so FastAPI runs these routes in its thread pool and the event loop stays free.
    # (FastAPI's docs, "Concurrency and async / await"; notebook 02 measures the difference.)
    @app.get("/books")
    def list_books(session: SessionDep) -> list[BookOut]:
        return session.scalars(select(BookRow).order_by(BookRow.id)).all()

    @app.post("/books", status_code=201)
    def add_book(book: BookIn, session: SessionDep) -> BookOut:
        row = BookRow(**book.model_dump())
        session.add(row)
        session.commit()
        return row

    @app.get("/books/{book_id}")
    def get_book(book_id: int, session: SessionDep) -> BookOut:
        row = session.get(BookRow, book_id)
        if row is None:
            raise HTTPException(status_code=404, detail="Book not found")
        return row

    return app


app = create_app()
