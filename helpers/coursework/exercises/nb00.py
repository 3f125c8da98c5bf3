"""Exercises of 00_start_here."""

from __future__ import annotations

from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("00")


@exercise(
    "00.1",
    "which header names the server",
    hint="Each response header answers one question about the response. "
    "Which of the four columns would still make sense if the body were empty?",
    solution="""
        # content-type describes the body; x-frame-options and x-content-type-options tell
        # the browser what it may do with the page. Only one header is about who answered:
        answer = "server"
    """,
    praise="The `server` header names the server software the course chose to run the app, "
    "not the framework: Werkzeug for the WSGI apps here, uvicorn for the ASGI one.",
    data=True,
)
def header_names_server(answer: Any) -> str | None:
    if not isinstance(answer, str):
        return (
            f'the answer should be a header name as a string, like "content-type"; you gave a {type(answer).__name__}.'
        )
    name = answer.strip().lower()
    if name == "content-type":
        return "content-type says what kind of body came back (JSON), not who sent it."
    if name.startswith("x-"):
        return f"{answer!r} is a security instruction to the browser, not the name of the software that answered."
    if name != "server":
        return f"{answer!r} is not one of the headers in the table."
    return None


@exercise(
    "00.2",
    "a Flask app that adds two numbers",
    hint="Flask hands a view the query string as `request.args`, a dictionary-like object. "
    "Its `get` method can convert the text it finds (Flask's docs: the Request object). "
    "A view that returns a dict is sent as JSON.",
    solution='''
        from flask import Flask, request


        def create_app() -> Flask:
            """Build a Flask app that adds the query parameters a and b."""
            app = Flask(__name__)

            @app.get("/add")  # the route: GET /add
            def add():
                # Query parameters arrive as text; type=int converts them (None if missing or not a number).
                a = request.args.get("a", type=int)
                b = request.args.get("b", type=int)
                return {"sum": a + b}  # a dict becomes a JSON response

            return app


        answer = create_app()
    ''',
    praise="Your app was served from this kernel, called over HTTP, and answered right.",
    served="wsgi",
)
def flask_adds(answer: Any) -> str | None:
    import random

    from helpers.coursework.served import Remote, serve_wsgi

    if not isinstance(answer, Remote) and not callable(answer):
        return "the answer should be a Flask app (what `Flask(__name__)` returns), not " + type(answer).__name__
    # Two fixed pairs (their messages are the ones a learner meets), then one no answer can know in advance.
    pick = random.SystemRandom().randint
    with serve_wsgi(answer, "exercise-00-2") as srv:
        for a, b in [(2, 40), (-5, 5), (pick(-999, 999), pick(1000, 99999))]:
            r = srv.get("/add", params={"a": a, "b": b})
            if r.status_code == 404:
                return 'GET /add answered 404 Not Found: is there a route for "/add"?'
            if r.status_code >= 500:
                return (
                    f"GET /add?a={a}&b={b} answered {r.status_code}: your view raised an error. "
                    "`server_logs()` shows the traceback."
                )
            if r.status_code != 200:
                return f"GET /add?a={a}&b={b} answered {r.status_code}, not 200 OK."
            try:
                body = r.json()
            except ValueError:
                return f"GET /add?a={a}&b={b} did not return JSON: {r.text[:80]!r}"
            if not isinstance(body, dict) or body.get("sum") != a + b:
                return f'GET /add?a={a}&b={b} returned {body!r}; expected {{"sum": {a + b}}}.'
    return None


@exercise(
    "00.3",
    "give Flask one of Django's security headers",
    hint="Flask calls every function registered with `@app.after_request` with the response, "
    "just before sending it; whatever that function returns is sent. "
    "Headers behave like a dictionary: `response.headers[...] = ...`.",
    solution="""
        from helpers.apps import hello_flask

        app = hello_flask.create_app()


        @app.after_request  # runs for every response this app sends
        def no_sniffing(response):
            # The same header Django's SecurityMiddleware adds: browsers must trust content-type.
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response


        answer = app
    """,
    praise="That is what Django's SecurityMiddleware does for every response: in Flask you add it yourself "
    "(or install an extension that does).",
    served="wsgi",
)
def flask_sends_nosniff(answer: Any) -> str | None:
    from helpers.coursework.served import Remote, serve_wsgi

    if not isinstance(answer, Remote) and (not callable(answer) or not hasattr(answer, "after_request")):
        return (
            "the answer should be a Flask app (what `hello_flask.create_app()` returns), not " + type(answer).__name__
        )
    with serve_wsgi(answer, "exercise-00-3") as srv:
        r = srv.get("/")
        if r.status_code >= 500:
            return f"GET / answered {r.status_code}: something raised. `server_logs()` shows the traceback."
        if r.status_code != 200:
            return f"GET / answered {r.status_code}: keep the hello route and add the header to it."
        value = r.headers.get("x-content-type-options")
        if value is None:
            return "the response has no X-Content-Type-Options header yet."
        if value.strip().lower() != "nosniff":
            return f'X-Content-Type-Options is {value!r}; Django sends "nosniff".'
    return None


def protocol_apps() -> dict[str, Any]:
    """Return the app objects of exercise 00.4 by the name the notebook shows, built fresh."""
    from flask import Flask

    from helpers.apps import hello_fastapi, hello_flask
    from helpers.serving.django_kernel import asgi_app, setup_django, wsgi_app

    setup_django()
    with_async_view = Flask("async_view")

    @with_async_view.get("/")
    async def hello() -> dict[str, str]:
        return {"hello": "async view"}

    return {
        "Flask app": hello_flask.create_app(),
        "Flask app with an async def view": with_async_view,
        "FastAPI app": hello_fastapi.app,
        "Django's wsgi_app()": wsgi_app(),
        "Django's asgi_app()": asgi_app(),
    }


PROTOCOL_APPS = (
    "Flask app",
    "Flask app with an async def view",
    "FastAPI app",
    "Django's wsgi_app()",
    "Django's asgi_app()",
)


def protocol_of(app: Any) -> str:
    """Return "ASGI" if a server must await `app(scope, receive, send)`, else "WSGI" (`app(environ, start_response)`)."""
    import inspect

    call = app if inspect.isfunction(app) else type(app).__call__
    return "ASGI" if inspect.iscoroutinefunction(call) else "WSGI"


@exercise(
    "00.4",
    "which protocol does each app speak",
    hint="A server calls the app object it is given. A WSGI server calls it with the request's environment and a "
    "function to start the response, and waits for it to return; an ASGI server awaits a coroutine. Ask which "
    "kind of call each object's class defines, and remember that a view is not the app: the app is what the "
    "server calls.",
    solution="""
        # The server calls the app object, so the protocol is a property of that object, not of its views.
        # Flask's app defines a plain __call__(environ, start_response): WSGI, even when a view is async
        # (Flask runs that view in an event loop of its own, inside the WSGI call).
        # FastAPI's app is Starlette's: an async __call__(scope, receive, send), ASGI.
        # Django ships both handlers for the same project: get_wsgi_application() and get_asgi_application().
        answer = {
            "Flask app": "WSGI",
            "Flask app with an async def view": "WSGI",
            "FastAPI app": "ASGI",
            "Django's wsgi_app()": "WSGI",
            "Django's asgi_app()": "ASGI",
        }
    """,
    praise="The protocol belongs to the app object the server calls: Django's project can be handed to either kind "
    "of server, and an async view does not make Flask an ASGI app.",
    data=True,
)
def which_protocol(answer: Any) -> str | None:
    if not isinstance(answer, dict):
        return f'the answer should be a dict from each app\'s name to "WSGI" or "ASGI", not a {type(answer).__name__}.'
    missing = [name for name in PROTOCOL_APPS if name not in answer]
    extra = [name for name in answer if name not in PROTOCOL_APPS]
    if extra:
        return f"{extra[0]!r} is not one of the apps; the names are {list(PROTOCOL_APPS)}."
    if missing:
        return f"the answer has no entry for {missing[0]!r}; give one for each of the five apps."
    said = {name: str(answer[name]).strip().upper() for name in PROTOCOL_APPS}
    odd = [name for name, value in said.items() if value not in ("WSGI", "ASGI")]
    if odd:
        return f'{answer[odd[0]]!r} for {odd[0]!r}: each app speaks one protocol, "WSGI" or "ASGI".'
    truth = {name: protocol_of(app) for name, app in protocol_apps().items()}
    for name in PROTOCOL_APPS:
        if said[name] == truth[name]:
            continue
        if name == "Flask app with an async def view":
            return (
                "an async def view does not change how the server calls a Flask app: Flask runs that view in an "
                "event loop of its own, inside an ordinary WSGI call (Flask's docs: Using async and await)."
            )
        if name.startswith("Django"):
            return f"{name} is {said[name]}? Look at which of Django's two handlers it wraps: the name says it."
        if name == "FastAPI app":
            return "FastAPI is built on Starlette, a toolkit for one of the two protocols: which one awaits?"
        return f"{name}: how does a server call it? Look at the kind of call its class defines."
    return None


# Exercise 00.5: the order the notebook sends to the shop app, with the price written as many countries write it.
SHOP_ORDER = {"price": "2,50", "qty": 4}
# Flask's own functions in a view's traceback: the framework calling the app, above the app's frames.
_FLASK_FRAMES = {"wsgi_app", "full_dispatch_request", "dispatch_request", "handle_user_exception", "ensure_sync"}
_SHOP_EXAMPLE = '{"exception": "NameError", "function": "main"}'


def shop_fault() -> dict[str, str]:
    """Return what the shop app's traceback says for SHOP_ORDER: the exception's name and the app's last frame."""
    import traceback

    from helpers.apps import shop_flask

    app = shop_flask.create_app()
    app.config["PROPAGATE_EXCEPTIONS"] = True  # the test client re-raises what the view raised, as the log shows it
    try:
        app.test_client().get("/total", query_string=SHOP_ORDER)
    except Exception as exc:
        frames = [f.name for f in traceback.extract_tb(exc.__traceback__) if f.filename == shop_flask.__file__]
        return {"exception": type(exc).__name__, "function": frames[-1]}
    raise AssertionError(f"the shop app answered {SHOP_ORDER} without raising")


def _name(text: str, frame: bool = False) -> str:
    """Return a name as a learner may write it, compared kindly: "decimal.InvalidOperation: [...]" -> invalidoperation.

    Case, spaces, a module before a dot, a call's parentheses and the message after a colon drop out; so does
    a whole frame line ("File ..., line 10, in NAME") when `frame`.
    """
    name = text.rsplit(" in ", 1)[-1] if frame else text.split(":")[0]
    name = name.split("(")[0].strip().rsplit(".", 1)[-1]
    return "".join(name.split()).lower()


def _wrong_exception(said: Any, truth: str) -> str | None:
    """Say what is wrong with the exception a learner named, or None if it is the one the log shows."""
    if said in (500, "500") or (isinstance(said, str) and said.strip().startswith("500")):
        return (
            "500 is the status code, the same for any error in any view: it says that the app failed, not how. "
            "The exception is in the log."
        )
    if not isinstance(said, str):
        return f'the exception should be its name as a string, like "NameError"; you gave a {type(said).__name__}.'
    name = _name(said)
    if name == truth.lower():
        return None
    if name in ("internalservererror", "servererror"):
        return (
            f"{said.strip()!r} is what the response said, the same words for any error: "
            "the exception that caused it is in the log, not in the response."
        )
    if name == "valueerror":
        return (
            "`ValueError` is a fair guess from the code, since `int()` raises it for bad text, but it is a guess: "
            "the log names the exception the shop really raised, and an `except ValueError` written from the guess "
            "would not catch it."
        )
    if name == "zerodivisionerror":
        return (
            "`ZeroDivisionError` is in the log, but it comes from the broken app earlier in this notebook "
            "(`Exception on / [GET]`); the shop's traceback comes after the line that names `/total`."
        )
    if name == "exception" or said.strip().lower().startswith("exception on"):
        return (
            "`Exception on /total [GET]` is the log line that opens the traceback: its first word is not the name "
            "of what was raised, which is on the traceback's last line."
        )
    if name == "conversionsyntax":
        return (
            "`ConversionSyntax` is in the exception's message, which comes after the colon on the last line: "
            "the exception's own name comes before the colon."
        )
    if name == "traceback":
        return "`Traceback (most recent call last)` is the traceback's heading; the exception comes at its end."
    return f"{said.strip()!r} is not the exception the shop's traceback ends with: read its last line."


def _wrong_function(said: Any, truth: str) -> str | None:
    """Say what is wrong with the function a learner named, or None if it is the app's last frame."""
    if not isinstance(said, str):
        return f'the function should be its name as a string, like "main"; you gave a {type(said).__name__}.'
    name = _name(said, frame=True)
    if name == truth.lower():
        return None
    if name == "total":
        return (
            "`total` is the view, the first of the shop's frames: it called the function that raised, "
            "which sits further down the traceback."
        )
    if name in _FLASK_FRAMES:
        return (
            f"`{name}` is Flask's own function, in `flask/app.py`: the frames at the top of a traceback are "
            "the framework calling the app. The shop's own frames are in its file, further down."
        )
    if name == "decimal":
        return (
            "`Decimal` is a class from Python's decimal module, not a function of the shop app: "
            "the frame that holds that line says which function it is in."
        )
    if name == "create_app":
        return "`create_app` built the app before the server started; it is not in the request's traceback."
    if name == "ratio":
        return "`ratio` is the broken app's view, from the earlier traceback: read the one under `/total`."
    return f"{said.strip()!r} is not one of the shop app's functions in the traceback: each frame says `in NAME`."


@exercise(
    "00.5",
    "read the traceback behind a 500",
    hint="The response is the same for every error, so read the log: print server_logs() and find the traceback "
    "under the line that names /total. Read it from the bottom: the last line starts with the exception's name, "
    "before the colon, and the nearest frame above it names the function that raised it. Frames in Flask's "
    "files are the framework calling the app.",
    solution="""
        # A 500's body is the same for every error, so the cause is in the log:
        #     print(server_logs())
        # The shop's traceback starts under "Exception on /total [GET]" (the broken app's, from earlier, sits
        # above it). Read it from the bottom. Its last line,
        #     decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]
        # gives the exception's type before the colon and its message after it.
        # The frames above go from the outside in: Flask's wsgi_app and dispatch_request called the view,
        # total, which called parse_price, the last frame: there Decimal("2,50") raised.
        answer = {"exception": "InvalidOperation", "function": "parse_price"}
    """,
    praise="`Decimal` raises `InvalidOperation`, an `ArithmeticError`, not the `ValueError` a guess from the code "
    "gives: an `except ValueError` written from that guess would still answer 500. `parse_price` is where a fix "
    "starts, for instance a 400 answer that says how to write the price.",
    data=True,
)
def read_the_traceback(answer: Any) -> str | None:
    if not isinstance(answer, dict):
        return (
            f"the answer should be a dict with two entries, like {_SHOP_EXAMPLE}; you gave a {type(answer).__name__}."
        )
    said = {str(key).strip().lower(): value for key, value in answer.items()}
    extra = [key for key in said if key not in ("exception", "function")]
    if extra:
        return (
            f'{extra[0]!r} is not one of the two keys: the dict has "exception" and "function", like {_SHOP_EXAMPLE}.'
        )
    for key in ("exception", "function"):
        if key not in said:
            return f'the answer has no "{key}" entry: give both, like {_SHOP_EXAMPLE}.'
    truth = shop_fault()
    return _wrong_exception(said["exception"], truth["exception"]) or _wrong_function(
        said["function"], truth["function"]
    )


# Exercise 00.6: the notebook serves the Flask hello app twice under one name, as a re-run of its cell would.
RERUN_NAME = "flask-again"
_RERUN_EXAMPLE = '{"servers": 3, "first_running": True}'


def rerun_facts() -> dict[str, Any]:
    """Serve an app twice under one name, as a re-run does; return what 00.6 asks: servers listed, first running."""
    from helpers.apps import hello_flask
    from helpers.serving.servers import list_servers, serve

    name = "exercise-00-6"  # not the notebook's name: the check leaves the learner's servers alone
    first = serve(hello_flask.create_app(), name)
    second = serve(hello_flask.create_app(), name)
    try:
        return {"servers": [s.name for s in list_servers()].count(name), "first_running": first.running}
    finally:
        second.stop()
        first.stop()


@exercise(
    "00.6",
    "predict what re-running a serving cell leaves behind",
    hint='Read "Re-run safely" again: what happens to the server that already has a name when another is served '
    "under it? Then count the servers that name can have.",
    solution="""
        # serve(app, name) first stops the server already running under `name`, then starts the new one:
        # a name holds one server, so a re-run leaves no second server and no stray thread or port behind.
        answer = {"servers": 1, "first_running": False}
    """,
    praise="One name, one server: that is why re-running any serving cell of the course never fails with "
    '"address already in use" and never leaves a forgotten server behind.',
    data=True,
)
def rerun_replaces(answer: Any) -> str | None:
    shape = f"the answer should be a dict like {_RERUN_EXAMPLE}"
    if not isinstance(answer, dict) or set(answer) != {"servers", "first_running"}:
        return shape + "."
    servers, first_running = answer["servers"], answer["first_running"]
    if isinstance(servers, bool) or not isinstance(servers, int) or not isinstance(first_running, bool):
        return shape + ": a whole number of servers, and True or False."
    truth = rerun_facts()
    if servers != truth["servers"]:
        if servers > truth["servers"]:
            return (
                f"{servers} servers under one name would mean each run adds one, each holding a port and a thread. "
                "What does serve() do with the server that already has the name?"
            )
        return "no server at all? The second serve() returned a running server: count it."
    if first_running != truth["first_running"]:
        return (
            "the count is right, so where did the first server go? If it still ran, it would keep its port and its "
            "thread, with no name left to stop it by."
        )
    return None
