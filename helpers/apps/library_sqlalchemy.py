"""The library schema of the Django app, written in SQLAlchemy 2 (typed declarative style)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    """Base class of the library's tables."""


class Author(Base):
    """A person who wrote books."""

    __tablename__ = "author"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(60))
    books: Mapped[list[Book]] = relationship(back_populates="author")


class Book(Base):
    """A book, written by one author."""

    __tablename__ = "book"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    pages: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))
    author: Mapped[Author] = relationship(back_populates="books")


def make_engine() -> Engine:
    """Create an in-memory SQLite engine with the library's tables."""
    # StaticPool keeps one connection, so every session sees the same in-memory database.
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    return engine
