"""The CMS models with Flask-SQLAlchemy: the same three tables as cms_django.models."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

db = SQLAlchemy()

STATUSES = ("draft", "review", "published")


class Author(db.Model):
    """A person who writes articles."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), default="")

    def __str__(self) -> str:
        return self.name


class Section(db.Model):
    """A part of the site, like News or Opinion."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)

    def __str__(self) -> str:
        return self.name


class Article(db.Model):
    """A piece of content that staff draft, review and publish."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))
    author: Mapped[Author] = relationship()
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    section: Mapped[Section] = relationship()
    updated: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC), onupdate=lambda: datetime.now(UTC))

    def __str__(self) -> str:
        return self.title
