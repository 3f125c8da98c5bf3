"""Exercises of 01_architecture: the contract, the installed footprint, bare WSGI, the admin, and add-ons."""

from __future__ import annotations

from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("01")

# Books the contract doesn't send: right in every field but the year (JSON values, as a client sends them).
WRONG_YEARS: list[tuple[Any, str]] = [
    ("soon", "text that is not a number"),
    ("1965", "a number written as text"),
    (1965.5, "not a whole number"),
    (True, "a JSON true"),
]


def _refusal(result: Any) -> str:
    """Quote why the app refused the contract's valid book, if it did: the learner's field is the likely cause."""
    response = result.responses.get("add valid")
    if response is None or response.status_code != 422:
        return ""
    try:
        first = response.json()["detail"][0]
        where = ".".join(str(part) for part in first["loc"])
        return f" Your app refused the valid book because of {where}: {first['msg']}."
    except (ValueError, KeyError, IndexError, TypeError):  # not FastAPI's usual error body: say nothing more
        return ""


@exercise(
    "01.2",
    "make a FastAPI bookshelf meet the contract",
    hint="Compare a valid book in the contract (title, author, year) with the fields of `BookIn`. "
    "A Pydantic field is a class attribute with a type annotation, and strict mode wants the exact type.",
    solution='''
        from fastapi import FastAPI, HTTPException
        from pydantic import BaseModel, ConfigDict, Field

        app = FastAPI()
        shelf: dict[int, dict] = {}


        class BookIn(BaseModel):
            """A book as a client sends it."""

            model_config = ConfigDict(strict=True)
            title: str = Field(min_length=1)
            author: str
            # The contract's valid book is {"title", "author", "year": 1965}: the model had no year,
            # so FastAPI dropped it and the answer lacked it. The type matters too, though the contract
            # alone can't tell: its invalid book has an empty title, which earns the 422 by itself.
            # The check also sends books whose only fault is the year ("soon", "1965", 1965.5, true);
            # an int field in this strict model refuses each of them (any year: Any would let them in).
            year: int


        @app.get("/books")
        def list_books() -> list[dict]:
            return list(shelf.values())


        @app.post("/books", status_code=201)
        def add_book(book: BookIn) -> dict:
            book_id = len(shelf) + 1
            shelf[book_id] = {"id": book_id, **book.model_dump()}
            return shelf[book_id]


        @app.get("/books/{book_id}")
        def get_book(book_id: int) -> dict:
            if book_id not in shelf:
                raise HTTPException(status_code=404, detail="Book not found")
            return shelf[book_id]


        answer = app
    ''',
    praise="Your app was served from this kernel and passed every step of the same contract as the three bookshelves.",
    served="asgi",
)
def fastapi_meets_contract(answer: Any) -> str | None:
    import json

    from helpers.components.contract import VALID_BOOK, run_contract
    from helpers.coursework.served import Remote, serve_asgi

    if not isinstance(answer, Remote) and (not callable(answer) or not hasattr(answer, "routes")):
        return f"the answer should be the FastAPI app object (`app`), not a {type(answer).__name__}."
    with serve_asgi(answer, "exercise-01-1", ready_path="/books") as srv, srv.client() as client:
        result = run_contract(client, "your app")
        if result.problems:
            return "the contract found: " + "; ".join(result.problems[:2]) + "." + _refusal(result)
        # The contract's invalid book also has an empty title, which earns its 422 alone: a year of any
        # type would pass it. These books are wrong only in their year.
        for year, what in WRONG_YEARS:
            r = client.post("/books", json={**VALID_BOOK, "year": year})
            if r.status_code != 422:
                return (
                    f"the contract passes, but a book whose only fault is its year, {json.dumps(year)} ({what}), "
                    f"got {r.status_code} instead of 422: the year's type is not checked yet. "
                    "What type is a year in the contract's valid book, and does strict mode still apply to it?"
                )
    return None


@exercise(
    "01.1",
    "which framework pulls in the most dependencies",
    hint="Run the measurement below and read the column of dependencies (or `len(costs[label]['dependencies'])`).",
    solution="""
        # Read from package metadata (footprint.dependency_tree), not guessed from the labels:
        # Django keeps its batteries inside one package; FastAPI stands on Starlette and Pydantic,
        # which bring their own dependencies.
        from helpers.components.footprint import FRAMEWORKS, dependency_tree

        counts = {label: len(dependency_tree(dist)) for label, (dist, _) in FRAMEWORKS.items()}
        answer = max(counts, key=counts.get)
    """,
    praise="Counted from package metadata: the micro and the modern frameworks install more packages than the big one.",
    data=True,
)
def most_dependencies(answer: Any) -> str | None:
    from helpers.components.footprint import FRAMEWORKS, dependency_tree

    if not isinstance(answer, str):
        return (
            f'the answer should be a framework\'s name as a string, like "Flask"; you gave a {type(answer).__name__}.'
        )
    counts = {label: len(dependency_tree(dist)) for label, (dist, _) in FRAMEWORKS.items()}
    names = {label.lower(): label for label in counts}
    if answer.strip().lower() not in names:
        return f"{answer!r} is not one of {', '.join(counts)}."
    label = names[answer.strip().lower()]
    most = max(counts, key=counts.get)
    if label != most:
        return f"{label} installs {counts[label]} other packages; another framework installs more."
    return None


def _dry_run(app: Any) -> str | None:
    """Call a WSGI app the way a server does and say what breaks the protocol, or None."""
    from wsgiref.util import setup_testing_defaults

    environ: dict[str, Any] = {"PATH_INFO": "/anything"}
    setup_testing_defaults(environ)
    calls: list[tuple[Any, Any]] = []

    def start_response(status: Any, headers: Any, exc_info: Any = None) -> Any:
        calls.append((status, headers))
        return lambda data: None

    try:
        body = app(environ, start_response)
        chunks = [] if isinstance(body, (bytes, str)) else list(body)
    except Exception as exc:  # the learner's function raised: say so before any server is involved
        return (
            f"called as a server calls it, (environ, start_response), your function raised {type(exc).__name__}: {exc}"
        )
    if not calls:
        return "your function never called start_response: a WSGI app calls it with the status and headers first."
    status, headers = calls[0]
    if not isinstance(status, str):
        return f'the status should be a string like "200 OK", not {status!r}.'
    if not (isinstance(headers, list) and all(isinstance(h, tuple) and len(h) == 2 for h in headers)):
        return f"the headers should be a list of (name, value) pairs, not {headers!r}."
    if isinstance(body, (bytes, str)):
        return (
            f"your function returned the body itself, a {type(body).__name__}: a server iterates over what the app "
            "returns and sends each item, so return an iterable (a list, say) whose items are the body's bytes."
        )
    text = next((c for c in chunks if not isinstance(c, bytes)), None)
    if text is not None:
        return (
            f"the body holds a {type(text).__name__}, {str(text)[:40]!r}: a server sends bytes, so encode text first."
        )
    return None


@exercise(
    "01.3",
    "a bare WSGI app that returns JSON",
    hint="A WSGI app calls `start_response(status_line, headers)` once, headers being a list of (name, value) pairs, "
    "then returns an iterable of bytes: text must be encoded first, and JSON starts as a dict.",
    solution='''
        import json


        def answer(environ, start_response):
            """Answer every request with {"hello": "wsgi"} as JSON."""
            # The server speaks bytes: dict -> JSON text -> UTF-8 bytes.
            body = json.dumps({"hello": "wsgi"}).encode()
            # Status and headers go through start_response; the body is what we return.
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
    ''',
    praise="No framework at all: one function, a status line, headers and bytes.",
    served="wsgi",
)
def bare_wsgi_json(answer: Any) -> str | None:
    import inspect

    from helpers.coursework.served import Remote, serve_wsgi

    if not isinstance(answer, Remote):  # the grader's judge sees only what the served answer sends
        if not callable(answer):
            return f"the answer should be a function taking (environ, start_response), not a {type(answer).__name__}."
        if inspect.iscoroutinefunction(answer):
            return "that is an `async def`: WSGI apps are plain `def` functions (async ones are ASGI)."
        # Call it once as a server would, in this process: a body of text or a bare bytes object makes a real
        # server fail on the connection, which would only look like an app that never answers.
        problem = _dry_run(answer)
        if problem:
            return problem
    with serve_wsgi(answer, "exercise-01-3") as srv:
        r = srv.get("/anything")
    if r.status_code != 200:
        return f'GET /anything answered {r.status_code}, not 200 OK: pass "200 OK" to start_response.'
    if not r.headers.get("content-type", "").startswith("application/json"):
        return f'the content-type was {r.headers.get("content-type")!r}; say "application/json" in your headers.'
    try:
        body = r.json()
    except ValueError:
        return f"the body is not JSON: {r.text[:60]!r}"
    if body != {"hello": "wsgi"}:
        return f'the body was {body!r}; expected {{"hello": "wsgi"}}.'
    return None


BAD_YEAR = 3000  # outside the model's validators (1450 to 2100): the admin's form must refuse it


def admin_answer_to(year: int) -> dict[str, Any]:
    """Post Django's admin add form for a book in `year`, logged in as staff; return its status and if it saved."""
    import secrets

    from django.test import Client

    from helpers.serving.django_kernel import create_superuser, setup_django

    setup_django()
    from helpers.apps.bookshelf_django.models import Book

    user = create_superuser(f"exercise-01-4-{secrets.token_hex(4)}", secrets.token_urlsafe(16))
    try:
        client = Client()
        client.force_login(user)
        before = Book.objects.count()
        form = {"title": "A book from the future", "author": "Nobody yet", "year": str(year), "_save": "Save"}
        r = client.post("/admin/bookshelf/book/add/", form)
        saved = Book.objects.count() > before
        Book.objects.filter(title=form["title"], author=form["author"]).delete()
        return {"status": r.status_code, "saved": saved}
    finally:
        user.delete()


@exercise(
    "01.4",
    "what the admin answers to a year the model refuses",
    hint="The JSON endpoints answer a bad year with a 4xx status, because an API client reads the code. "
    "The admin's reader is a person at a form: think about what a web form does when one field is wrong, "
    "and whether anything gets written before every field is valid.",
    solution="""
        # The admin builds its form from the model, validators included, so year 3000 fails validation.
        # A browser form that fails is shown again with the errors beside the fields: a normal page, 200 OK.
        # Nothing is saved until every field is valid.
        answer = {"status": 200, "saved": False}
    """,
    praise="The admin validated with the model's own rules and showed the form again with the error: "
    "a person gets a page to fix, an API client gets a 4xx. Same rules, two contracts.",
    data=True,
)
def admin_refuses_bad_year(answer: Any) -> str | None:
    if not isinstance(answer, dict) or set(answer) != {"status", "saved"}:
        return 'the answer should be a dict with two keys, like {"status": 302, "saved": True}.'
    status, saved = answer["status"], answer["saved"]
    if not (isinstance(status, int) and not isinstance(status, bool)) or not isinstance(saved, bool):
        return '"status" should be an HTTP status code (an int) and "saved" True or False.'
    seen = admin_answer_to(BAD_YEAR)
    if saved != seen["saved"]:
        return (
            f"year {BAD_YEAR} is outside the model's validators, so the form is invalid: "
            "would the admin write a book it has not validated?"
        )
    if status == seen["status"]:
        return None
    if status in (400, 422):
        return (
            f"{status} is how the JSON API refuses a bad year. The admin answers a person at a browser form: "
            "what does a form page do when a field is wrong?"
        )
    if status in (301, 302, 303):
        return f"{status} is a redirect, which the admin sends after a save. Was anything saved?"
    return f"the admin answered {seen['status']}, not {status}. A form with an error is shown again, as a page."


# Exercise 01.5: what a staff-and-partners project needs, as rows of features_table().
PROJECT_NEEDS = ("ORM", "admin site", "validation", "OpenAPI docs")


def add_ons_needed() -> dict[str, int]:
    """Return, for each framework, how many of PROJECT_NEEDS it leaves you to add (features_table's "you choose")."""
    from helpers.components.footprint import FEATURES, FRAMEWORKS

    return {label: sum(FEATURES[need][label] is None for need in PROJECT_NEEDS) for label in FRAMEWORKS}


@exercise(
    "01.5",
    "count the add-ons a project needs",
    hint="Read only the four rows the project needs, one framework's column at a time: every 'you choose' "
    "cell is a package you would add, and a 'built in' cell is one you would not.",
    solution="""
        # The four rows of the features table, one column at a time ("you choose" = a package to add):
        # Django builds in the ORM, the admin and validation (forms); OpenAPI docs need DRF or Ninja: 1.
        # Flask builds in none of the four: an ORM, an admin, validation and OpenAPI are all added: 4.
        # FastAPI builds in validation (Pydantic) and OpenAPI; the ORM and the admin are added: 2.
        answer = {"Django": 1, "Flask": 4, "FastAPI": 2}
    """,
    praise="One add-on for Django, four for Flask, two for FastAPI: the same project starts from a different "
    "place in each, which is what batteries included and micro mean in practice.",
    data=True,
)
def count_add_ons(answer: Any) -> str | None:
    expected = add_ons_needed()
    if not isinstance(answer, dict):
        return f'the answer should be a dict from each framework to a count, like {{"Django": 0, ...}}, not a {type(answer).__name__}.'
    if set(answer) != set(expected):
        return f"the dict should have exactly the keys {sorted(expected)}; it has {sorted(map(str, answer))}."
    bad = [label for label, n in answer.items() if isinstance(n, bool) or not isinstance(n, int)]
    if bad:
        return f"each count should be a whole number of packages; {bad[0]}'s is {answer[bad[0]]!r}."
    if all(n == answer["Django"] for n in answer.values()) and len(set(expected.values())) > 1:
        return "you gave every framework the same count, but their columns differ: read each column on its own."
    wrong = [label for label in expected if answer[label] != expected[label]]
    if wrong:
        label = wrong[0]
        more = "more" if answer[label] < expected[label] else "fewer"
        return (
            f"{label}'s count is off: it needs {more} add-ons than {answer[label]}. Go down {label}'s column "
            f"for the four rows ({', '.join(PROJECT_NEEDS)}) and count the 'you choose' cells."
        )
    return None
