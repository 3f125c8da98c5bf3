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
)
def flask_adds(answer: Any) -> str | None:
    from helpers.serving.servers import serve_wsgi

    if not callable(answer):
        return "the answer should be a Flask app (what `Flask(__name__)` returns), not " + type(answer).__name__
    with serve_wsgi(answer, "exercise-00-2") as srv:
        for a, b in [(2, 40), (-5, 5)]:
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
)
def flask_sends_nosniff(answer: Any) -> str | None:
    from helpers.serving.servers import serve_wsgi

    if not callable(answer) or not hasattr(answer, "after_request"):
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
