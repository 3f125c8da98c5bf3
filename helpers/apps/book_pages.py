"""The same book-list page rendered by Django templates, Flask's Jinja2, FastAPI's Jinja2Templates and a bare Jinja2 Environment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from flask import Flask, render_template

TEMPLATES = Path(__file__).parent / "templates"


def render_django(title: str, books: Iterable[Mapping[str, Any]]) -> str:
    """Render the page with Django's template engine (autoescape is on by default)."""
    from django.template import Context

    return _django_engine().get_template("book_list.html").render(Context({"title": title, "books": list(books)}))


@lru_cache(maxsize=1)
def _django_engine() -> Any:
    from django.template import Engine

    # A standalone Engine reads our template folder without touching the project's settings;
    # the cached loader parses each template once, as Django does when DEBUG is off.
    return Engine(
        dirs=[str(TEMPLATES / "django")],
        loaders=[("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])],
    )


def create_app() -> Flask:
    """Build a Flask app whose templates are the Jinja2 ones."""
    return Flask(__name__, template_folder=str(TEMPLATES / "jinja"))


@lru_cache(maxsize=1)
def _default_app() -> Flask:
    return create_app()


def render_flask(title: str, books: Iterable[Mapping[str, Any]], app: Flask | None = None) -> str:
    """Render the page the way a Flask view does (autoescape on for .html templates)."""
    app = app or _default_app()
    with app.app_context():
        return render_template("book_list.html", title=title, books=list(books))


@lru_cache(maxsize=1)
def starlette_templates() -> Any:
    """Return FastAPI's documented template helper (Starlette's Jinja2Templates) on the Jinja2 templates."""
    from fastapi.templating import Jinja2Templates

    return Jinja2Templates(directory=TEMPLATES / "jinja")


def render_starlette(title: str, books: Iterable[Mapping[str, Any]]) -> str:
    """Render the page as a FastAPI route's TemplateResponse would (Jinja2Templates turns autoescape on)."""
    # TemplateResponse needs a request; the template and its environment are the same without one.
    return starlette_templates().get_template("book_list.html").render(title=title, books=list(books))


def bare_environment() -> jinja2.Environment:
    """Return a Jinja2 Environment created with its defaults."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / "jinja"))


def safe_environment() -> jinja2.Environment:
    """Return a Jinja2 Environment that escapes .html templates, as Flask does."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "jinja"),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"]),
    )


def render_jinja(title: str, books: Iterable[Mapping[str, Any]], env: jinja2.Environment | None = None) -> str:
    """Render the page with a Jinja2 Environment (the bare one unless `env` is given)."""
    env = env or _bare()
    return env.get_template("book_list.html").render(title=title, books=list(books))


@lru_cache(maxsize=1)
def _bare() -> jinja2.Environment:
    return bare_environment()
