"""Exercises of notebook 08 (use cases: the contests)."""

from __future__ import annotations

from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("08")


@exercise(
    "08.1",
    "predict: which chat server grows a thread per client?",
    hint="WSGI hands a request to a thread until the response is done, and a WebSocket's 'response' lasts as long "
    "as the connection. An event loop holds a socket as a small object, not a thread.",
    solution="""
        # flask-sock runs each socket's view in the thread that accepted it (gunicorn's gthread worker, or
        # werkzeug's), for as long as the socket is open (simple-websocket adds a reader thread too).
        # uvicorn's event loop holds each socket as a task in its one thread, so FastAPI adds none.
        answer = "Flask"
    """,
    praise="Right: Flask on threads keeps a thread (two, measured) per open socket; FastAPI's loop keeps none. "
    "The contest below measures it, and a third set-up, Flask on gevent, that keeps none either.",
    data=True,
)
def chat_threads(answer: Any) -> str | None:
    options = ["FastAPI", "Flask", "both", "neither"]
    if answer not in options:
        return f"answer with one of {options}, as a string; got {answer!r}."
    if answer in ("FastAPI", "both"):
        return (
            "FastAPI's WebSockets are tasks on uvicorn's one event loop: a waiting socket costs a task, "
            "not a thread. Which server runs each socket's view in a thread of its own?"
        )
    if answer == "neither":
        return (
            "one of them does: a WSGI server gives each request a thread until the response ends, and a "
            "WebSocket doesn't end until the client leaves."
        )
    return None


@exercise(
    "08.2",
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
)
def api_field(answer: Any) -> str | None:
    from pydantic import ValidationError

    from helpers.apps.api_first_fastapi import BookIn, create_app

    if not (isinstance(answer, type) and issubclass(answer, BookIn)):
        return f"the answer should be a class that subclasses BookIn, like `class BookWithPages(BookIn): ...`; got {answer!r}."
    schema = create_app(answer).openapi()
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
    try:
        answer.model_validate({**book, "pages": 0})
    except ValidationError:
        pass
    else:
        return "the schema says 'pages' is at least 1, but the model accepts 0 pages: put the bound on the field."
    try:
        answer.model_validate({**book, "pages": 412})
    except ValidationError as exc:
        return f"a book of 412 pages should pass, but the model refused it: {exc.errors()[0]['msg']}."
    return None


def _own_join(event: Any, name: str) -> bool:
    """Tell whether `event` is `name`'s own join (others' joins can be part of the history)."""
    return isinstance(event, dict) and event.get("type") == "join" and event.get("user") == name


@exercise(
    "08.3",
    "message history for newcomers",
    hint="A newcomer's first events come from welcome(self, name), and the room keeps everything that happened in "
    "self.log. Look at what kinds of events the log holds: people join and leave as well as talk. "
    "Which of them are messages, and which are the newest ten?",
    solution='''
        from helpers.apps.chat_fastapi import ChatRoom


        class HistoryRoom(ChatRoom):
            """A room that shows newcomers the last ten messages."""

            def welcome(self, name):
                # The log holds joins and leaves too: keep the messages, then the newest ten, oldest first.
                return [e for e in self.log if e["type"] == "message"][-10:]


        answer = HistoryRoom
    ''',
    praise="A newcomer now sees the last ten messages, in order, before anything new.",
)
def chat_history(answer: Any) -> str | None:
    from websockets.exceptions import ConnectionClosed

    from helpers.apps.chat_fastapi import ChatRoom, create_app
    from helpers.serving.servers import serve
    from helpers.usecases.chat_clients import ChatClient

    if not (isinstance(answer, type) and issubclass(answer, ChatRoom)):
        return f"the answer should be a class that subclasses ChatRoom; got {answer!r}."
    with serve(create_app(answer), "exercise-08-3") as server:
        with ChatClient(server.url, "ada") as ada:
            ada.receive()  # ada's own join
            # Twelve messages, with someone joining and leaving among the last ten: the log's newest ten
            # events are not the newest ten messages.
            for i in range(12):
                if i == 6:
                    cy = ChatClient(server.url, "cy")
                    ada.receive()  # cy's join
                if i == 9:
                    cy.close()
                    ada.receive()  # cy's leave
                ada.send(f"message {i}")
                ada.receive()
            try:
                with ChatClient(server.url, "bob") as bob:
                    # Everything bob gets up to and including his own join event.
                    first = [bob.receive()]
                    while not _own_join(first[-1], "bob") and len(first) < 30:
                        first.append(bob.receive())
            except (ConnectionClosed, TimeoutError) as exc:
                return (
                    f"bob's connection ended before his own join arrived ({type(exc).__name__}): did welcome raise? "
                    "`server_logs()` shows the traceback."
                )
    history, expected = first[:-1], [f"message {i}" for i in range(2, 12)]
    if not history:
        return "bob's first event was his own join: the history must come before it (return it from welcome)."
    if not all(isinstance(e, dict) for e in history):
        odd = next(e for e in history if not isinstance(e, dict))
        return (
            f"bob got {odd!r}: welcome should return events, dicts like those in self.log, not {type(odd).__name__}s."
        )
    others = sorted({str(e.get("type")) for e in history} - {"message"})
    if others:
        return (
            f"bob's history holds {others} events as well as messages: {len(history)} events, of which "
            f"{sum(e.get('type') == 'message' for e in history)} are messages. He should get the last 10 messages."
        )
    texts = [e.get("text") for e in history]
    if texts == expected[::-1]:
        return "bob got the right 10 messages, newest first: show them in the order they were sent."
    if texts != expected:
        return f"bob should first get the last 10 messages {expected[:2]}…{expected[-1:]}, in order; he got {texts}."
    return None
