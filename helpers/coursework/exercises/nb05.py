"""Exercises of 05_web_layer: predict which renderer escapes, make Jinja2 safe, write a strict validator."""

from __future__ import annotations

from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("05")

HOSTILE = "<script>alert('pwned')</script>"

# Exercise 05.2: the names of page templates a safe environment must escape (the notebook's pages are .html).
PAGE_TEMPLATES = ("book.html", "pages/list.html")

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
# Inputs the notebook doesn't print: a validator must follow rules, not the examples it was shown.
UNSEEN_ACCEPT: list[dict[str, Any]] = [
    {"title": "Neuromancer", "year": 1984},
    {"title": "Q", "year": 2024},
    {"title": "The Left Hand of Darkness", "year": 1969},
]
UNSEEN_REJECT: list[tuple[str, dict[str, Any], str]] = [
    (
        "year true",
        {"title": "Dune", "year": True},
        "a boolean is not a year, even though Python counts True as an int (isinstance(True, int) holds).",
    ),
    ("year as words", {"title": "Dune", "year": "soon"}, "a year is a whole number, not text."),
    ("year 1965.5", {"title": "Dune", "year": 1965.5}, "a year is a whole number."),
    ("year null", {"title": "Dune", "year": None}, "a year must be given, as a whole number."),
    ("title missing", {"year": 1965}, "a book needs its title as much as its year."),
    ("title null", {"title": None, "year": 1965}, "a title must be given, as text."),
    ("title a number", {"title": 42, "year": 1965}, 'a title is text: turning 42 into "42" is coercion too.'),
    (
        "another unknown field",
        {"title": "Dune", "year": 1965, "is_admin": True},
        "any field the book doesn't have must be refused, not only the one the notebook printed.",
    ),
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
    "predict which renderers leave the script live",
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
    data=True,
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
    hint="A bare Environment keeps Jinja2's own default: no escaping, because Jinja2 renders more than HTML. "
    "One argument of Environment decides it, and it can depend on the template's file name, the way Flask "
    "escapes its .html templates. The page's templates are .html files.",
    solution="""
        import jinja2

        # A bare Environment's default is autoescape=False (Jinja2 renders more than HTML).
        # select_autoescape() decides by the template's name: it turns escaping on for .html/.xml
        # templates and, with default_for_string=True (its default), for templates made from strings
        # too: the same choice Flask and Starlette's Jinja2Templates make.
        answer = jinja2.Environment(autoescape=jinja2.select_autoescape(["html", "xml"]))
    """,
    praise="Hostile titles now arrive in the browser as text, not as code.",
)
def safe_jinja(answer: Any) -> str | None:
    import jinja2

    if not isinstance(answer, jinja2.Environment):
        return f"the answer should be a jinja2.Environment, not a {type(answer).__name__}."
    if type(answer) is not jinja2.Environment:
        # A subclass of one's own could behave one way for the check and another for the page.
        return (
            f"the answer is a subclass of Environment ({type(answer).__name__}); the lesson is one setting of "
            "jinja2.Environment itself: make the answer with jinja2.Environment(...)."
        )
    if answer.autoescape is jinja2.select_autoescape:
        return (
            "you passed the function select_autoescape itself, not the setting it returns when you call it: "
            "Jinja2 calls it with each template's name and takes what comes back (a function, always true) as "
            "yes, so it escapes every template by accident, whatever its kind."
        )
    # The lesson is about the page templates, the files render_template loads: judge a .html template by its
    # name, with the answer's own settings, whatever loader the answer has.
    # Built here from the answer's escaping settings, not through its methods (an instance attribute can shadow them).
    pages = jinja2.Environment(
        autoescape=answer.autoescape,
        finalize=answer.finalize,
        loader=jinja2.DictLoader({name: "<li>{{ title }}</li>" for name in PAGE_TEMPLATES}),
    )
    for name in PAGE_TEMPLATES:
        out = pages.get_template(name).render(title=HOSTILE)
        if "<script>" in out:
            strings = pages.from_string("<li>{{ title }}</li>").render(title=HOSTILE)
            also = (
                " Templates made from strings do come out escaped: which file names does your setting escape?"
                if "<script>" not in strings
                else ""
            )
            return f"your environment rendered the hostile title in the template {name!r} as live HTML: {out!r}.{also}"
        if "&lt;script&gt;" not in out or "&amp;lt;" in out:
            return f"the hostile title in {name!r} should come out escaped once, as &lt;script&gt;: got {out!r}."
    return None


@exercise(
    "05.3",
    "a validator that says no",
    hint='Sort the inputs to reject by what lets each one through. Two are coercion: "1965" and 1965.0 get '
    "turned into 1965. One is a rule nobody wrote (how short may a title be?), and one is data nobody asked for. "
    "Each library has a setting or a check for each; its docs call the first one 'strict'. Write rules, not a "
    "list of examples: the check also tries books the notebook doesn't print.",
    solution='''
        # Two rejections come from coercion ("1965" and 1965.0 would be turned into 1965),
        # one from a missing rule (an empty title) and one from extra data: strict mode,
        # a minimum length, and extra="forbid" cover all of them; a missing field fails by itself.
        # Strict mode also refuses a boolean year (in Python True is an int) and a title that is a number.
        from pydantic import BaseModel, ConfigDict, Field


        class StrictBook(BaseModel):
            """A title and a year, no coercion and no extra fields."""

            model_config = ConfigDict(strict=True, extra="forbid")
            title: str = Field(min_length=1)
            year: int


        answer = StrictBook
    ''',
    praise="Your validator refuses exactly what it should, and nothing more, on books it had never seen too.",
)
def strict_validator(answer: Any) -> str | None:
    import copy
    import json

    from helpers.components.validation_table import accepts

    def said(payload: dict[str, Any]) -> str:
        return json.dumps(payload)  # as the client sent it: true, null, "1965"

    try:
        accepts(answer, copy.deepcopy(ACCEPT[0]))
    except TypeError as exc:
        return str(exc)
    for payload in ACCEPT:
        ok, error = accepts(answer, copy.deepcopy(payload))
        if not ok:
            return f"your validator rejected the good input {said(payload)} ({error}); it must accept it."
    for label, payload in REJECT:
        ok, _ = accepts(answer, copy.deepcopy(payload))
        if ok:
            return f"your validator accepted {said(payload)} ({label}); it must reject it."
    for payload in UNSEEN_ACCEPT:
        ok, error = accepts(answer, copy.deepcopy(payload))
        if not ok:
            return (
                f"your validator rejected {said(payload)}, a good book the notebook didn't print ({error}): "
                "a validator states rules (types, lengths, fields), not a list of the books it has seen."
            )
    for label, payload, why in UNSEEN_REJECT:
        ok, _ = accepts(answer, copy.deepcopy(payload))
        if ok:
            return f"your validator accepted {said(payload)}, which the notebook didn't print ({label}): {why}"
    return None
