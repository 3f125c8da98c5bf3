"""Exercises of notebook 08 (use cases: the contests)."""

from __future__ import annotations

import math
from typing import Any

from helpers.coursework.exercise import ExerciseSet
from helpers.coursework.truths import shared

exercise = ExerciseSet("08")


# Exercise 08.1: the editor's change, posted without its CSRF token, to each admin; and the lines each took.
_TOKENLESS_TITLE = "Exercise 08.1: posted without a token"


def _form_token(page: str, field: str) -> str:
    import re

    return re.search(rf'name="{field}"[^>]*value="([^"]+)"', page).group(1)


def _django_tokenless() -> tuple[int, bool]:
    """Post a logged-in editor's change to Django's admin with no CSRF token; return the status and if it saved."""
    import secrets

    from django.test import Client

    from helpers.serving.django_kernel import create_superuser, set_urls, setup_django

    setup_django()
    from helpers.apps.cms_django import models, urls

    set_urls("cms", urls.urlpatterns)  # the cms app's pages; the admin is always mounted
    user = create_superuser(f"exercise-08-1-{secrets.token_hex(4)}", secrets.token_urlsafe(16))
    author = models.Author.objects.create(name="Exercise 08.1")
    section, _ = models.Section.objects.get_or_create(name="Exercise 08.1")
    article = models.Article.objects.create(title="A draft", author=author, section=section)
    try:
        client = Client(enforce_csrf_checks=True)  # the test client skips CSRF checks unless told not to
        client.force_login(user)
        form = {
            "title": _TOKENLESS_TITLE,
            "body": "",
            "status": "published",
            "author": author.pk,
            "section": section.pk,
            "_save": "Save",
        }
        r = client.post(f"/admin/cms/article/{article.pk}/change/", form)
        article.refresh_from_db()
        return r.status_code, article.title == _TOKENLESS_TITLE
    finally:
        article.delete()
        author.delete()
        section.delete()
        user.delete()


def _flask_tokenless() -> tuple[int, bool]:
    """Do the same against Flask-Admin with Flask-Login, on a fresh app: log in with the form's token, then post without one."""
    import secrets

    from helpers.apps import cms_flask
    from helpers.apps.cms_flask.models import Article, db

    password = secrets.token_urlsafe(16)
    app = cms_flask.create_app(staff={"editor": password})
    client = app.test_client()
    token = _form_token(client.get("/login/").get_data(as_text=True), "csrf_token")
    client.post("/login/", data={"csrf_token": token, "username": "editor", "password": password})
    with app.app_context():
        draft = db.session.scalars(db.select(Article).filter_by(status="draft")).first()
        form = {
            "title": _TOKENLESS_TITLE,
            "body": draft.body,
            "status": "published",
            "author": draft.author_id,
            "section": draft.section_id,
        }
        r = client.post(f"/admin/article/edit/?id={draft.id}", data=form)
        db.session.expire_all()
        return r.status_code, db.session.get(Article, draft.id).title == _TOKENLESS_TITLE


def admin_facts() -> dict[str, Any]:
    """Measure 08.1's truth: each admin's answer to a tokenless change, and which back office took fewer lines."""
    from helpers.usecases.cms_contest import admin_lines

    lines = admin_lines()
    fewer = "Django" if lines["Django"] < lines["Flask"] else "Flask" if lines["Flask"] < lines["Django"] else "same"
    return {"Django": _django_tokenless(), "Flask": _flask_tokenless(), "fewer lines": fewer}


_ADMIN_EXAMPLE = (
    '{"Django": (302, True), "Flask": (302, True), "fewer lines": "Django", "claim": "only Django protects"}'
)
CLAIMS = ("only Django protects", "same protection, Django shorter", "same protection, Flask shorter")


def claim_from(facts: dict[str, Any]) -> str:
    """Return what the measured refusals and line counts make of the map's claim, as one of CLAIMS."""
    if facts["Django"][1] or facts["Flask"][1]:  # a change saved without its token
        return "only Django protects" if facts["Flask"][1] and not facts["Django"][1] else "neither of these"
    return f"same protection, {facts['fewer lines']} shorter"


@exercise(
    "08.1",
    "what each admin refuses, and the lines it takes",
    hint="Both back offices were set up with a CSRF token in every form, so ask of each one what it does with a form "
    "that comes without one: is a refusal always a status code, or can a page refuse too? Then count what each side "
    "had to write: which one brought its own login page and staff table? The claim follows from those two findings: "
    "does the map's pick refuse something the rival lets through, or only take less to write?",
    solution="""
        # Both refuse the change: neither saves a form without its CSRF token.
        # Django's CsrfViewMiddleware answers before the view runs, with 403 Forbidden.
        # Flask-Admin's SecureForm fails validation like any wrong field: the form is shown again, 200, nothing saved.
        # Django's admin brings its login and CSRF checks; the Flask side wrote its login page and staff table too.
        # So the map's pick for a back office holds, but for its lines, not for protection the rival lacks.
        answer = {"Django": (403, False), "Flask": (200, False), "fewer lines": "Django", "claim": "same protection, Django shorter"}
    """,
    praise="Both refuse; Django says so with 403 before its view runs, Flask-Admin by showing the form again. "
    "The map's pick wins on lines, not on protection: a claim to test, not a verdict.",
    data=True,
)
def admin_refusals(answer: Any) -> str | None:
    shape = f"the answer should be a dict like {_ADMIN_EXAMPLE}"
    if not isinstance(answer, dict) or set(answer) != {"Django", "Flask", "fewer lines", "claim"}:
        return f"{shape}: a (status, saved) pair for each admin, which one took fewer lines, and the claim."
    for fw in ("Django", "Flask"):
        pair = answer[fw]
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            return f"{fw}'s answer should be a pair (status, saved), like (302, True); got {pair!r}."
        status, saved = pair
        if isinstance(status, bool) or not isinstance(status, int) or not isinstance(saved, bool):
            return f"in {fw}'s pair, the status is a whole number such as 200, and saved is True or False."
    if answer["fewer lines"] not in ("Django", "Flask", "same"):
        return f'"fewer lines" should be "Django", "Flask" or "same"; got {answer["fewer lines"]!r}.'
    if answer["claim"] not in CLAIMS:
        return f'"claim" should be one of {list(CLAIMS)}; got {answer["claim"]!r}.'
    truth = admin_facts()
    for fw in ("Django", "Flask"):
        (status, saved), (real_status, real_saved) = answer[fw], truth[fw]
        if saved != real_saved:
            return (
                f"{fw}: the form came without the token that every form of this admin carries. "
                "Would an admin set up against forged forms write the change anyway?"
            )
        if status != real_status:
            if fw == "Django":
                return (
                    f"Django: {status} is not what it answered. Its CSRF check is middleware that runs before the admin's "
                    "view: what does a server answer a request it refuses to serve?"
                )
            return (
                f"Flask: {status} is not what it answered. Flask-Admin's SecureForm checks the token when the form "
                "is validated, like any other field: what does a form page do when a field is wrong?"
            )
    if answer["fewer lines"] != truth["fewer lines"]:
        return (
            f'"fewer lines": {answer["fewer lines"]!r} is not it: count the login page, the staff table and the CSRF '
            "set-up too. Which side had to write them?"
        )
    if answer["claim"] != claim_from(truth):
        if answer["claim"] == "only Django protects":
            return (
                '"claim": you predicted that Flask-Admin saves nothing either. Set up as its docs advise, the rival '
                "refuses the forged change too: what is left that the map's pick does better?"
            )
        return '"claim": it should follow from your own predictions above: same refusals, and which side is shorter?'
    return None


# Exercise 08.2: Flask against FastAPI, predicted before Case 2 measures them: start, memory, a slow dependency; and
# Case 3's chat, whose threads per socket are measured later. The check measures each part itself.
SERVICE_CHOICES = ("Flask", "FastAPI")
BURST_CHOICES = ("Flask", "FastAPI", "tie")
CHAT_CHOICES = ("FastAPI", "Flask", "both", "neither")
BURST_ORDERS, BURST_DELAY = 50, 0.1  # Case 2's burst: 50 orders at once, each waiting 100 ms for the inventory
OVERLAPPED = BURST_ORDERS / 4  # the verdict cell's rule: fewer waits than this, and the waits overlapped


def _in_a_fresh_loop(coroutine: Any) -> Any:
    """Run `coroutine` to its end in a thread of its own: a notebook cell's event loop is already running."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@shared
def start_and_memory() -> dict[str, str]:
    """Return which service starts sooner and holds less memory: the one with less to load, by its packages' size.

    Case 2's table times both starts and reads both memories; a start timed on a busy machine can flip (CI's lanes
    put FastAPI first three times, each side's best of three), what each service imports cannot.
    """
    from helpers.usecases import decision

    lighter = min(SERVICE_CHOICES, key=lambda fw: decision.installed_mb(fw.lower()))
    return {"starts sooner": lighter, "less memory": lighter}


@shared
def chat_threads_per_socket(clients: int = 10) -> dict[str, float]:
    """Connect `clients` WebSockets to each chat app on this process's servers; return threads gained per client."""
    from helpers.apps import chat_fastapi, chat_flask
    from helpers.serving.servers import serve
    from helpers.usecases.chat_contest import chat_load

    gained = {}
    # Flask on werkzeug's threaded server, as on gunicorn's threads: a thread per connection, for as long as it lasts.
    for fw, app in (("Flask", chat_flask.create_app()), ("FastAPI", chat_fastapi.create_app())):
        with serve(app, f"exercise-08-2-chat-{fw.lower()}") as server:
            gained[fw] = _in_a_fresh_loop(chat_load(server.url, clients=clients, rounds=1)).threads_per_client
    return gained


def thread_grower(gained: dict[str, float]) -> str:
    """Return which chat server gained a thread per socket, as one of CHAT_CHOICES."""
    grows = [fw for fw in ("Flask", "FastAPI") if gained[fw] >= 0.5]
    return {0: "neither", 2: "both"}.get(len(grows)) or grows[0]


def burst_facts(threads: int | None = None) -> dict[str, Any]:
    """Case 2's burst as its set-up decides it, by the verdict cell's rule: each side's waits, the winner, and why.

    Flask's orders overlap their 100 ms waits as far as gunicorn has a thread for each (a blocking call holds only
    its own thread), FastAPI's as far as its loop can await them all (httpx's pool holds 100 connections). Where
    both overlap, the burst is a tie. Taken from the set-up, not from a run: the notebook's burst cell measures it
    (tests/test_slow_dependency.py asserts the tie, run alone), and a grader's busy run must not decide a mark.
    """
    import inspect

    from helpers.usecases.slow_dependency import start_orders_services

    if threads is None:  # the threads the notebook's burst gives gunicorn
        threads = inspect.signature(start_orders_services).parameters["threads"].default
    waits = {"Flask": math.ceil(BURST_ORDERS / threads), "FastAPI": 1}
    overlapped = [fw for fw in SERVICE_CHOICES if waits[fw] < OVERLAPPED]
    winner = "tie" if len(overlapped) != 1 else overlapped[0]
    figures = (
        f"Flask on gunicorn's {threads} threads, {BURST_ORDERS} orders: "
        + ("a thread for each" if waits["Flask"] == 1 else f"{waits['Flask']} waits in turn")
        + f"; FastAPI awaiting all {BURST_ORDERS}"
    )
    return {"waits": waits, "winner": winner, "figures": figures}


@exercise(
    "08.2",
    "Flask against FastAPI: predict, then run",
    hint="Count what each service imports before it can answer: a validation library and a server each, but which "
    "ones, and how big? For the burst, a blocking call holds its thread, not the server: do 50 orders find a thread "
    "each among Flask's 100, and what does FastAPI's loop do while each order awaits the inventory? One wait each, "
    "one after another, or side by side? For the chat, a WSGI server gives a request a thread until its response "
    "ends; when does a WebSocket's response end?",
    solution="""
        # Start and memory: FastAPI's service imports pydantic, starlette and uvicorn before its first answer,
        # Flask's werkzeug and marshmallow: less to load, so Flask starts sooner and uses less memory.
        # The burst: gunicorn's 100 threads give each of the 50 orders a thread, and a blocking call holds only its
        # own; FastAPI's loop awaits all 50 calls at once. Both overlap the 100 ms waits: a few waits each, not 50.
        # A tie, then, by the verdict cell's rule (within 1.5x of each other).
        # The chat: flask-sock runs each socket's view in its thread for as long as the socket is open;
        # uvicorn's loop holds each socket as a task.
        answer = {
            "starts sooner": "Flask",
            "less memory": "Flask",
            "burst waits": {"Flask": 2, "FastAPI": 2},
            "burst": "tie",
            "thread per socket": "Flask",
        }
    """,
    praise="Flask is the lighter service, and with threads enough for the burst its blocking calls overlap as well as "
    "FastAPI's awaits. A WebSocket is where a thread per connection shows: Case 3 counts them.",
    data=True,
)
def flask_against_fastapi(answer: Any) -> str | None:
    example = (
        '{"starts sooner": "FastAPI", "less memory": "FastAPI", "burst waits": {"Flask": 10, "FastAPI": 10}, '
        '"burst": "tie", "thread per socket": "both"}'
    )
    keys = {"starts sooner", "less memory", "burst waits", "burst", "thread per socket"}
    if not isinstance(answer, dict) or set(answer) != keys:
        return f"the answer should be a dict like {example}: a choice for each claim, and the waits of each burst."
    for key in ("starts sooner", "less memory"):
        if answer[key] not in SERVICE_CHOICES:
            return f'"{key}" should be "Flask" or "FastAPI"; got {answer[key]!r}.'
    waits = answer["burst waits"]
    if not isinstance(waits, dict) or set(waits) != set(SERVICE_CHOICES):
        return f'"burst waits" should be a dict with a number for each service, like {{"Flask": 10, "FastAPI": 10}}; got {waits!r}.'
    for fw, n in waits.items():
        if isinstance(n, bool) or not isinstance(n, (int, float)):
            return f'"burst waits": {fw}\'s should be a number of 100 ms waits, such as 3; got {n!r}.'
    if answer["burst"] not in BURST_CHOICES:
        return f'"burst" should be one of {list(BURST_CHOICES)}; got {answer["burst"]!r}.'
    if answer["thread per socket"] not in CHAT_CHOICES:
        return f'"thread per socket" should be one of {list(CHAT_CHOICES)}; got {answer["thread per socket"]!r}.'

    # The cheap parts first: a wrong answer there is told so without waiting for the chat's clients.
    measured = start_and_memory()
    if answer["starts sooner"] != measured["starts sooner"]:
        return (
            f'"starts sooner": {answer["starts sooner"]} has more to load. Before its first answer, each service '
            "imports its framework, its validation library and its server: which side has more to load?"
        )
    if answer["less memory"] != measured["less memory"]:
        return (
            f'"less memory": {answer["less memory"]} used more. What each process holds is mostly what it imported: '
            "compare pydantic, starlette and uvicorn with werkzeug and marshmallow."
        )
    grower = thread_grower(chat_threads_per_socket())
    if answer["thread per socket"] != grower:
        if answer["thread per socket"] in ("FastAPI", "both") and grower in ("Flask", "neither"):
            return (
                "\"thread per socket\": FastAPI's WebSockets are tasks on uvicorn's one event loop: a waiting socket "
                "costs a task, not a thread. Which server runs each socket's view in a thread of its own?"
            )
        if answer["thread per socket"] == "neither":
            return (
                '"thread per socket": one of them does: a WSGI server gives each request a thread until the response '
                "ends, and a WebSocket doesn't end until the client leaves."
            )
        return f'"thread per socket": {answer["thread per socket"]} is not what was counted; {grower} was.'

    burst = burst_facts()
    for fw in SERVICE_CHOICES:
        n, seen = waits[fw], burst["waits"][fw]
        if n < 1:
            return (
                f'"burst waits": {fw} {n} waits is less than one, and every order waits 100 ms for the inventory '
                "at least once: how many of those waits follow one another?"
            )
        if seen < OVERLAPPED <= n:
            if fw == "Flask":
                return (
                    f'"burst waits": {n} waits for Flask means orders queued behind one another. Its gunicorn runs 100 '
                    "threads here, and a blocking call holds only its own thread: does any of the 50 orders wait for one?"
                )
            return (
                f'"burst waits": {n} waits for FastAPI means orders queued behind one another. The service awaits its '
                "inventory call: what does the event loop do with the other orders meanwhile?"
            )
        if n < OVERLAPPED <= seen:
            return (
                f'"burst waits": {fw}\'s orders outnumber its threads here, so they wait in turn ({burst["figures"]}).'
            )
    winner = burst["winner"]
    if answer["burst"] != winner:
        figures = burst["figures"]
        if winner == "tie":
            return (
                f'"burst": neither is 1.5 times as quick as the other, the verdict\'s margin for a winner ({figures}). '
                "With a thread per order, a blocking call overlaps its wait as well as an await does."
            )
        return f'"burst": {winner} overlaps its waits and the other side does not ({figures}).'
    return None


# Exercise 08.3: Django's fan-out, a plain view against an async one, and what an async view keeps under WSGI.
FANOUT_CALLS, FANOUT_DELAY = 5, 0.1
UNDER_WSGI = {
    "in turn": "its calls run one after another, as in a plain view",
    "overlap, worker held": "its calls overlap, and the request holds its worker until the response",
    "overlap, worker free": "its calls overlap, and the worker serves other requests while it waits",
}
# Django's docs, "Asynchronous support": under WSGI, async views run in a one-off event loop, so "concurrent async
# HTTP requests" work, "but you will not get the benefits of an async stack".
DJANGO_ASYNC_DOCS = "https://docs.djangoproject.com/en/stable/topics/async/#async-views"


@shared
def fanout_waits(n: int = FANOUT_CALLS, delay: float = FANOUT_DELAY) -> dict[str, float]:
    """Call Django's two fan-out views once each against a backend that waits `delay`; return each in waits."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    from django.test import RequestFactory

    from helpers.serving.django_kernel import setup_django
    from helpers.serving.servers import serve

    setup_django()
    from helpers.apps import fanout_django, fanout_fastapi

    with serve(fanout_fastapi.create_backend(delay), "exercise-08-3-backend", ready_path="/item/0") as backend:
        views = {str(p.pattern): p.callback for p in fanout_django.urlpatterns_for(backend.url)}
        request = RequestFactory().get("/", {"n": n})
        # The views are called directly (no URL routing, so the kernel's own fan-out server is left alone); the async
        # one in a fresh thread, as a cell's event loop is already running.
        sequential = views["fanout/sequential"](request)
        with ThreadPoolExecutor(1) as pool:
            concurrent = pool.submit(lambda: __import__("asyncio").run(views["fanout/concurrent"](request))).result()
    return {
        "plain view": json.loads(sequential.content)["seconds"] / delay,
        "async view": json.loads(concurrent.content)["seconds"] / delay,
    }


@exercise(
    "08.3",
    "predict Django's fan-out",
    hint="Count the waits that happen one after another. A plain view's next line runs only once the call before it "
    "has answered; gather starts every call before it waits for any. For WSGI, read what Django's docs say an async "
    "view gets there, and ask what the server's worker is doing while that event loop waits.",
    solution="""
        # A plain def view calls the backends in turn: 5 waits of 100 ms add up.
        # The async view starts all 5 with gather, so the waits overlap: about 1 wait.
        # Under WSGI, Django runs an async view in a one-off event loop: the gather still overlaps its calls, but the
        # request keeps its worker until the response, so no other request gets that worker meanwhile.
        answer = {"plain view": 5, "async view": 1, "under WSGI": "overlap, worker held"}
    """,
    praise="Async changed how the calls inside one request wait, not how a WSGI server hands out its workers.",
    data=True,
)
def django_fanout(answer: Any) -> str | None:
    example = '{"plain view": 3, "async view": 3, "under WSGI": "in turn"}'
    if not isinstance(answer, dict) or set(answer) != {"plain view", "async view", "under WSGI"}:
        return f"the answer should be a dict like {example}: waits for each view, and one of {list(UNDER_WSGI)}."
    for key in ("plain view", "async view"):
        if isinstance(answer[key], bool) or not isinstance(answer[key], int):
            return f'"{key}" should be a whole number of backend waits, such as 2; got {answer[key]!r}.'
    if answer["under WSGI"] not in UNDER_WSGI:
        return f'"under WSGI" should be one of {list(UNDER_WSGI)}; got {answer["under WSGI"]!r}.'
    measured = fanout_waits()
    for key, advice in (
        (
            "plain view",
            "a plain view's httpx.Client call returns only once the backend answered, and only then "
            "does the next call start: how many waits follow one another?",
        ),
        (
            "async view",
            "gather starts all the calls before awaiting any, so their waits run side by side: "
            "how long does the slowest one take?",
        ),
    ):
        # The mechanism's count (5 in turn, 1 side by side) is always right; a busy machine adds a little to what
        # was measured, never takes a wait away, so the whole waits that fit the run are right too.
        expected = FANOUT_CALLS if key == "plain view" else 1
        if answer[key] != expected and not measured[key] - 1 < answer[key] <= measured[key] + 0.6:
            return f'"{key}": {answer[key]} waits is not it, as {measured[key]:.1f} were measured; {advice}'
    if answer["under WSGI"] == "in turn":
        return (
            '"under WSGI": the event loop Django makes for the request is a real one, and gather runs on it. '
            "What does the request keep while that loop waits?"
        )
    if answer["under WSGI"] == "overlap, worker free":
        return (
            '"under WSGI": a WSGI worker hands a request back only with its response, and the loop lives inside '
            f'the request. Django\'s docs say you get concurrent calls "but not the benefits of an async stack" ({DJANGO_ASYNC_DOCS}).'
        )
    return None


def books_api(model: Any) -> Any:
    """Return the books API of helpers.apps.api_first_fastapi built from the request model `model`."""
    from helpers.apps.api_first_fastapi import create_app

    return create_app(model)


@exercise(
    "08.4",
    "add a field and watch the schema change",
    hint="Your model is BookIn with one more field. A Pydantic field carries its constraint the way BookIn's year "
    "does; build the app with your model and read the schema it publishes.",
    solution='''
        from pydantic import Field
        from helpers.apps.api_first_fastapi import BookIn


        class BookWithPages(BookIn):
            """A book with its number of pages."""

            pages: int = Field(ge=1)


        answer = BookWithPages
    ''',
    praise="The new field appears in the request schema and in the response schema, with its constraint, and you wrote no schema by hand.",
    served="asgi",
    port=books_api,
)
def api_field(answer: Any) -> str | None:
    import random

    from helpers.coursework.served import Remote, serve_asgi

    if not isinstance(answer, Remote):  # the grader's judge sees only what the served API sends
        from helpers.apps.api_first_fastapi import BookIn

        if not (isinstance(answer, type) and issubclass(answer, BookIn)):
            return f"the answer should be a class that subclasses BookIn, like `class BookWithPages(BookIn): ...`; got {answer!r}."
        answer = books_api(answer)
    # The API built with the answer's model, served and called as a client would: the schema it publishes, then
    # what it refuses and keeps (a page count drawn at random, so no answer knows it in advance).
    with serve_asgi(answer, "exercise-08-4", ready_path="/books") as srv:
        schema = srv.get("/openapi.json").json()
        ref = schema["paths"]["/books"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        components = schema["components"]["schemas"]
        request_props = components[ref.rsplit("/", 1)[1]]["properties"]
        pages = request_props.get("pages")
        if pages is None:
            return f"the request schema has the fields {sorted(request_props)}, but no 'pages'."
        if pages.get("type") != "integer":
            return f"'pages' should be an integer in the schema, but it says {pages.get('type', pages)!r}."
        if pages.get("minimum") != 1 and pages.get("exclusiveMinimum") != 0:
            return "'pages' has no lower bound in the schema: use Field(ge=1) so 0 or -3 pages are refused."
        if "pages" not in components.get("Book", {}).get("properties", {}):
            return "'pages' is missing from the response model Book: did you pass your class to create_app?"
        if {"title", "author", "year"} - set(request_props):
            return "the original fields title, author and year must stay: subclass BookIn instead of replacing it."
        # The schema is what the field says of itself; what the server does is what validation refuses.
        book = {"title": "Dune", "author": "Frank Herbert", "year": 1965}
        if srv.post("/books", json={**book, "pages": 0}).status_code != 422:
            return "the schema says 'pages' is at least 1, but the model accepts 0 pages: put the bound on the field."
        count = random.SystemRandom().randint(1, 5000)
        r = srv.post("/books", json={**book, "pages": count})
        if r.status_code != 201:
            return f"a book of {count} pages should pass, but the API answered {r.status_code}: {r.text[:120]}."
        if r.json().get("pages") != count:
            return f"the API kept a book of {count} pages as {r.json()!r}: the response model must carry 'pages' too."
    return None
