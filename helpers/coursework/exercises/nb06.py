"""Exercises of notebook 06 (use cases)."""

from __future__ import annotations

from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("06")

# The project of exercise 06.4, also shown in the notebook: a clinic whose developers know FastAPI.
CLINIC = {
    "relational_data": 1.0,
    "auth_users": 1.0,
    "server_pages": 0.6,
    "long_term_support": 0.6,
    "team_knows": "FastAPI",
}
# The project of exercise 06.5: a small events site with live updates.
EVENTS = {"realtime": 0.6, "auth_users": 0.8, "io_bound": 0.5}


@exercise(
    "06.1",
    "predict: which chat server grows a thread per client?",
    hint="WSGI hands a request to a thread until the response is done, and a WebSocket's 'response' lasts as long "
    "as the connection. An event loop holds a socket as a small object, not a thread.",
    solution="""
        # flask-sock runs each socket's view in the werkzeug thread that accepted it, for as long as the
        # socket is open (simple-websocket adds a reader thread too). uvicorn's event loop holds each
        # socket as a task in its one thread, so FastAPI adds none.
        answer = "Flask"
    """,
    praise="Right: the Flask server keeps a thread (two, measured) per open socket; FastAPI's loop keeps none. "
    "The contest below measures it.",
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
    from helpers.serving.servers import serve
    from helpers.usecases.chat_clients import ChatClient

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


@exercise(
    "06.4",
    "predict the pick, then name what decided it",
    hint="The team's experience is one factor among ten. Which needs does the clinic have at 1.0, and which "
    "framework does the fit table give 1.0 for them? The helper's 'Deciding factor' lines name the evidence.",
    solution="""
        # The clinic needs relational data and user accounts fully: Django ships both (fit 1.0), FastAPI leaves
        # the ORM and migrations to add-ons (0.4) and ships only security helpers (0.6). That outweighs the
        # team's FastAPI experience (one factor, weight 1). The largest lead rests on Django's documented
        # migrations.
        from helpers.usecases.decision import score
        from helpers.coursework.exercises.nb06 import CLINIC

        result = score(CLINIC)
        answer = {"pick": "Django", "deciding": "relational_data"}
        print(result.recommendation, result.deciding)  # what the helper says, to compare with the prediction
    """,
    praise="Right, and for the right reason: the documented ORM and migrations outweigh the team's experience.",
)
def clinic_pick(answer: Any) -> str | None:
    from helpers.usecases.decision import FACTORS, TEAM, score

    if not isinstance(answer, dict) or set(answer) != {"pick", "deciding"}:
        return 'the answer should be a dict with two keys: {"pick": "a framework", "deciding": "a factor name"}.'
    result = score(CLINIC)
    if answer["pick"] != result.recommendation:
        return (
            f"the helper doesn't pick {answer['pick']!r}: the team knows FastAPI, but that is one factor of ten; "
            "which needs does the clinic have at 1.0, and which framework ships them?"
        )
    names = [*FACTORS, TEAM]
    if answer["deciding"] not in names:
        return f"'deciding' should be one of the factor names {names}, got {answer['deciding']!r}."
    if answer["deciding"] not in result.deciding:
        return (
            f"{answer['deciding']!r} didn't decide it: the helper's deciding factors are {result.deciding}. "
            "Which one gives the pick the largest lead?"
        )
    lead = {
        f: result.contributions[f][result.recommendation] - result.contributions[f][result.runner_up]
        for f in result.deciding
    }
    if lead[answer["deciding"]] < max(lead.values()) - 1e-9:  # factors with equal leads are equally right
        return (
            f"{answer['deciding']!r} helps, but it isn't the largest lead; look at the first 'Deciding factor' "
            "line and the evidence it cites."
        )
    return None


@exercise(
    "06.5",
    "how far would the weight have to move?",
    hint="Run score(EVENTS) and read its last sentence: it names the deciding factor and the weight below which "
    "another framework catches up. Give a weight a little below that value, and name who catches up.",
    solution="""
        # The explanation's last sentence is the tipping point: below that weight of the deciding factor,
        # the runner-up catches up. Any weight just under it changes the pick.
        from helpers.usecases.decision import make_project, score, weight_to_change
        from helpers.coursework.exercises.nb06 import EVENTS

        result = score(EVENTS)
        print(result.tipping_point)
        factor = result.deciding[0]
        at, other = weight_to_change(factor, make_project(EVENTS), result.weights, result.scores,
                                     result.recommendation)
        answer = {"factor": factor, "weight": round(at - 0.05, 2), "new_pick": other}
    """,
    praise="Right: you read the tipping point and the runner-up from the explanation, not by moving sliders at random.",
)
def events_tipping(answer: Any) -> str | None:
    from helpers.usecases.decision import WEIGHTS, score

    if not isinstance(answer, dict) or set(answer) != {"factor", "weight", "new_pick"}:
        return (
            'the answer should be a dict with three keys: {"factor": "a factor name", "weight": a number, '
            '"new_pick": "a framework"}.'
        )
    base = score(EVENTS)
    if answer["factor"] not in WEIGHTS:
        return f"'factor' should be one of {list(WEIGHTS)}, got {answer['factor']!r}."
    if answer["factor"] != base.deciding[0]:
        return (
            f"move the weight the explanation's last sentence names; you moved {answer['factor']!r}, "
            "which is not the deciding factor."
        )
    try:
        moved = score(EVENTS, {answer["factor"]: answer["weight"]})
    except (TypeError, ValueError) as exc:
        return f"the helper refused that weight: {exc}"
    if moved.recommendation == base.recommendation:
        return (
            f"at weight {answer['weight']} the pick is still {base.recommendation}: go below the value the "
            "explanation gives."
        )
    if answer["new_pick"] != moved.recommendation:
        return f"the pick does change at that weight, but not to {answer['new_pick']!r}: read who catches up."
    return None
