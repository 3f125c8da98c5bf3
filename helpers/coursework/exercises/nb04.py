"""Exercises of 04_components."""
from __future__ import annotations

from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("04")

HOSTILE = "<script>alert('pwned')</script>"

# Exercise 04.3: a validator must accept every ACCEPT and reject every REJECT.
ACCEPT: list[dict[str, Any]] = [
    {"title": "Dune", "year": 1965},
    {"title": "Emma", "year": 1815},
]
REJECT: list[tuple[str, dict[str, Any]]] = [
    ("year as a string", {"title": "Dune", "year": "1965"}),
    ("year as a float", {"title": "Dune", "year": 1965.0}),
    ("empty title", {"title": "", "year": 1965}),
    ("missing year", {"title": "Dune"}),
    ("an unknown field", {"title": "Dune", "year": 1965, "price": 9}),
]


def _library_ready() -> None:
    from helpers.serving.django_kernel import setup_django

    setup_django()
    from helpers.apps.library_django.models import Book
    from helpers.components.library_data import load_django, make_data

    if not Book.objects.exists():  # the check works even before the notebook loaded its data
        load_django(make_data(20, 5))


@exercise(
    "04.1",
    "fix the N+1 loop",
    hint="Ask the queryset to fetch the authors with the books: `.select_related(\"author\")` (a JOIN) "
         "or `.prefetch_related(\"author\")` (one extra query).",
    solution='''
        from helpers.serving.django_kernel import setup_django

        setup_django()
        from helpers.apps.library_django.models import Book


        def book_labels():
            """Return "title by author" for every book, in two queries at most."""
            books = Book.objects.select_related("author").order_by("id")
            return [f"{book.title} by {book.author.name}" for book in books]


        answer = book_labels
    ''',
    praise="The authors now come with the books, so the loop no longer queries once per book.",
)
def fix_n_plus_one(answer: Any) -> str | None:
    from helpers.apps import library_queries
    from helpers.components.query_count import count_django

    if not callable(answer):
        return f"the answer should be a function that returns the labels, not a {type(answer).__name__}."
    _library_ready()
    expected = library_queries.book_labels_django_fixed()
    with count_django() as log:
        got = answer()
    if not isinstance(got, list):
        return f"your function should return a list of strings, it returned a {type(got).__name__}."
    if got != expected:
        return (f"your function returned {len(got)} labels, starting {got[:2]!r}; "
                f"expected {len(expected)}, starting {expected[:2]!r} (ordered by id).")
    if log.count > 2:
        return f"the labels are right, but your function sent {log.count} queries; get it down to 2 or fewer."
    return None


@exercise(
    "04.2",
    "make a bare Jinja2 environment safe",
    hint="`jinja2.Environment(autoescape=True)` escapes everything; "
         "`autoescape=jinja2.select_autoescape()` escapes .html files and strings, as Flask does.",
    solution='''
        import jinja2

        answer = jinja2.Environment(autoescape=jinja2.select_autoescape(["html", "xml"]))
    ''',
    praise="Hostile titles now arrive in the browser as text, not as code.",
)
def safe_jinja(answer: Any) -> str | None:
    import jinja2

    if not isinstance(answer, jinja2.Environment):
        return f"the answer should be a jinja2.Environment, not a {type(answer).__name__}."
    out = answer.from_string("<li>{{ title }}</li>").render(title=HOSTILE)
    if "<script>" in out:
        return f"your environment rendered the hostile title as live HTML: {out!r}; it should come out escaped."
    if "&lt;script&gt;" not in out:
        return f"the hostile title did not come out escaped as &lt;script&gt;: got {out!r}."
    return None


@exercise(
    "04.3",
    "a validator that says no",
    hint="In Pydantic: `model_config = ConfigDict(strict=True, extra=\"forbid\")` and "
         "`title: str = Field(min_length=1)`; in Marshmallow: `fields.Integer(strict=True)`.",
    solution='''
        from pydantic import BaseModel, ConfigDict, Field


        class StrictBook(BaseModel):
            """A title and a year, no coercion and no extra fields."""

            model_config = ConfigDict(strict=True, extra="forbid")
            title: str = Field(min_length=1)
            year: int


        answer = StrictBook
    ''',
    praise="Your validator refuses exactly what it should, and nothing more.",
)
def strict_validator(answer: Any) -> str | None:
    from helpers.components.validation_table import accepts

    try:
        accepts(answer, ACCEPT[0])
    except TypeError as exc:
        return str(exc)
    for payload in ACCEPT:
        ok, error = accepts(answer, payload)
        if not ok:
            return f"your validator rejected the good input {payload!r} ({error}); it must accept it."
    for label, payload in REJECT:
        ok, _ = accepts(answer, payload)
        if ok:
            return f"your validator accepted {payload!r} ({label}); it must reject it."
    return None
