"""Exercises of 05_web_layer: predict which renderer escapes, make Jinja2 safe, write a strict validator, say what
each generated OpenAPI schema leaves out, predict authentication and CSRF statuses, and say which tests see the
previous test's data."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from helpers.coursework.exercise import ExerciseSet


def chosen_names(answer: Any, choices: Iterable[str], what: str) -> set[str] | str:
    """Return the names a learner picked out of `choices` as a set, or what is wrong with the answer's shape."""
    if isinstance(answer, str):
        answer = {answer}
    if not isinstance(answer, (set, list, tuple, frozenset)):
        return f"the answer should be a set of {what} names, not a {type(answer).__name__}."
    unknown = sorted(set(answer) - set(choices))
    if unknown:
        return f"{unknown} is not one of the {what}s; choose from {list(choices)}."
    return set(answer)


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
    answer = chosen_names(answer, RENDERERS, "renderer")
    if isinstance(answer, str):
        return answer
    unsafe = unsafe_renderers()
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


def _pages(autoescape: Any, finalize: Any, names: list[str], title: str) -> dict[str, Any]:
    """Render `title` in templates called `names`, and in one made from a string, with these escaping settings."""
    import jinja2

    pages = jinja2.Environment(
        autoescape=autoescape,
        finalize=finalize,
        loader=jinja2.DictLoader({name: "<li>{{ title }}</li>" for name in names}),
    )
    return {
        "pages": {name: str(pages.get_template(name).render(title=title)) for name in names},
        "string": str(pages.from_string("<li>{{ title }}</li>").render(title=title)),
    }


def _own_settings(autoescape: Any) -> dict[str, Any] | None:
    """Return `autoescape` as data when it is Jinja2's own (a bool, or what select_autoescape returned), else None."""
    import jinja2

    if type(autoescape) is bool:
        return {"autoescape": autoescape}
    made = jinja2.select_autoescape()
    if getattr(autoescape, "__code__", None) is not made.__code__ or autoescape.__closure__ is None:
        return None
    cells = dict(zip(autoescape.__code__.co_freevars, (c.cell_contents for c in autoescape.__closure__)))
    return {
        "select": {
            "enabled": [str(x).lstrip(".") for x in cells["enabled_patterns"]],
            "disabled": [str(x).lstrip(".") for x in cells["disabled_patterns"]],
            "default_for_string": cells["default_for_string"] is True,
            "default": cells["default"] is True,
        }
    }


def rendered(answer: Any, names: list[str], title: str) -> dict[str, Any]:
    """Return the answer's escaping settings as data, or else the pages they render (`title` in templates `names`).

    05.2's port: {"settings": ...} when the answer uses Jinja2's own settings (a bool or select_autoescape(...),
    no finalize), which the check then renders with in its own process; {"pages": {name: html}, "string": html}
    when a function of the answer's own decides; or what is wrong ({"kind"}, {"subclass"}, {"uncalled"}, {"raised"}).
    """
    import jinja2

    if not isinstance(answer, jinja2.Environment):
        return {"kind": type(answer).__name__}
    if type(answer) is not jinja2.Environment:
        return {"subclass": type(answer).__name__}
    if answer.autoescape is jinja2.select_autoescape:
        return {"uncalled": True}
    settings = _own_settings(answer.autoescape)
    if settings is not None and answer.finalize is None:
        return {"settings": settings}
    # The lesson is about the page templates, the files render_template loads: judge a .html template by its
    # name, with the answer's own settings, whatever loader the answer has.
    # Built here from the answer's escaping settings, not through its methods (an instance attribute can shadow them).
    try:
        return _pages(answer.autoescape, answer.finalize, names, title)
    except Exception as exc:  # noqa: BLE001 - the answer's settings failed: the check says how
        return {"raised": f"{type(exc).__name__}: {exc}"}


def _settings_pages(settings: Any, names: list[str], title: str) -> dict[str, Any] | None:
    """Render with settings sent as data (what _own_settings returns), here; None when they are not such data."""
    import jinja2

    if not isinstance(settings, dict):
        return None
    if type(settings.get("autoescape")) is bool:
        return _pages(settings["autoescape"], None, names, title)
    select = settings.get("select")
    if not isinstance(select, dict):
        return None
    enabled, disabled = select.get("enabled"), select.get("disabled")
    flags = (select.get("default_for_string"), select.get("default"))
    if not all(isinstance(x, list) and all(isinstance(e, str) for e in x) for x in (enabled, disabled)):
        return None
    if not all(type(f) is bool for f in flags):
        return None
    return _pages(jinja2.select_autoescape(enabled, disabled, *flags), None, names, title)


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
    served="call",
    port=rendered,
)
def safe_jinja(answer: Any) -> str | None:
    import random
    import string

    from helpers.coursework.served import Remote, bind

    if not isinstance(answer, Remote) and not callable(getattr(answer, "from_string", None)):
        return f"the answer should be a jinja2.Environment, not a {type(answer).__name__}."
    # The notebook's page names, one more and a title no answer knows in advance; in grading, the replay renders
    # them with the answer's settings and only the pages come back here.
    draw = random.SystemRandom()
    token = "".join(draw.choice(string.ascii_lowercase) for _ in range(8))
    names = [*PAGE_TEMPLATES, f"{token}/index.html"]
    title = f"<script>alert('{token}')</script>"
    got = bind(answer, rendered)(names, title)
    if not isinstance(got, dict):
        return "your environment could not be asked to render a page."
    if "kind" in got:
        return f"the answer should be a jinja2.Environment, not a {got['kind']}."
    if "subclass" in got:
        # A subclass of one's own could behave one way for the check and another for the page.
        return (
            f"the answer is a subclass of Environment ({got['subclass']}); the lesson is one setting of "
            "jinja2.Environment itself: make the answer with jinja2.Environment(...)."
        )
    if got.get("uncalled"):
        return (
            "you passed the function select_autoescape itself, not the setting it returns when you call it: "
            "Jinja2 calls it with each template's name and takes what comes back (a function, always true) as "
            "yes, so it escapes every template by accident, whatever its kind."
        )
    if "raised" in got:
        return f"rendering a page with your environment's settings raised {got['raised']}"
    if "settings" in got:  # Jinja2's own settings, as data: the pages are rendered here, not where the answer is
        got = _settings_pages(got["settings"], names, title)
        if got is None:
            return "your environment's settings did not come back as Jinja2's own."
    pages, strings = got.get("pages"), got.get("string")
    if not isinstance(pages, dict) or not isinstance(strings, str):
        return "your environment's pages did not come back as text."
    once = "&lt;script&gt;alert(&#39;" + token
    for name in names:
        out = pages.get(name)
        if not isinstance(out, str):
            return f"the template {name!r} did not render."
        if "<script>" in out:
            also = (
                " Templates made from strings do come out escaped: which file names does your setting escape?"
                if "<script>" not in strings
                else ""
            )
            return f"your environment rendered the hostile title in the template {name!r} as live HTML: {out!r}.{also}"
        if once not in out or "&amp;lt;" in out:
            return f"the hostile title in {name!r} should come out escaped once, as &lt;script&gt;: got {out!r}."
    return None


def _accepts(validator: Any, payload: dict[str, Any]) -> tuple[bool, str]:
    """Return (accepted?, the error when not): the port 05.3's check calls a validator through."""
    from helpers.components.validation_table import accepts

    return accepts(validator, payload)


def unseen_books() -> tuple[dict[str, Any], list[tuple[str, dict[str, Any], str]]]:
    """Return a good book drawn at random and bad ones made from it: inputs no answer can know in advance."""
    import random
    import string

    draw = random.SystemRandom()
    title = "".join(draw.choice(string.ascii_letters) for _ in range(draw.randint(1, 16)))
    good = {"title": title, "year": draw.randint(1450, 2100)}
    field = "".join(draw.choice(string.ascii_lowercase) for _ in range(8))
    return good, [
        ("its year as text", {**good, "year": str(good["year"])}, "a year is a whole number, not text."),
        ("a field it doesn't have", {**good, field: 1}, "a book has only a title and a year."),
    ]


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
    served="call",
    port=_accepts,
)
def strict_validator(answer: Any) -> str | None:
    import copy
    import json

    from helpers.coursework.served import bind

    accepts = bind(answer, _accepts)  # in grading, the judge sends the books where the replay serves the answer

    def said(payload: dict[str, Any]) -> str:
        return json.dumps(payload)  # as the client sent it: true, null, "1965"

    try:
        accepts(copy.deepcopy(ACCEPT[0]))
    except TypeError as exc:
        return str(exc)
    fresh, rejects = unseen_books()
    for payload in ACCEPT:
        ok, error = accepts(copy.deepcopy(payload))
        if not ok:
            return f"your validator rejected the good input {said(payload)} ({error}); it must accept it."
    for label, payload in REJECT:
        ok, _ = accepts(copy.deepcopy(payload))
        if ok:
            return f"your validator accepted {said(payload)} ({label}); it must reject it."
    for payload in [*UNSEEN_ACCEPT, fresh]:
        ok, error = accepts(copy.deepcopy(payload))
        if not ok:
            return (
                f"your validator rejected {said(payload)}, a good book the notebook didn't print ({error}): "
                "a validator states rules (types, lengths, fields), not a list of the books it has seen."
            )
    for label, payload, why in [*UNSEEN_REJECT, *rejects]:
        ok, _ = accepts(copy.deepcopy(payload))
        if ok:
            return f"your validator accepted {said(payload)}, which the notebook didn't print ({label}): {why}"
    return None


# Exercise 05.4: the three shelf APIs, and the path prefix each one's schema puts before /books.
SCHEMA_APIS: dict[str, str] = {"Django Ninja": "/ninja", "flask-smorest": "", "FastAPI": ""}


def generated_schemas() -> dict[str, dict[str, Any]]:
    """Build the three shelf APIs in this process and return the OpenAPI schema each one generates."""
    import warnings

    from django.test import Client

    from helpers.apps import shelf_api_fastapi, shelf_api_flask
    from helpers.apps.shelf_api_django import urls
    from helpers.serving.django_kernel import set_urls

    set_urls("shelf-api", urls.urlpatterns)  # what the notebook sets; the same patterns again change nothing
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a learner checking an answer needs no note about a library's future
        return {
            "Django Ninja": Client().get("/ninja/openapi.json").json(),
            "flask-smorest": shelf_api_flask.create_app().test_client().get("/openapi.json").get_json(),
            "FastAPI": shelf_api_fastapi.create_app().openapi(),
        }


def schema_gaps() -> dict[str, set[str]]:
    """Return, for each shelf API, the SCHEMA_FACTS its generated schema leaves out."""
    from helpers.components.apis import facts_left_out

    return {api: facts_left_out(schema, SCHEMA_APIS[api]) for api, schema in generated_schemas().items()}


_GAPS_EXAMPLE = '{"Django Ninja": {"401"}, "flask-smorest": set(), "FastAPI": set()}'

# Why a schema leaves a fact out, or states it: what a learner who guessed the other way needs to hear.
_LEFT_OUT_BECAUSE: dict[Any, str] = {
    "401": "the 401 comes from the token check at run time; a generator lists only the responses a route "
    "declares, and no route here declares 401.",
    "403": "the 403 is raised inside the function, and no generator reads a function's body; only a declared "
    "response reaches the schema.",
    "404": "the 404 comes from inside the function (an abort, a raise, get_object_or_404), where no generator "
    "looks, though the contract saw it answered.",
    "422": "the 422 the contract saw is sent at run time, and this route declares no such response.",
    ("Django Ninja", "422"): "Django Ninja documents the responses its response argument lists, and this route "
    "lists 201 only; the 422 the contract saw is sent at run time, undeclared.",
    "token": "the token check is not one the generator knows, so the DELETE requires no security scheme.",
    ("flask-smorest", "token"): "jwt_required comes from Flask-JWT-Extended, an extension flask-smorest knows "
    "nothing about, so the schema has no security scheme at all.",
    "year range": "the year field's bounds did not reach this schema.",
}
_STATED_BECAUSE: dict[Any, str] = {
    "401": "this schema does list 401 for the DELETE: look at that operation's responses.",
    "403": "this schema does list 403 for the DELETE: look at that operation's responses.",
    "404": "this schema does list 404 for a missing book: look at that operation's responses.",
    "422": "the tool documents the 422 it sends when a body fails validation, without being asked: "
    "flask-smorest's arguments decorator and FastAPI's body parameters both add it.",
    "token": "the route names its security helper where the generator reads it (Ninja's auth argument, "
    "FastAPI's OAuth2PasswordBearer dependency), so the DELETE requires a security scheme.",
    "year range": "validators become JSON Schema: Pydantic's ge and le, and Marshmallow's validate.Range through "
    "apispec, turn into minimum and maximum.",
}


@exercise(
    "05.4",
    "say what each generated OpenAPI schema leaves out",
    hint="A generator reads what each route declares, never what its body does: the decorator's arguments, the "
    "parameter types and their validators, and the security helpers the tool itself provides. For each fact, find "
    "where the code says it: in a declaration the tool reads, only in a raise or abort at run time, or in an "
    "extension the tool knows nothing of. The docs linked above say which tools document a validation error "
    "by themselves.",
    solution="""
        # A generator writes what a route declares, never what its body does at run time.
        # 401, 403 and 404 are raised inside the functions (or by the token check), and no route declares
        # them: all three schemas leave them out, though the contract and the delete test saw them answered.
        # 422: flask-smorest's arguments decorator and FastAPI's body parameter document it by themselves;
        # Django Ninja writes only what response= lists, here 201.
        # The token: Ninja's auth= and FastAPI's OAuth2PasswordBearer dependency are the tools' own, so the
        # DELETE requires a security scheme; Flask-JWT-Extended's jwt_required is unknown to flask-smorest.
        # The year's bounds: ge/le and validate.Range all become minimum and maximum.
        answer = {
            "Django Ninja": {"401", "403", "404", "422"},
            "flask-smorest": {"401", "403", "404", "token"},
            "FastAPI": {"401", "403", "404"},
        }
    """,
    praise="A generated schema says what the code declares, and nothing the code only does: the contract is "
    "still what tells you how the API behaves.",
    data=True,
)
def predict_schema_gaps(answer: Any) -> str | None:
    from helpers.components.apis import SCHEMA_FACTS

    shape = f"the answer should be a dict from each API to the set of facts its schema leaves out, like {_GAPS_EXAMPLE}"
    if not isinstance(answer, dict):
        return f"{shape}, not a {type(answer).__name__}."
    missing, unknown = sorted(set(SCHEMA_APIS) - set(answer)), sorted(set(answer) - set(SCHEMA_APIS), key=str)
    if unknown:
        return f"{unknown} is not one of the APIs; the keys are {list(SCHEMA_APIS)}."
    if missing:
        return f"give a set for every API (set() if its schema leaves nothing out): {missing} has none yet."
    said: dict[str, set[str]] = {}
    for api in SCHEMA_APIS:
        picked = set() if answer[api] == {} else chosen_names(answer[api], SCHEMA_FACTS, "fact")
        if isinstance(picked, str):
            return f'"{api}": {picked}'
        said[api] = picked
    truth = schema_gaps()
    wrong = [(api, fact) for api in SCHEMA_APIS for fact in SCHEMA_FACTS if (fact in said[api]) != (fact in truth[api])]
    if not wrong:
        return None
    api, fact = wrong[0]
    more = f" ({len(wrong) - 1} more to look at after this one.)" if len(wrong) > 1 else ""
    if fact in truth[api]:
        why = _LEFT_OUT_BECAUSE.get((api, fact), _LEFT_OUT_BECAUSE[fact])
        return f'the {api} schema leaves out "{fact}": {why}{more}'
    return f'the {api} schema does state "{fact}": {_STATED_BECAUSE[fact]}{more}'


# Exercise 05.5: the requests the learner predicts, all to the Django API and its form view (alice owns the book).
AUTH_REQUESTS: dict[str, str] = {
    "no token": "DELETE /ninja/books/{id}, no Authorization header",
    "bob's token": "the same DELETE with bob's valid bearer token",
    "tampered token": "the DELETE with alice's token edited to name another user",
    "expired token": "the DELETE with alice's token signed an hour ago (tokens last 15 minutes)",
    "form, cookie, no CSRF token": "POST /forms/books/{id}/delete with alice's session cookie",
    "API, token, no CSRF token": "the DELETE with alice's valid bearer token",
}


def auth_statuses() -> dict[str, int]:
    """Send 05.5's requests to the Django API and form view in this process; return each one's status.

    Everything happens in one transaction rolled back at the end: the learner's users and books stay as they were.
    """
    import time

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client

    from helpers.apps.shelf_api_django import urls
    from helpers.apps.shelf_api_django.api import issue_token
    from helpers.apps.shelf_api_django.models import Book
    from helpers.components.apis import tamper
    from helpers.serving.django_kernel import set_urls

    set_urls("shelf-api", urls.urlpatterns)  # what the notebook sets; the same patterns again change nothing
    users = get_user_model().objects
    statuses: dict[str, int] = {}
    with transaction.atomic():
        alice = users.create(username="exercise-05-4-alice")
        bob = users.create(username="exercise-05-4-bob")

        def book() -> str:
            return f"/ninja/books/{Book.objects.create(title='Emma', author='Jane Austen', year=1815, owner=alice).id}"

        api = Client()  # a script: no cookies, only the Authorization header it is given
        statuses["no token"] = api.delete(book()).status_code
        statuses["bob's token"] = api.delete(book(), headers=_bearer(issue_token(bob.pk))).status_code
        statuses["tampered token"] = api.delete(book(), headers=_bearer(tamper(issue_token(alice.pk)))).status_code
        expired = issue_token(alice.pk, issued_at=time.time() - 3600)
        statuses["expired token"] = api.delete(book(), headers=_bearer(expired)).status_code
        browser = Client(enforce_csrf_checks=True)  # the test client skips CSRF checks unless told not to
        browser.force_login(alice)
        form = book().replace("/ninja/books/", "/forms/books/") + "/delete"
        statuses["form, cookie, no CSRF token"] = browser.post(form).status_code
        statuses["API, token, no CSRF token"] = browser.delete(
            book(), headers=_bearer(issue_token(alice.pk))
        ).status_code
        transaction.set_rollback(True)
    return statuses


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


_AUTH_EXAMPLE = "{" + ", ".join(f'"{k}": ...' for k in AUTH_REQUESTS) + "}"


@exercise(
    "05.5",
    "predict who gets 401, 403 or 200",
    hint="For each request, ask two questions in order. Does the server learn who is asking, from a signature that "
    "checks out and has not run out? If not, it cannot judge anything else. If it does, is that user allowed to do "
    "this? Then ask which credentials a browser attaches by itself: only those need a CSRF token.",
    solution="""
        # 401: the server doesn't know who is asking. No token says nothing; an edited token's signature no
        # longer matches, and an old one has run out: neither proves anyone.
        # 403: it knows who is asking, and the answer is no: bob is not the owner, and a POST that trusts the
        # session cookie without the CSRF token could have come from another site's form.
        # A bearer token is never attached by the browser on its own, so the API needs no CSRF token: 200.
        answer = {
            "no token": 401,
            "bob's token": 403,
            "tampered token": 401,
            "expired token": 401,
            "form, cookie, no CSRF token": 403,
            "API, token, no CSRF token": 200,
        }
    """,
    praise="401 when the server can't tell who is asking, 403 when it can and refuses; CSRF guards only what the "
    "browser sends by itself, the session cookie, never a bearer token.",
    data=True,
)
def predict_auth(answer: Any) -> str | None:
    shape = f"the answer should be a dict of each request's status, like {_AUTH_EXAMPLE}"
    if not isinstance(answer, dict):
        return f"{shape}, not a {type(answer).__name__}."
    missing, unknown = sorted(set(AUTH_REQUESTS) - set(answer)), sorted(set(answer) - set(AUTH_REQUESTS))
    if unknown:
        return f"{unknown} is not one of the requests; the keys are {list(AUTH_REQUESTS)}."
    if missing:
        return f"give a status for every request: {missing} has none yet."
    if any(isinstance(v, bool) or not isinstance(v, int) for v in answer.values()):
        return "each status is a whole number, such as 200 or 404."
    truth = auth_statuses()
    wrong = [k for k in AUTH_REQUESTS if answer[k] != truth[k]]
    if not wrong:
        return None
    first = wrong[0]
    said = answer[first]
    advice = {
        "no token": "with no token at all, the server has no idea who is asking: that is not a refusal of someone known.",
        "bob's token": "bob's token checks out, so the server knows it is bob; what does it answer a known user who "
        "does not own the book?",
        "tampered token": "once a token is edited, its signature no longer matches, so it proves nobody's identity; "
        "the server can't tell who sent it.",
        "expired token": "a signature that has run out proves nobody's identity any more, however genuine it once was.",
        "form, cookie, no CSRF token": "Django's CsrfViewMiddleware looks at this POST before the view runs: "
        "a cookie alone could come from another site's hidden form.",
        "API, token, no CSRF token": "a browser never attaches a bearer token by itself, so a forged cross-site "
        "request can't carry it: what would a CSRF check add?",
    }[first]
    more = f" ({len(wrong) - 1} more to look at after this one.)" if len(wrong) > 1 else ""
    return f'"{first}": {said} is not it; {advice}{more}'


# Exercise 05.6: variants of the notebook's test files; which one's second test sees the first test's book?
TEST_SETUPS: dict[str, str] = {
    "Django TestCase": "the file shown",
    "Django unittest.TestCase": "the same tests in a plain unittest.TestCase, each with its own django.test.Client()",
    "Flask, app per test": "the file shown",
    "Flask, one app": "app = create_app() once, at the top of the file; the fixture returns app.test_client()",
    "FastAPI, app per test": "the file shown",
    "FastAPI, module fixture": "the file shown, with @pytest.fixture(scope='module')",
}
_MARK = {"title": "Exercise 05.6's book", "author": "A. Tester", "year": 2001}  # no other cell adds this title


def _django_sees_leftover(base: type) -> bool:
    """Run test 1 (add a book) and test 2 (list) as methods of a `base` test class; tell whether 2 saw 1's book."""
    import unittest

    from django.db import transaction
    from django.test import Client

    from helpers.apps.bookshelf_django import urls
    from helpers.serving.django_kernel import set_urls

    set_urls("bookshelf", urls.urlpatterns)
    seen: list[bool] = []

    class Shelf(base):  # type: ignore[misc, valid-type]
        def client_for_test(self) -> Any:
            return getattr(self, "client", None) or Client()  # TestCase makes self.client; unittest does not

        def test_1_add(self) -> None:
            self.client_for_test().post("/books", _MARK, content_type="application/json")

        def test_2_list(self) -> None:
            seen.append(any(b["title"] == _MARK["title"] for b in self.client_for_test().get("/books").json()))

    # The outer transaction only tidies up after both tests: what a plain unittest.TestCase leaves behind is rolled
    # back too, so the learner's own shelf keeps the books it had.
    with transaction.atomic(), open(os.devnull, "w") as quiet:
        outcome = unittest.TextTestRunner(stream=quiet, verbosity=0).run(
            unittest.defaultTestLoader.loadTestsFromTestCase(Shelf)
        )
        transaction.set_rollback(True)
    if outcome.errors or outcome.failures or len(seen) != 1:
        raise RuntimeError(f"the Django test run went wrong: {outcome.errors or outcome.failures}")
    return seen[0]


def isolation_facts() -> dict[str, bool]:
    """Run each of 05.6's set-ups' first two tests in this process; return whether the second saw the first's book."""
    import unittest
    import warnings

    from django.test import TestCase

    from helpers.apps import bookshelf_fastapi, bookshelf_flask

    with warnings.catch_warnings():
        # Starlette asks for httpx2 on import: a learner checking an answer needs no note about the test client's future.
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
        from fastapi.testclient import TestClient

    def titles(books: list[dict[str, Any]]) -> list[str]:
        return [b["title"] for b in books]

    def flask(shared: bool) -> bool:
        one = bookshelf_flask.create_app("sqlite://")
        apps = [one, one] if shared else [one, bookshelf_flask.create_app("sqlite://")]
        apps[0].test_client().post("/books", json=_MARK)
        return _MARK["title"] in titles(apps[1].test_client().get("/books").get_json())

    def fastapi(shared: bool) -> bool:
        if shared:  # a module-scoped fixture: one client, opened once for every test of the file
            with TestClient(bookshelf_fastapi.create_app("sqlite://")) as client:
                client.post("/books", json=_MARK)
                return _MARK["title"] in titles(client.get("/books").json())
        with TestClient(bookshelf_fastapi.create_app("sqlite://")) as client:
            client.post("/books", json=_MARK)
        with TestClient(bookshelf_fastapi.create_app("sqlite://")) as client:
            return _MARK["title"] in titles(client.get("/books").json())

    return {
        "Django TestCase": _django_sees_leftover(TestCase),
        "Django unittest.TestCase": _django_sees_leftover(unittest.TestCase),
        "Flask, app per test": flask(shared=False),
        "Flask, one app": flask(shared=True),
        "FastAPI, app per test": fastapi(shared=False),
        "FastAPI, module fixture": fastapi(shared=True),
    }


@exercise(
    "05.6",
    "which tests see the previous test's book",
    hint="A test client only sends requests; the book lives in a database. For each set-up, ask where that database "
    "comes from, how often it is made, and whether anything undoes a test's writes before the next test starts.",
    solution="""
        # Django's TestCase wraps each test in a transaction and rolls it back; a plain unittest.TestCase does
        # nothing between tests, and django.test.Client() is only a way to send requests, so the book stays.
        # Flask's and FastAPI's files make a new app, with a new in-memory database, in a function-scoped
        # fixture: nothing carries over. One app for the file, or a fixture with scope="module", means one
        # database for every test, however many test clients are made from it.
        answer = {"Django unittest.TestCase", "Flask, one app", "FastAPI, module fixture"}
    """,
    praise="A test client isolates nothing by itself: Django's TestCase rolls back each test, and a fresh app per "
    "test gives Flask and FastAPI a fresh database.",
    data=True,
)
def leftover_data(answer: Any) -> str | None:
    answer = chosen_names(answer, TEST_SETUPS, "set-up")
    if isinstance(answer, str):
        return answer
    truth = isolation_facts()
    leaky = {name for name, saw in truth.items() if saw}
    if answer == leaky:
        return None
    if not answer:
        return "some set-up here lets a book survive into the next test: which ones share a database between tests?"
    why_clean = {
        "Django TestCase": "TestCase runs each test in a transaction and rolls it back afterwards.",
        "Flask, app per test": "the fixture builds a new app, with a new in-memory database, for each test.",
        "FastAPI, app per test": "the fixture opens a client on a new app, with its own new database, for each test.",
    }
    why_leaky = {
        "Django unittest.TestCase": "the Client only sends requests, and nothing rolls back the first test's write; "
        "the rollback comes from django.test.TestCase, not from its client.",
        "Flask, one app": "a new test client is not a new database; both clients send requests to the same app, "
        "which keeps one in-memory database.",
        "FastAPI, module fixture": "scope='module' builds the fixture once for the whole file, so every test shares "
        "its app and database.",
    }
    for name in TEST_SETUPS:
        if name in answer and name not in leaky:
            return f'"{name}" starts each test clean: {why_clean.get(name, "nothing carries over.")}'
        if name in leaky and name not in answer:
            return f'"{name}" does see the book: {why_leaky.get(name, "the first test left it behind.")}'
    return "not quite: compare each set-up's database with the next test's."
