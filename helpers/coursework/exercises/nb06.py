"""Exercises of notebook 06 (use cases)."""
from __future__ import annotations

from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("06")

# The project of exercise 06.1, also shown in the notebook.
AUCTION = {"admin_ui": 1.0, "realtime": 0.8, "io_bound": 0.8, "deadline": 0.6, "server_pages": 0.3}


@exercise(
    "06.1",
    "weights for a live auction",
    hint="Raise the weight of what matters most to this client (real-time bidding), lower what they can live "
    "without (the back office), then put a factor from the helper's 'Deciding factor' sentences in 'deciding'.",
    solution='''
        from helpers.usecases.decision import score
        from helpers.coursework.exercises.nb06 import AUCTION

        weights = {"realtime": 2.0, "admin_ui": 0.5}
        print(score(AUCTION, weights).explanation)  # the reasons, to defend the pick
        answer = {"weights": weights, "deciding": "realtime"}
    ''',
    praise="The helper now picks FastAPI, and you can name the factor that tipped it.",
)
def auction_weights(answer: Any) -> str | None:
    from helpers.usecases.decision import FACTORS, score

    if not isinstance(answer, dict) or set(answer) != {"weights", "deciding"}:
        return 'the answer should be a dict with two keys: {"weights": {...}, "deciding": "a factor name"}.'
    try:
        result = score(AUCTION, answer["weights"])
    except (TypeError, ValueError) as exc:
        return f"the helper refused your weights: {exc}"
    if result.recommendation != "FastAPI":
        return (f"with your weights the helper still picks {result.recommendation} "
                f"({', '.join(f'{k} {v:.2f}' for k, v in result.scores.items())}); FastAPI must come first.")
    if answer["deciding"] not in FACTORS:
        return f"'deciding' should be one of the factor names {list(FACTORS)}, got {answer['deciding']!r}."
    if answer["deciding"] not in result.deciding:
        return (f"{answer['deciding']!r} is not what decided it; the helper's deciding factors are "
                f"{result.deciding}: defend the pick with one of those.")
    return None


@exercise(
    "06.2",
    "add a field and watch the schema change",
    hint="Subclass BookIn and add `pages: int = Field(ge=1)`; create_app(YourModel).openapi() is the schema.",
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
    return None


@exercise(
    "06.3",
    "message history for newcomers",
    hint="Subclass ChatRoom and override welcome(self, name): return the last 10 events of self.log "
    "whose 'type' is 'message'.",
    solution='''
        from helpers.apps.chat_fastapi import ChatRoom


        class HistoryRoom(ChatRoom):
            """A room that shows newcomers the last ten messages."""

            def welcome(self, name):
                return [e for e in self.log if e["type"] == "message"][-10:]


        answer = HistoryRoom
    ''',
    praise="A newcomer now sees the last ten messages, in order, before anything new.",
)
def chat_history(answer: Any) -> str | None:
    from helpers.apps.chat_fastapi import ChatRoom, create_app
    from helpers.usecases.chat_clients import ChatClient
    from helpers.serving.servers import serve

    if not (isinstance(answer, type) and issubclass(answer, ChatRoom)):
        return f"the answer should be a class that subclasses ChatRoom; got {answer!r}."
    with serve(create_app(answer), "exercise-06-3") as server:
        with ChatClient(server.url, "ada") as ada:
            ada.receive()  # ada's own join
            for i in range(12):
                ada.send(f"message {i}")
                ada.receive()
            with ChatClient(server.url, "bob") as bob:
                # Everything bob gets up to and including his own join event.
                first = [bob.receive()]
                while first[-1].get("type") != "join" and len(first) < 30:
                    first.append(bob.receive())
    history, expected = [e.get("text") for e in first[:-1]], [f"message {i}" for i in range(2, 12)]
    if not history:
        return "bob's first event was his own join: the history must come before it (return it from welcome)."
    if history != expected:
        return f"bob should first get the last 10 messages {expected[:2]}…{expected[-1:]}, in order; he got {history}."
    return None
