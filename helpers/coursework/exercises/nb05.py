"""Exercises of 05_web_layer: predict which renderer escapes, make Jinja2 safe, write a strict validator."""

from __future__ import annotations

from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("05")

HOSTILE = "<script>alert('pwned')</script>"

# Exercise 05.1: the renderers the notebook runs with a hostile title.
RENDERERS = ("Django templates", "Flask render_template", "FastAPI Jinja2Templates", "bare jinja2.Environment()")

# Exercise 05.3: a validator must accept every ACCEPT and reject every REJECT.
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


def unsafe_renderers() -> set[str]:
    """Render the hostile title with each renderer and return those that let the script through."""
    from helpers.apps import book_pages

    books = [{"title": HOSTILE, "year": 2024}]
    pages = {
        "Django templates": book_pages.render_django("New books", books),
        "Flask render_template": book_pages.render_flask("New books", books),
        "FastAPI Jinja2Templates": book_pages.render_starlette("New books", books),
        "bare jinja2.Environment()": book_pages.render_jinja("New books", books),
    }
    return {name for name, page in pages.items() if "<script>" in page}


@exercise(
    "05.1",
    "predict which renderers escape",
    hint="Ask of each one who created the Jinja2 (or Django) environment, and whether that code chose "
    "to turn autoescaping on; Jinja2's own default is off.",
    solution="""
        # Django's engine escapes every variable unless told not to.
        # Flask creates its Jinja2 environment with autoescaping on for .html templates,
        # and Starlette's Jinja2Templates (what FastAPI documents) passes select_autoescape().
        # Only an Environment() you create yourself keeps Jinja2's default: autoescape=False.
        answer = {"bare jinja2.Environment()"}
    """,
    praise="Right: every framework's own way escapes; only the environment you create yourself does not, until you ask.",
)
def predict_escaping(answer: Any) -> str | None:
    if isinstance(answer, str):
        answer = {answer}
    if not isinstance(answer, (set, list, tuple, frozenset)):
        return f"the answer should be a set of renderer names, not a {type(answer).__name__}."
    unknown = sorted(set(answer) - set(RENDERERS))
    if unknown:
        return f"{unknown} is not one of the renderers; choose from {list(RENDERERS)}."
    unsafe = unsafe_renderers()
    answer = set(answer)
    if answer == unsafe:
        return None
    if "FastAPI Jinja2Templates" in answer:
        return (
            "FastAPI's documented way, Starlette's Jinja2Templates, creates its environment with "
            "select_autoescape(): run the next cell and look at its row."
        )
    if answer - unsafe:
        return f"{sorted(answer - unsafe)} escaped the title; which renderer is left with Jinja2's own default?"
    return f"one renderer you left out lets the script through: {len(unsafe - answer)} missing."


@exercise(
    "05.2",
    "make a bare Jinja2 environment safe",
    hint="`jinja2.Environment(autoescape=True)` escapes everything; "
    "`autoescape=jinja2.select_autoescape()` escapes .html files and strings, as Flask does.",
    solution="""
        import jinja2

        # A bare Environment's default is autoescape=False (Jinja2 renders more than HTML).
        # select_autoescape() turns escaping on for .html/.xml templates and, with
        # default_for_string=True (its default), for templates made from strings too:
        # the same choice Flask and Starlette's Jinja2Templates make.
        answer = jinja2.Environment(autoescape=jinja2.select_autoescape(["html", "xml"]))
    """,
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
    "05.3",
    "a validator that says no",
    hint='In Pydantic: `model_config = ConfigDict(strict=True, extra="forbid")` and '
    "`title: str = Field(min_length=1)`; in Marshmallow: `fields.Integer(strict=True)`.",
    solution='''
        # Two rejections come from coercion ("1965" and 1965.0 would be turned into 1965),
        # one from a missing rule (an empty title) and one from extra data: strict mode,
        # a minimum length, and extra="forbid" cover all of them; a missing field fails by itself.
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
