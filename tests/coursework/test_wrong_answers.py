"""The wrong-answer catalogue: for every exercise, plausible wrong answers that its check rejects with feedback that
points at the mistake, and the right answers it accepts (issue 26).

Each wrong answer names the mistake it stands for and words its feedback must hold. The last tests show the
catalogue can fail: a check that accepts everything, or nothing, is caught by it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from helpers.coursework.checks import evaluate, solution_answer, solution_code
from helpers.coursework.exercises import EXERCISES
from helpers.coursework.exercises.nb05 import SCHEMA_APIS, TEST_SETUPS

pytestmark = pytest.mark.usefixtures("django_ready")


@dataclass(frozen=True)
class Wrong:
    """A plausible wrong answer: the mistake it stands for, how to build it, and words its feedback must hold."""

    mistake: str
    build: Callable[[], Any]
    words: str


def run(code: str, namespace: dict[str, Any]) -> None:
    """Run a learner's code as a cell would: without this module's `from __future__ import annotations`."""
    exec(compile(code, "<answer cell>", "exec", dont_inherit=True), namespace)


def value(x: Any) -> Callable[[], Any]:
    """Return a builder of a plain value (apps and classes are built per test, values need no building)."""
    return lambda: x


def from_solution(exercise_id: str, old: str, new: str, prelude: str = "") -> Callable[[], Any]:
    """Return a builder of the answer the solution binds once `old` is replaced by `new` in its code."""

    def build() -> Any:
        code = solution_code(exercise_id)
        assert old in code, (exercise_id, old)
        namespace: dict[str, Any] = {"__name__": "wrong_answer"}
        run(prelude + code.replace(old, new), namespace)
        return namespace["answer"]

    return build


# -- 00 -----------------------------------------------------------------------------------------------------------


def protocols(changes: dict[str, str]) -> Callable[[], Any]:
    """Return a builder of 00.4's right answer with `changes` applied."""
    return lambda: {**solution_answer("00.4"), **changes}


def flask_adder(body: str) -> Callable[[], Any]:
    """Return a builder of a Flask app whose GET /add returns `body` (an expression over `request`)."""

    def build() -> Any:
        from flask import Flask, request  # noqa: F401 (used by the expression)

        app = Flask("adder")
        app.add_url_rule("/add", "add", lambda: eval(body, {"request": request}))
        return app

    return build


def empty_flask() -> Any:
    from flask import Flask

    return Flask("empty")


def hello_with_header(name: str, value_: str) -> Callable[[], Any]:
    def build() -> Any:
        from helpers.apps import hello_flask

        app = hello_flask.create_app()

        @app.after_request
        def add(response):
            response.headers[name] = value_
            return response

        return app

    return build


def hello_plain() -> Any:
    from helpers.apps import hello_flask

    return hello_flask.create_app()


def hello_after_request_forgets_return() -> Any:
    from helpers.apps import hello_flask

    app = hello_flask.create_app()

    @app.after_request
    def add(response):
        response.headers["X-Content-Type-Options"] = "nosniff"  # and returns None: Flask has no response to send

    return app


def fault(exception: Any, function: Any) -> dict[str, Any]:
    """Return an answer to 00.5: the exception's name and the shop app's function, as the learner read them."""
    return {"exception": exception, "function": function}


# -- 01 -----------------------------------------------------------------------------------------------------------


def fewest_dependencies() -> str:
    from helpers.components import footprint as fp

    counts = {label: len(fp.dependency_tree(dist)) for label, (dist, _) in fp.FRAMEWORKS.items()}
    return min(counts, key=counts.get)


def most_dependencies() -> str:
    from helpers.components import footprint as fp

    counts = {label: len(fp.dependency_tree(dist)) for label, (dist, _) in fp.FRAMEWORKS.items()}
    return max(counts, key=counts.get)


def course_bookshelf() -> Any:
    from helpers.apps import bookshelf_fastapi

    return bookshelf_fastapi.create_app()


def fastapi_without_validation() -> Any:
    from tests.apps.test_bookshelf import _fastapi_without_validation

    return _fastapi_without_validation()


def flask_bookshelf() -> Any:
    from tests.apps.test_bookshelf import broken_flask_app

    return broken_flask_app()


def wsgi(status: str, headers: Any, body: Any) -> Callable[[], Any]:
    """Return a builder of a bare WSGI app that answers with these, whatever they are."""

    def build() -> Any:
        def app(environ, start_response):
            start_response(status, headers)
            return body

        return app

    return build


def wsgi_without_start_response() -> Any:
    def app(environ, start_response):
        return [b'{"hello": "wsgi"}']

    return app


def bare_wsgi_app() -> Any:
    from helpers.apps import bare_wsgi

    return bare_wsgi.app


def bare_asgi_app() -> Any:
    from helpers.apps import bare_asgi

    return bare_asgi.app


# -- 02 -----------------------------------------------------------------------------------------------------------


# 02.2: the causes of the gap to the model on paper, and the rivals the loop gains nothing over.
NO_GAIN = {"CPU-bound", "thread per request"}


def gap_answer(causes: Any = None, no_gain: Any = None) -> Callable[[], Any]:
    """Return a builder of a 02.2 answer: the right one, with the parts given replaced."""
    return value(
        {
            "causes": {"overhead"} if causes is None else causes,
            "no gain": NO_GAIN if no_gain is None else no_gain,
        }
    )


FIRE = 'fire(server.url, "/io?ms=100", 10)'
LOOP_RIGHT = (("asyncio.run", "running loop"), ("fix", f"result = await {FIRE}"), ("60 threads", "lifespan"))


def loop_answer(run: str | None = None, fix: str | None = None, threads: str | None = None) -> Callable[[], Any]:
    """Return a builder of a 02.3 answer: the right one, with the parts given replaced."""
    right = dict(LOOP_RIGHT)
    return value(
        {
            "asyncio.run": run or right["asyncio.run"],
            "fix": fix or right["fix"],
            "60 threads": threads or right["60 threads"],
        }
    )


def slow_app(handler: str) -> Callable[[], Any]:
    """Return a builder of a FastAPI app whose GET /slow runs `handler` (the body of `async def slow(ms)`)."""

    def build() -> Any:
        import asyncio  # noqa: F401 (used by the handler)
        import time  # noqa: F401

        from fastapi import FastAPI

        namespace: dict[str, Any] = {"asyncio": asyncio, "time": time}
        run(handler, namespace)
        app = FastAPI()
        app.get("/slow")(namespace["slow"])
        return app

    return build


BLOCKING = "async def slow(ms: int = 100) -> dict:\n    time.sleep(ms / 1000)\n    return {}"
# The case: the old absolute bound (0.95 s) passed a handler that still blocks for 90 of its 100 ms.
MOSTLY_BLOCKING = (
    "async def slow(ms: int = 100) -> dict:\n"
    "    time.sleep(0.9 * ms / 1000)\n"
    "    await asyncio.sleep(0.1 * ms / 1000)\n"
    "    return {}"
)
NOT_AWAITED = "async def slow(ms: int = 100) -> dict:\n    asyncio.sleep(ms / 1000)\n    return {}"
FIXED_WAIT = "async def slow(ms: int = 100) -> dict:\n    await asyncio.sleep(0.1)\n    return {}"
RAISES = "async def slow(ms: int = 100) -> dict:\n    raise RuntimeError('oops')"
# Right answers besides the worked one: a plain `def` runs in FastAPI's thread pool, off the loop.
PLAIN_DEF = "def slow(ms: int = 100) -> dict:\n    time.sleep(ms / 1000)\n    return {'waited_ms': ms}"
TO_THREAD = (
    "async def slow(ms: int = 100) -> dict:\n"
    "    await asyncio.to_thread(time.sleep, ms / 1000)\n"
    "    return {'waited_ms': ms}"
)


def bare_fastapi() -> Any:
    from fastapi import FastAPI

    return FastAPI()


# -- 03 -----------------------------------------------------------------------------------------------------------


def workers_and_stops(makespan: dict | None = None, **left: Callable[[int], int]) -> Callable[[], dict[str, Any]]:
    """Return a builder of the 03.1 answer that is right but for `makespan`, and the counts `left` derives from
    the orphans the check measures (keys: term, kill, group)."""

    def build() -> dict[str, Any]:
        from helpers.coursework.exercises.nb03 import stop_facts

        orphans = stop_facts()["SIGKILL to the master"]
        counts = {"term": 0, "kill": orphans, "group": 0} | {k: f(orphans) for k, f in left.items()}
        return {
            "makespan": makespan or {1: 1.2, 2: 0.6, 4: 0.3},
            "left": {
                "SIGTERM to the master": counts["term"],
                "SIGKILL to the master": counts["kill"],
                "SIGKILL to the group": counts["group"],
            },
        }

    return build


def machine(workers: int, threads: int, cores: int, capacity: float) -> dict[str, Any]:
    """Return a 03.4 answer: the choice, and what the learner's machine measured."""
    return {"workers": workers, "threads": threads, "cores": cores, "capacity": capacity}


# -- 04 -----------------------------------------------------------------------------------------------------------


def joins(django: str, sqlalchemy: str, django_nullable: str) -> dict[str, str]:
    """Return a 04.1 answer: the join each statement uses, and the one Django writes for a nullable ForeignKey."""
    return {"django": django, "sqlalchemy": sqlalchemy, "django_nullable": django_nullable}


def rollback(columns: Any = ("id", "title", "year"), slugs: Any = (None, None), no_reverse: Any = "error") -> dict:
    """Return a 04.3 answer: shelf_book's columns after the rollback, the slugs once 0002 is back, the no-reverse case."""
    return {"columns": list(columns), "slugs": list(slugs), "no_reverse": no_reverse}


def naive_labels() -> Any:
    from helpers.apps import library_queries

    return library_queries.book_labels_django_naive


def always_equal_labels() -> Any:
    """Issue 27's red team: a list subclass that says it equals anything."""

    class Labels(list):
        def __eq__(self, other: object) -> bool:
            return True

        def __ne__(self, other: object) -> bool:
            return False

    return lambda: Labels()


def one_book_left_labels() -> Any:
    """Issue 27's red team: delete all books but one, so the unfixed loop sends only two queries."""

    from helpers.apps import library_queries
    from helpers.apps.library_django.models import Book
    from helpers.components.library_data import load_django, make_data
    from helpers.serving.django_kernel import setup_django

    setup_django()
    load_django(make_data(20, 5))
    Book.objects.exclude(id=Book.objects.order_by("id").first().id).delete()
    return library_queries.book_labels_django_naive


def shadowed_overlay_environment() -> Any:
    """Issue 27's red team: an unescaping Environment whose instance attribute `overlay` returns escaping pages."""
    import jinja2

    env = jinja2.Environment()
    env.overlay = lambda **kwargs: jinja2.Environment(autoescape=True, loader=kwargs.get("loader"))
    return env


def spoofed_module_environment() -> Any:
    """Issue 27's red team: a subclass that claims jinja2's module and escapes only what the check renders."""
    import jinja2

    class Environment(jinja2.Environment):
        __module__ = "jinja2.environment"

        def overlay(self, **kwargs: Any) -> Any:
            return jinja2.Environment(autoescape=True, loader=kwargs.get("loader"))

    return Environment()


def schema_only_bound() -> Any:
    """Issue 27's red team: a bound written into the schema only, which validation never applies."""
    from pydantic import Field

    from helpers.apps.api_first_fastapi import BookIn

    class BookWithPages(BookIn):
        pages: int = Field(json_schema_extra={"minimum": 1})

    return BookWithPages


class _ZeroMiB(float):
    def __sub__(self, other: object) -> float:
        return 0.0


def prefetching_labels() -> Any:
    def labels():
        from helpers.apps.library_django.models import Book

        return [f"{b.title} by {b.author.name}" for b in Book.objects.prefetch_related("author").order_by("id")]

    return labels


def unordered_generator_labels() -> Any:
    def labels():
        from helpers.apps.library_django.models import Book

        return (f"{b.title} by {b.author.name}" for b in Book.objects.select_related("author").order_by("id"))

    return labels


def migration(body: str) -> Callable[[], Any]:
    """Return a builder of an upgrade() whose body is `body` (with alembic's op and sqlalchemy as sa)."""

    def build() -> Any:
        import sqlalchemy as sa
        from alembic import op

        namespace: dict[str, Any] = {"op": op, "sa": sa}
        run("def upgrade():\n" + "".join(f"    {line}\n" for line in body.splitlines()), namespace)
        return namespace["upgrade"]

    return build


DROP_AND_ADD = (
    'op.add_column("book", sa.Column("handle", sa.String(length=200), nullable=True))\nop.drop_column("book", "slug")'
)
ADD_ONLY = 'op.add_column("book", sa.Column("handle", sa.String(length=200), nullable=True))'
BATCH_RENAME = 'with op.batch_alter_table("book") as batch:\n    batch.alter_column("slug", new_column_name="handle")'


# -- 05 -----------------------------------------------------------------------------------------------------------


def search(body: str) -> Callable[[], Any]:
    """Return a builder of exercise 04.6's owners_named(conn, name) whose body is `body` (`text` imported)."""

    def build() -> Any:
        namespace: dict[str, Any] = {}
        lines = "".join(f"    {line}\n" for line in body.splitlines())
        run("from sqlalchemy import text\n\n\ndef owners_named(conn, name):\n" + lines, namespace)
        return namespace["owners_named"]

    return build


PASTED = "return conn.exec_driver_sql(f\"SELECT owner FROM secret WHERE owner = '{name}'\").all()"


def environment(autoescape: Any = None) -> Callable[[], Any]:
    """Return a builder of a jinja2.Environment; `autoescape` is a value, or a builder of one (select())."""

    def build() -> Any:
        import jinja2

        if autoescape is None:
            return jinja2.Environment()
        return jinja2.Environment(autoescape=autoescape() if callable(autoescape) else autoescape)

    return build


def select(*args: Any, **kwargs: Any) -> Callable[[], Any]:
    """Return a builder of jinja2.select_autoescape(*args, **kwargs), called when the environment is built."""

    def build() -> Any:
        import jinja2

        return jinja2.select_autoescape(*args, **kwargs)

    return build


def double_escaping_environment() -> Any:
    import jinja2
    from markupsafe import escape

    return jinja2.Environment(autoescape=True, finalize=lambda v: escape(str(escape(v))))


def check_only_escaping_environment() -> Any:
    """Issue 27's cheat: a subclass that escapes only the templates the check renders, by their names."""
    import jinja2

    from helpers.coursework.exercises.nb05 import PAGE_TEMPLATES

    class Sly(jinja2.Environment):
        def overlay(self, **kwargs: Any) -> Any:
            return jinja2.Environment(autoescape=True, loader=kwargs.get("loader"))

    assert PAGE_TEMPLATES
    return Sly(autoescape=False)


def uncalled_select_autoescape() -> Any:
    import jinja2

    return jinja2.Environment(autoescape=jinja2.select_autoescape)


def pydantic_book(strict: bool, extra: str | None, min_length: int) -> Callable[[], Any]:
    def build() -> Any:
        from pydantic import BaseModel, ConfigDict, Field

        config = {"strict": strict, **({"extra": extra} if extra else {})}

        class Book(BaseModel):
            model_config = ConfigDict(**config)
            title: str = Field(min_length=min_length)
            year: int

        return Book

    return build


def printed_whitelist() -> Any:
    from helpers.coursework.exercises.nb05 import ACCEPT

    seen = [json.dumps(p, sort_keys=True) for p in ACCEPT]

    def validate(payload):
        if json.dumps(payload, sort_keys=True) not in seen:
            raise ValueError("not a book I know")

    return validate


def isinstance_validator() -> Any:
    def validate(payload):  # the case: isinstance(True, int) holds
        if set(payload) != {"title", "year"} or not isinstance(payload["year"], int) or not payload["title"]:
            raise ValueError("bad book")
        if not isinstance(payload["title"], str) or isinstance(payload["year"], float):
            raise ValueError("bad book")

    return validate


def printed_extra_field_only() -> Any:
    def validate(payload):  # refuses the one unknown field it was shown, not unknown fields
        if "price" in payload or type(payload.get("year")) is not int:
            raise ValueError("bad book")
        if not isinstance(payload.get("title"), str) or not payload["title"]:
            raise ValueError("bad book")

    return validate


def type_checking_validator() -> Any:
    def validate(payload):
        if set(payload) != {"title", "year"}:
            raise ValueError(f"fields must be title and year, got {sorted(payload)}")
        if type(payload["year"]) is not int:
            raise ValueError("year must be a whole number")
        if not isinstance(payload["title"], str) or not payload["title"]:
            raise ValueError("title must be non-empty text")

    return validate


def plain_django_form() -> Any:
    from django import forms

    class BookForm(forms.Form):
        title = forms.CharField()
        year = forms.IntegerField()

    return BookForm


def cleaned_django_form() -> Any:
    """Return a Django form with the cleaning strictness needs: forms coerce "1965" and 1965.0 by design."""
    from django import forms

    class BookForm(forms.Form):
        title = forms.CharField(strip=False)
        year = forms.IntegerField()

        def clean_title(self):
            if not isinstance(self.data.get("title"), str):
                raise forms.ValidationError("the title must be text")
            return self.cleaned_data["title"]

        def clean_year(self):
            if type(self.data.get("year")) is not int:
                raise forms.ValidationError("the year must be a whole number, not text, a float or a boolean")
            return self.cleaned_data["year"]

        def clean(self):
            unknown = set(self.data) - set(self.fields)
            if unknown:
                raise forms.ValidationError(f"unknown fields: {sorted(unknown)}")
            return super().clean()

    return BookForm


def marshmallow_schema(strict: bool) -> Callable[[], Any]:
    def build() -> Any:
        from marshmallow import RAISE, Schema, fields, validate

        class BookSchema(Schema):
            class Meta:
                unknown = RAISE

            title = fields.String(required=True, validate=validate.Length(min=1))
            year = fields.Integer(required=True, strict=strict)

        return BookSchema

    return build


# -- 07 -----------------------------------------------------------------------------------------------------------

ADD_TASK = "background_tasks.add_task(send_receipt, order_id)"


def receipt_app(old: str, new: str) -> Callable[[], Any]:
    """Return a builder of 07.2's solution app with `old` replaced by `new`."""
    return from_solution("07.2", old, new)


def plan(**changes: Any) -> Callable[[], Any]:
    """Return a builder of 07.4's right answer with `changes` applied (keys with spaces spelled with _)."""
    return lambda: {**solution_answer("07.4"), **{k.replace("_", " "): v for k, v in changes.items()}}


def deploy_env(**changes: str | None) -> Callable[[], Any]:
    """Return a builder of 07.5's environment (a fresh secret each time) with `changes` applied; None removes one."""

    def build() -> Any:
        env = solution_answer("07.5")
        for name, value in changes.items():
            env.pop(name, None) if value is None else env.__setitem__(name, value)
        return env

    return build


# -- 08 -----------------------------------------------------------------------------------------------------------


def services(**changes: Any) -> Callable[[], Any]:
    """Return a builder of 08.2's right answer with `changes` applied (keys with spaces written with underscores)."""
    return lambda: {**solution_answer("08.2"), **{k.replace("_", " "): v for k, v in changes.items()}}


def book_subclass(annotation: str, default: str | None) -> Callable[[], Any]:
    def build() -> Any:
        from pydantic import Field

        from helpers.apps.api_first_fastapi import BookIn

        namespace: dict[str, Any] = {"BookIn": BookIn, "Field": Field}
        body = f"    pages: {annotation}" + (f" = {default}" if default else "") if annotation else "    pass"
        run(f"class BookWithPages(BookIn):\n{body}\n", namespace)
        return namespace["BookWithPages"]

    return build


def book_without_base() -> Any:
    from pydantic import BaseModel, Field

    class BookWithPages(BaseModel):
        title: str
        pages: int = Field(ge=1)

    return BookWithPages


def clinic_leads() -> tuple[str, str, dict[str, float]]:
    """Return the clinic's pick, its runner-up, and each factor's lead, from the helper as it is today."""
    from helpers.coursework.exercises.nb09 import CLINIC
    from helpers.usecases.decision import FACTORS, TEAM, score

    result = score(CLINIC)
    pick, rival = result.recommendation, result.runner_up
    return pick, rival, {f: result.contributions[f][pick] - result.contributions[f][rival] for f in [*FACTORS, TEAM]}


def largest_leads() -> list[str]:
    _, _, lead = clinic_leads()
    return [f for f, v in lead.items() if v >= max(lead.values()) - 1e-9]


def second_lead() -> str:
    """Return a factor that helps the pick, though less than the largest lead (the old hint's trap)."""
    _, _, lead = clinic_leads()
    best = max(lead.values())
    return max((f for f, v in lead.items() if 1e-9 < v < best - 1e-9), key=lead.get)


def clinic_answer(deciding: Callable[[], str] | str, pick: str | None = None) -> Callable[[], Any]:
    def build() -> Any:
        return {"pick": pick or clinic_leads()[0], "deciding": deciding() if callable(deciding) else deciding}

    return build


def events_answer(factor: Callable[[], str] | str | None, weight: float, new_pick: str) -> Callable[[], Any]:
    """Return a builder of a 09.2 answer; `factor` None means the deciding factor, read from the helper."""

    def build() -> Any:
        from helpers.coursework.exercises.nb09 import EVENTS
        from helpers.usecases.decision import score

        named = factor() if callable(factor) else factor
        return {"factor": named or score(EVENTS).deciding[0], "weight": weight, "new_pick": new_pick}

    return build


def changed_small() -> set[str]:
    """Return the example projects whose pick rests on the small-service factor, read from the helper."""
    from helpers.coursework.exercises.nb09 import changed_without

    return changed_without("small_service")


def events_tipping(below: float, new_pick: Callable[[], str] | None = None) -> Callable[[], Any]:
    """Return a builder of a 09.2 answer `below` under the tipping point, read from the helper."""

    def build() -> Any:
        from helpers.coursework.exercises.nb09 import EVENTS
        from helpers.usecases.decision import make_project, score, weight_to_change

        result = score(EVENTS)
        deciding = result.deciding[0]
        at, other = weight_to_change(
            deciding, make_project(EVENTS), result.weights, result.scores, result.recommendation
        )
        return {"factor": deciding, "weight": round(at - below, 3), "new_pick": new_pick() if new_pick else other}

    return build


def events_pick() -> str:
    from helpers.coursework.exercises.nb09 import EVENTS
    from helpers.usecases.decision import score

    return score(EVENTS).recommendation


def a_pick_nobody_catches_up_with() -> str:
    """Return the framework that does not catch up at 09.2's tipping point."""
    from helpers.coursework.exercises.nb09 import EVENTS
    from helpers.usecases.decision import FRAMEWORKS, make_project, score, weight_to_change

    result = score(EVENTS)
    deciding = result.deciding[0]
    _, other = weight_to_change(deciding, make_project(EVENTS), result.weights, result.scores, result.recommendation)
    return next(fw for fw in FRAMEWORKS if fw not in (other, result.recommendation))


def not_the_deciding_factor() -> str:
    from helpers.coursework.exercises.nb09 import EVENTS
    from helpers.usecases.decision import score

    result = score(EVENTS)
    return next(f for f in EVENTS if f != result.deciding[0])


def gaps(**changes: set[str]) -> Callable[[], Any]:
    """Return a builder of 05.4's right answer with some APIs' sets of left-out facts replaced."""
    return lambda: {**solution_answer("05.4"), **changes}


def auth(**changes: int) -> Callable[[], Any]:
    """Return a builder of 05.5's right answer with `changes` applied."""
    return lambda: {**solution_answer("05.5"), **changes}


# -- 06 -----------------------------------------------------------------------------------------------------------


def sell(body: str) -> Callable[[], Any]:
    """Return a builder of exercise 06.4's sell(item_id) returning `body` (update, select and Item imported)."""

    def build() -> Any:
        namespace: dict[str, Any] = {}
        run(
            "from sqlalchemy import select, update\n"
            "from helpers.apps.stock_sqlalchemy import Item\n\n\n"
            f"def sell(item_id):\n    return {body}\n",
            namespace,
        )
        return namespace["sell"]

    return build


def prediction(**changes: Any) -> Callable[[], Any]:
    """Return a builder of 06.2's worked prediction with `changes` applied (keys with spaces: pass a dict)."""
    return lambda: {**solution_answer("06.2"), **changes}


def orm(in_one: Any, each: Any) -> Callable[[], Any]:
    """Return a builder of a 06.5 answer: (connections active at once, seconds) for each case."""
    return value({"in one request": in_one, "a request each": each})


# -- the catalogue ------------------------------------------------------------------------------------------------

WRONG: dict[str, list[Wrong]] = {
    "00.1": [
        Wrong("the body's type, not who answered", value("content-type"), "what kind of body"),
        Wrong("a security header", value("x-frame-options"), "security instruction"),
        Wrong("the other security header", value("X-Content-Type-Options"), "security instruction"),
        Wrong("the software's name, not the header", value("Werkzeug"), "not one of the headers"),
        Wrong("a header that is not in the table", value("host"), "not one of the headers"),
        Wrong("not a string", value(1), "as a string"),
    ],
    "00.2": [
        Wrong("adds the text, not the numbers", flask_adder('{"sum": request.args["a"] + request.args["b"]}'), "'240'"),
        Wrong("no /add route", empty_flask, "404"),
        Wrong("a view that raises", flask_adder('{"sum": 1 / 0}'), "server_logs()"),
        Wrong("the sum as plain text", flask_adder('str(request.args.get("a", type=int) + 40)'), 'expected {"sum"'),
        Wrong(
            "text that is not JSON",
            flask_adder("f\"sum={request.args.get('a', type=int) + 40}\""),
            "did not return json",
        ),
        Wrong("another key", flask_adder('{"result": request.args.get("a", type=int)}'), 'expected {"sum"'),
        Wrong(
            "only the check's own examples",
            flask_adder('{"sum": {"2": 42, "-5": 0}.get(request.args["a"], 7)}'),
            'expected {"sum"',
        ),
        Wrong("not an app", value(42), "flask app"),
    ],
    "00.3": [
        Wrong("no header added", hello_plain, "no x-content-type-options"),
        Wrong("the wrong value", hello_with_header("X-Content-Type-Options", "sniff"), '"nosniff"'),
        Wrong("the wrong header", hello_with_header("X-Frame-Options", "DENY"), "no x-content-type-options"),
        Wrong("after_request that returns nothing", hello_after_request_forgets_return, "answered 500"),
        Wrong("a string, not the app", value("app"), "flask app"),
    ],
    "00.4": [
        Wrong(
            "an async view makes Flask ASGI",
            protocols({"Flask app with an async def view": "ASGI"}),
            "inside an ordinary WSGI call",
        ),
        Wrong("Django is WSGI only", protocols({"Django's asgi_app()": "WSGI"}), "two handlers"),
        Wrong("FastAPI under WSGI", protocols({"FastAPI app": "WSGI"}), "Starlette"),
        Wrong("Flask is ASGI", protocols({"Flask app": "ASGI"}), "kind of call"),
        Wrong("both for Django", protocols({"Django's wsgi_app()": "both"}), '"WSGI" or "ASGI"'),
        Wrong(
            "one app left out",
            lambda: {k: v for k, v in solution_answer("00.4").items() if "FastAPI" not in k},
            "no entry for 'FastAPI app'",
        ),
        Wrong("a list", value(["WSGI", "WSGI", "ASGI", "WSGI", "ASGI"]), "a dict from each app's name"),
    ],
    "00.5": [
        Wrong("the status code", value(fault("500", "parse_price")), "status code"),
        Wrong("the status as a number", value(fault(500, "parse_price")), "status code"),
        Wrong("the response's title", value(fault("Internal Server Error", "parse_price")), "what the response said"),
        Wrong(
            "the HTTP reason as a class", value(fault("InternalServerError", "parse_price")), "what the response said"
        ),
        Wrong("a guess from the code, not the log", value(fault("ValueError", "parse_price")), "a guess"),
        Wrong("the broken app's older traceback", value(fault("ZeroDivisionError", "ratio")), "broken app"),
        Wrong("the log line's first word", value(fault("Exception", "parse_price")), "opens the traceback"),
        Wrong("the message, not the type", value(fault("decimal.ConversionSyntax", "parse_price")), "after the colon"),
        Wrong("the view, not the last frame", value(fault("InvalidOperation", "total")), "further down"),
        Wrong("Flask's frame at the top", value(fault("InvalidOperation", "wsgi_app")), "flask's own function"),
        Wrong("the class called, not the function", value(fault("InvalidOperation", "Decimal")), "not a function of"),
        Wrong("the older traceback's view", value(fault("InvalidOperation", "ratio")), "broken app's view"),
        Wrong("the exception alone", value("InvalidOperation"), "dict with two entries"),
        Wrong("the function left out", value({"exception": "InvalidOperation"}), 'no "function" entry'),
        Wrong(
            "another key", value({"error": "InvalidOperation", "function": "parse_price"}), "not one of the two keys"
        ),
    ],
    "00.6": [
        Wrong("each run adds a server", value({"servers": 2, "first_running": True}), "each run adds one"),
        Wrong("two, the first stopped", value({"servers": 2, "first_running": False}), "each run adds one"),
        Wrong("the old one keeps running", value({"servers": 1, "first_running": True}), "where did the first"),
        Wrong("none left", value({"servers": 0, "first_running": False}), "count it"),
        Wrong("True for a count", value({"servers": True, "first_running": False}), "a whole number"),
        Wrong("the count as text", value({"servers": "1", "first_running": False}), "a whole number"),
        Wrong("a number alone", value(1), "a dict like"),
        Wrong("a key misspelt", value({"server": 1, "first_running": False}), "a dict like"),
    ],
    "01.2": [
        Wrong("the starting point: no year field", from_solution("01.2", "year: int", "pass  #"), "'year': none"),
        Wrong(
            "year: Any (the issue's case)",
            from_solution("01.2", "year: int", "year: Any", "from typing import Any\n"),
            '"soon"',
        ),
        Wrong("year as text", from_solution("01.2", "year: int", "year: str"), "because of body.year"),
        Wrong("year: int | str", from_solution("01.2", "year: int", "year: int | str"), "only fault is its year"),
        Wrong("year as a float", from_solution("01.2", "year: int", "year: float"), "1965.5"),
        Wrong("strict mode removed", from_solution("01.2", "model_config = ConfigDict(strict=True)", "pass"), '"1965"'),
        Wrong("no validation at all", fastapi_without_validation, "add invalid"),
        Wrong("a Flask app", flask_bookshelf, "fastapi app"),
    ],
    "01.1": [
        Wrong("the framework with the fewest", fewest_dependencies, "installs"),
        Wrong("a framework the course doesn't compare", value("Bottle"), "not one of"),
        Wrong("a count, not a name", value(3), "string"),
    ],
    "01.4": [
        Wrong("the API's 422", value({"status": 422, "saved": False}), "a person at a browser form"),
        Wrong("a 400", value({"status": 400, "saved": False}), "a person at a browser form"),
        Wrong("saved and redirected", value({"status": 302, "saved": True}), "validated"),
        Wrong("a redirect, not saved", value({"status": 302, "saved": False}), "redirect"),
        Wrong("saved anyway", value({"status": 200, "saved": True}), "validated"),
        Wrong("a tuple", value((200, False)), "dict with two keys"),
        Wrong("saved as text", value({"status": 200, "saved": "no"}), "True or False"),
    ],
    "01.3": [
        Wrong(
            "the wrong content type",
            wsgi("200 OK", [("Content-Type", "text/plain")], [b'{"hello": "wsgi"}']),
            "content-type",
        ),
        Wrong(
            "the wrong body",
            wsgi("200 OK", [("Content-Type", "application/json")], [b'{"hello": "world"}']),
            "expected",
        ),
        Wrong(
            "text, not bytes (the issue's 10 s wait)",
            wsgi("200 OK", [("Content-Type", "application/json")], ['{"hello": "wsgi"}']),
            "encode text",
        ),
        Wrong(
            "the bytes themselves, not a list",
            wsgi("200 OK", [("Content-Type", "application/json")], b'{"hello": "wsgi"}'),
            "returned the body itself",
        ),
        Wrong(
            "headers as a dict",
            wsgi("200 OK", {"Content-Type": "application/json"}, [b'{"hello": "wsgi"}']),
            "(name, value) pairs",
        ),
        Wrong("start_response never called", wsgi_without_start_response, "never called start_response"),
        Wrong("an ASGI app", bare_asgi_app, "async def"),
        Wrong("notebook 01's bare WSGI app, unchanged", bare_wsgi_app, "expected"),
    ],
    "01.5": [
        Wrong("Django's OpenAPI counted as built in", value({"Django": 0, "Flask": 4, "FastAPI": 2}), "django's count"),
        Wrong("Flask's templates read as validation", value({"Django": 1, "Flask": 3, "FastAPI": 2}), "flask's count"),
        Wrong("FastAPI's Pydantic missed", value({"Django": 1, "Flask": 4, "FastAPI": 3}), "fastapi's count"),
        Wrong("SQLModel counted as FastAPI's own", value({"Django": 1, "Flask": 4, "FastAPI": 1}), "fastapi's count"),
        Wrong("the same for all", value({"Django": 2, "Flask": 2, "FastAPI": 2}), "same count"),
        Wrong("a list of counts", value([1, 4, 2]), "dict"),
        Wrong("lower-case names", value({"django": 1, "flask": 4, "fastapi": 2}), "keys"),
        Wrong("counts as text", value({"Django": "1", "Flask": "4", "FastAPI": "2"}), "whole number"),
    ],
    "02.1": [
        Wrong("as if the CPU overlapped too", value(0.1), "cpu at a time"),
        Wrong("one thread, no loop", value(2.1), "one worker"),
        Wrong("milliseconds", value(200), "milliseconds"),
        Wrong("a string", value("0.2"), "number of seconds"),
        Wrong("not a number", value(float("nan")), "number of seconds"),
        Wrong("a guess", value(0.5), "20th request"),
    ],
    "02.2": [
        Wrong("a late sleep, added 20 times", gap_answer(causes={"overhead", "late sleeps"}), "lateness once"),
        Wrong("a network between them", gap_answer(causes={"network"}), "loopback"),
        Wrong("the waits in turn", gap_answer(causes={"one at a time"}), "take 2 s"),
        Wrong("no cause named", gap_answer(causes=set()), "what did the calibration measure"),
        Wrong("a busy machine instead of the overhead", gap_answer(causes={"busy machine"}), "calibration"),
        Wrong("threads counted as a loss", gap_answer(no_gain={"CPU-bound"}), '"thread per request" is missing'),
        Wrong("CPU-bound counted as a gain", gap_answer(no_gain={"thread per request"}), '"cpu-bound" is missing'),
        Wrong("one worker counted as no gain", gap_answer(no_gain={*NO_GAIN, "one worker"}), "did gain there"),
        Wrong("a blocked loop counted as no gain", gap_answer(no_gain={*NO_GAIN, "blocking call"}), "in turn"),
        Wrong("a cause not listed", gap_answer(causes={"overhead", "garbage collection"}), "not one of"),
        Wrong("a string, not a set", gap_answer(causes="overhead"), "set of the names"),
    ],
    "02.3": [
        Wrong("as in a script", loop_answer(run="returns"), "running event loop"),
        Wrong("no loop in a kernel", loop_answer(run="no loop"), "not that there is no loop"),
        Wrong("asyncio.run again", loop_answer(fix=f"result = asyncio.run({FIRE})"), "starts or re-enters a loop"),
        Wrong("never awaited", loop_answer(fix=f"result = {FIRE}"), "coroutine object"),
        Wrong("a task, not its result", loop_answer(fix=f"result = asyncio.create_task({FIRE})"), "task"),
        Wrong("awaited, but not kept", loop_answer(fix=f"await {FIRE}"), "`result`"),
        Wrong("run_load in a thread", loop_answer(fix='result = run_load(server.url, "/io?ms=100", 10)'), "thread"),
        Wrong("a patched loop", loop_answer(fix=f"nest_asyncio.apply(); result = asyncio.run({FIRE})"), "one line"),
        Wrong("the kernel's limiter", loop_answer(threads="cell"), "kernel's loop"),
        Wrong("the loop's executor", loop_answer(threads="executor"), "default executor"),
        Wrong("a FastAPI argument", loop_answer(threads="FastAPI()"), "anyio's"),
        Wrong("more than three keys", value({**dict(LOOP_RIGHT), "why": "loop"}), "dict like"),
        Wrong("not Python", loop_answer(fix="result = await fire(server.url"), "not valid python"),
    ],
    "02.4": [
        Wrong("still blocks", slow_app(BLOCKING), "time.sleep"),
        Wrong("blocks 90 of its 100 ms (the issue's case)", slow_app(MOSTLY_BLOCKING), "held the loop"),
        Wrong("a sleep that is never awaited", slow_app(NOT_AWAITED), "don't `await`"),
        Wrong("ignores ms", slow_app(FIXED_WAIT), "not a fixed time"),
        Wrong("a handler that raises", slow_app(RAISES), "server_logs()"),
        Wrong("no /slow route", bare_fastapi, '"/slow"'),
        Wrong("not an app", value(42), "fastapi app"),
    ],
    "02.5": [
        Wrong("three rounds, one process", value((1, 34)), "three rounds are too many"),
        Wrong("every thread in one process (the issue's case)", value((1, 64)), "one process's gil"),
        Wrong("one process at the edge of two rounds", value((1, 50)), "more worker processes"),
        Wrong("48 threads in one process: three rounds", value((1, 48)), "three rounds"),
        Wrong("48 processes: three rounds (the issue's case)", value((48, 1)), "leaves out the 5 slowest"),
        Wrong("two processes, three rounds", value((2, 24)), "how many threads in all make two rounds"),
        Wrong("too few threads", value((4, 10)), "three rounds"),
        Wrong("over the budget", value((8, 16)), "over the budget of 64"),
        Wrong("no workers", value((0, 50)), "at least 1"),
        Wrong("a list", value([2, 25]), "tuple of two ints"),
        Wrong("a float", value((2.0, 25)), "tuple of two ints"),
    ],
    "02.6": [
        Wrong("threads computing side by side", value({"queued": 2, "running": 4, "waiting": 0, "done": 2}), "gil"),
        Wrong(
            "no thread takes a second request",
            value({"queued": 4, "running": 1, "waiting": 3, "done": 0}),
            "takes the next one",
        ),
        Wrong("read at 200 ms", value({"queued": 0, "running": 1, "waiting": 3, "done": 4}), "queued is off"),
        Wrong("done forgotten", value({"queued": 2, "running": 1, "waiting": 3, "done": 0}), "add up to 6"),
        Wrong("three states only", value({"queued": 2, "running": 1, "waiting": 3}), "keys"),
        Wrong("a list", value([2, 1, 3, 2]), "dict of counts"),
    ],
    "03.1": [
        Wrong("every request at once", workers_and_stops({1: 0.1, 2: 0.1, 4: 0.1}), "one request at a time"),
        Wrong("workers change nothing", workers_and_stops({1: 1.2, 2: 1.2, 4: 1.2}), "second worker"),
        Wrong(
            "halved once too often on 4 workers",
            workers_and_stops({1: 1.2, 2: 0.6, 4: 0.15}),
            "4 worker(s)",
        ),
        Wrong("a child dies with its parent", workers_and_stops(kill=lambda n: 0), "does not die"),
        Wrong("the workers only", workers_and_stops(kill=lambda n: n - 1), "count again"),
        Wrong(
            "SIGTERM reaches the master only",
            workers_and_stops(term=lambda n: n),
            "stop its workers",
        ),
        Wrong(
            "a group signal reaches the master only",
            workers_and_stops(group=lambda n: n),
            "reaches each",
        ),
        Wrong(
            "worker counts as strings", value({"makespan": {"1": 1.2, "2": 0.6, "4": 0.3}, "left": {}}), "not strings"
        ),
        Wrong("no stops", value({"makespan": {1: 1.2, 2: 0.6, 4: 0.3}}), "a dict like"),
    ],
    "03.2": [
        Wrong(
            "every set-up that accepted them all",
            value({"gevent", "FastAPI async def", "FastAPI def", "Django async"}),
            "40 threads",
        ),
        Wrong("the event loops only", value({"gevent", "FastAPI async def"}), "django async accepted every connection"),
        Wrong("all five", value({"gthread", "gevent", "FastAPI async def", "FastAPI def", "Django async"}), "1,000"),
        Wrong("none", value(set()), "their rows"),
        Wrong("a server's name", value({"uvicorn", "gevent"}), "not one of the five"),
        Wrong("a list", value(["gevent", "FastAPI async def", "Django async"]), "set of the set-ups' names"),
    ],
    "03.3": [
        Wrong("no base", value(lambda n, b, k: n * k / 1024), "base) is missing"),
        Wrong("KiB added to MiB", value(lambda n, b, k: b + n * k), "slope is in kib"),
        Wrong("everything in KiB", value(lambda n, b, k: b * 1024 + n * k), "looks like kib"),
        Wrong("1000 KiB to the MiB", value(lambda n, b, k: b + n * k / 1000), "the fitted line gives"),
        Wrong("two parameters", value(lambda n, b: b), "should take three numbers"),
        Wrong("a string", value(lambda n, b, k: "5 MiB"), "should return a number"),
        Wrong("a number, not a function", value(171.9), "should be a function"),
        Wrong("a float whose subtraction gives 0 (issue 27)", value(lambda n, b, k: _ZeroMiB(0)), "fitted line gives"),
    ],
    "03.4": [
        Wrong("no measurement carried", value({"workers": 2, "threads": 1}), "say what you measured"),
        Wrong("threads for CPU work", value(machine(1, 8, 2, 2.0)), "threads share their process's gil"),
        Wrong("enough processes, but threads too", value(machine(2, 4, 2, 2.0)), "one thread per process"),
        Wrong("one process on two free cores", value(machine(1, 1, 2, 1.9)), "leave cpu idle"),
        Wrong("twice the cores", value(machine(4, 1, 2, 2.0)), "take turns on the same cpu"),
        Wrong("the cores under a quota (Binder, the issue's case)", value(machine(16, 1, 16, 2.0)), "take turns"),
        Wrong("more processes than requests (a big machine)", value(machine(16, 1, 32, 32.0)), "only 8 requests"),
        Wrong("a capacity no machine measured", value(machine(2, 1, 2, 5.0)), "can't be right"),
        Wrong("no workers", value(machine(0, 1, 2, 2.0)), "at least 1"),
        Wrong("a tuple", value((2, 1)), "a dict like"),
    ],
    "03.5": [
        Wrong("only the short run", value({"each run lasts half a second"}), "one confound is missing"),
        Wrong(
            "every choice",
            lambda: set(__import__("helpers.coursework.exercises.nb03", fromlist=["x"]).BENCHMARK_CHOICES),
            "is not a confound",
        ),
        Wrong(
            "repeats called a confound",
            lambda: solution_answer("03.5") | {"each server is measured three times and the median is reported"},
            "is not a confound",
        ),
        Wrong("a choice reworded", value({"the client is in the same process"}), "not one of the choices"),
        Wrong(
            "a client thread thought to be apart from the server",
            lambda: solution_answer("03.5") - {"the client runs in a thread of the server's own process"},
            "what does a thread share",
        ),
        Wrong(
            "any client on the server's machine called a confound",
            lambda: (
                solution_answer("03.5")
                | {"the client runs in processes of its own, on the same machine as the servers"}
            ),
            "has its own gil",
        ),
        Wrong("one string", value("each run lasts half a second"), "a set of the choices"),
    ],
    "04.1": [
        Wrong("both the same join", value(joins("INNER JOIN", "INNER JOIN", "LEFT OUTER JOIN")), "same join"),
        Wrong("both LEFT OUTER", value(joins("LEFT OUTER JOIN", "LEFT OUTER JOIN", "LEFT OUTER JOIN")), "same join"),
        Wrong("swapped", value(joins("LEFT OUTER JOIN", "INNER JOIN", "LEFT OUTER JOIN")), "swapped"),
        Wrong("read the books_from_country row", value(joins("INNER JOIN", "JOIN", "LEFT OUTER JOIN")), "plain join"),
        Wrong(
            "Django sends two queries",
            value(joins("two queries", "LEFT OUTER JOIN", "LEFT OUTER JOIN")),
            "one statement",
        ),
        Wrong("Django always joins INNER", value(joins("INNER JOIN", "LEFT OUTER JOIN", "INNER JOIN")), "no author"),
        Wrong("a join of neither kind", value(joins("INNER JOIN", "CROSS JOIN", "LEFT OUTER JOIN")), "two joins"),
        Wrong("the third key missing", value({"django": "INNER JOIN", "sqlalchemy": "LEFT OUTER JOIN"}), "every key"),
        Wrong("one string", value("LEFT OUTER JOIN"), "dict like"),
    ],
    "04.2": [
        Wrong("forgot the list query", value(1200), "lists the books"),
        Wrong("SQLAlchemy's count", value(101), "sqlalchemy"),
        Wrong("the fixed loop's count", value(1), "fixed versions"),
        Wrong("a string", value("1201"), "whole number"),
        Wrong("a boolean", value(True), "whole number"),
        Wrong("a float", value(1201.0), "whole number"),
    ],
    "04.3": [
        Wrong(
            "the slug column survives the rollback",
            value(rollback(("id", "title", "year", "slug"))),
            "does not survive",
        ),
        Wrong(
            "the data comes back with the column",
            value(rollback(slugs=("dune-1965", "emma-1815"))),
            "came back with the column",
        ),
        Wrong("RunPython without a reverse rolls back silently", value(rollback(no_reverse="rolls back")), "skip"),
        Wrong("a column that never existed", value(rollback(("id", "title"))), "create table"),
        Wrong("one slug only", value(rollback(slugs=(None,))), "list of two"),
        Wrong("an outcome of neither kind", value(rollback(no_reverse="maybe")), '"error" or "rolls back"'),
        Wrong("a key missing", value({"columns": ["id", "title", "year"], "slugs": [None, None]}), "every key"),
        Wrong("a list, not a dict", value(["id", "title", "year"]), "dict like"),
    ],
    "04.4": [
        Wrong("the lazy loop", naive_labels, "queries"),
        Wrong("made-up labels", value(lambda: ["nope"]), "labels"),
        Wrong("a generator, not a list", unordered_generator_labels, "list of strings"),
        Wrong("the method's name", value("select_related"), "function"),
        Wrong("a list that equals anything (issue 27)", always_equal_labels, "plain list of strings"),
        Wrong("the lazy loop on one book left (issue 27)", one_book_left_labels, "queries"),
    ],
    "04.5": [
        Wrong("what autogenerate wrote", migration(DROP_AND_ADD), "lost"),
        Wrong("add without drop", migration(ADD_ONLY), "still there"),
        Wrong("does nothing", value(lambda: None), "should be a `handle`"),
        Wrong("the wrong table", migration('op.alter_column("books", "slug", new_column_name="handle")'), "raised"),
        Wrong("the function's name", value("alter_column"), "upgrade() function"),
    ],
    "04.6": [
        Wrong(
            "filters in Python, sends the name in a decoy query (issue 27)",
            search(
                'rows = conn.execute(text("SELECT owner FROM secret")).all()\n'
                'conn.execute(text("SELECT :name"), {"name": name})\n'
                "return [r for r in rows if r[0] == name]"
            ),
            "never sent the name",
        ),
        Wrong("the f-string as given", search(PASTED), "rewrote the where clause"),
        Wrong(
            "the f-string inside text()",
            search(PASTED.replace("exec_driver_sql(", "execute(text(").replace('")', '"))')),
            "rewrote",
        ),
        Wrong(
            "quotes doubled by hand",
            search('safe = name.replace("\'", "\'\'")\n' + PASTED.replace("{name}", "{safe}")),
            "written into the sql text",
        ),
        Wrong(
            "double quotes around it", search(PASTED.replace("'{name}'", '\\"{name}\\"')), "written into the sql text"
        ),
        Wrong(
            "filtered in Python",
            search('return [r for r in conn.exec_driver_sql("SELECT owner FROM secret").all() if r[0] == name]'),
            "picked in python",
        ),
        Wrong("the rows, not the function", value([("alice",)]), "function"),
        Wrong("no query", search("return []"), "no query"),
    ],
    "05.1": [
        Wrong("FastAPI's too", value({"bare jinja2.Environment()", "FastAPI Jinja2Templates"}), "select_autoescape"),
        Wrong("Django's", value({"Django templates"}), "escaped the title"),
        Wrong("none", value(set()), "missing"),
        Wrong("a name not in the list", value({"jinja"}), "not one of the renderers"),
        Wrong("a number", value(42), "set of renderer names"),
    ],
    "05.2": [
        Wrong("the bare default", environment(), "live html"),
        Wrong("autoescape off", environment(autoescape=False), "live html"),
        Wrong(
            "select_autoescape for no extension (the issue's case)",
            environment(autoescape=select(enabled_extensions=())),
            "which file names",
        ),
        Wrong("select_autoescape for XML only", environment(autoescape=select(["xml"])), "which file names"),
        Wrong("select_autoescape not called", uncalled_select_autoescape, "not the setting it returns"),
        Wrong("escaped twice", double_escaping_environment, "escaped once"),
        Wrong(
            "a subclass that escapes only the check's templates (issue 27)", check_only_escaping_environment, "subclass"
        ),
        Wrong("a string", value("autoescape"), "jinja2.environment"),
    ],
    "05.3": [
        Wrong("lax Pydantic coerces", pydantic_book(strict=False, extra="forbid", min_length=1), '"1965"'),
        Wrong("too strict", pydantic_book(strict=True, extra="forbid", min_length=10), "good input"),
        Wrong("extra fields allowed", pydantic_book(strict=True, extra=None, min_length=1), "unknown field"),
        Wrong("no minimum length", pydantic_book(strict=True, extra="forbid", min_length=0), "empty title"),
        Wrong("a whitelist of the printed books (the issue's case)", printed_whitelist, "didn't print"),
        Wrong("isinstance lets True through (the issue's case)", isinstance_validator, "boolean is not a year"),
        Wrong("refuses the printed extra field only", printed_extra_field_only, "any field the book doesn't have"),
        Wrong("a plain Django form coerces", plain_django_form, '"1965"'),
        Wrong("Marshmallow without strict", marshmallow_schema(strict=False), '"1965"'),
        Wrong("not a validator", value(42), "validator must be"),
    ],
    "05.4": [
        Wrong(
            "every schema states the 401 its auth sends", gaps(**{api: {"403", "404"} for api in SCHEMA_APIS}), "401"
        ),
        Wrong(
            "Ninja documents 422 as FastAPI does (both Pydantic)",
            gaps(**{"Django Ninja": {"401", "403", "404"}}),
            "201 only",
        ),
        Wrong(
            "flask-smorest knows jwt_required", gaps(**{"flask-smorest": {"401", "403", "404"}}), "flask-jwt-extended"
        ),
        Wrong(
            "Marshmallow's Range never reaches the schema",
            gaps(**{"flask-smorest": {"401", "403", "404", "token", "year range"}}),
            "validate.range",
        ),
        Wrong("the 403 the body raises is documented", gaps(**{api: {"401", "404"} for api in SCHEMA_APIS}), "body"),
        Wrong("no schema leaves anything out", value({api: set() for api in SCHEMA_APIS}), "token check at run time"),
        Wrong("one set for all three", value({"401", "403", "404"}), "dict from each api"),
        Wrong("an API left out", value({"Django Ninja": {"401"}, "FastAPI": {"401"}}), "has none yet"),
        Wrong("a status not among the facts", gaps(**{"FastAPI": {"401", "403", "500"}}), "not one of the facts"),
    ],
    "05.5": [
        Wrong("403 without a token (401 and 403 swapped)", auth(**{"no token": 403}), "no idea who is asking"),
        Wrong("401 for bob (401 and 403 swapped)", auth(**{"bob's token": 401}), "knows it is bob"),
        Wrong("403 for an edited token", auth(**{"tampered token": 403}), "signature no longer matches"),
        Wrong("403 for an expired token", auth(**{"expired token": 403}), "has run out"),
        Wrong(
            "CSRF applies to the token API too", auth(**{"API, token, no CSRF token": 403}), "bearer token by itself"
        ),
        Wrong("the session cookie is enough", auth(**{"form, cookie, no CSRF token": 200}), "csrfviewmiddleware"),
        Wrong("the form view says log in first", auth(**{"form, cookie, no CSRF token": 401}), "before the view runs"),
        Wrong(
            "401 and 403 swapped everywhere",
            auth(**{"no token": 403, "bob's token": 401, "tampered token": 403, "expired token": 403}),
            "3 more to look at",
        ),
        Wrong(
            "a request left out",
            lambda: {k: v for k, v in solution_answer("05.5").items() if k != "expired token"},
            "has none yet",
        ),
        Wrong("statuses as text", lambda: {k: str(v) for k, v in solution_answer("05.5").items()}, "whole number"),
        Wrong("a list of statuses", value([401, 403, 401, 401, 403, 200]), "dict of each request's status"),
    ],
    "05.6": [
        Wrong(
            "a new test client is a new database",
            value({"Django unittest.TestCase", "FastAPI, module fixture"}),
            "a new test client is not a new database",
        ),
        Wrong(
            "Django's Client rolls back",
            value({"Flask, one app", "FastAPI, module fixture"}),
            "the rollback comes from django.test.testcase",
        ),
        Wrong("fixture scope left out", value({"Django unittest.TestCase", "Flask, one app"}), "scope='module'"),
        Wrong(
            "TestCase keeps the book",
            value({"Django TestCase", "Django unittest.TestCase", "Flask, one app", "FastAPI, module fixture"}),
            "rolls it back",
        ),
        Wrong("every set-up leaks", value(set(TEST_SETUPS)), "starts each test clean"),
        Wrong("nothing leaks", value(set()), "which ones share a database"),
        Wrong("a name not in the list", value({"Flask"}), "not one of the set-ups"),
        Wrong("a number", value(3), "set of set-up names"),
    ],
    "06.1": [
        Wrong("the clients over the wait", value(2000), "only 10 queries run at once"),
        Wrong("one connection's rate", value(20), "one connection serves"),
        Wrong("the pool's size", value(10), "count of connections"),
        Wrong("the wait in seconds", value(0.05), "not requests per second"),
        Wrong("what a busy run measures", value(185), "the ceiling"),
        Wrong("500 clients over the wait", value(10_000), "is not it"),
        Wrong("a string", value("200"), "number of requests per second"),
    ],
    "06.2": [
        Wrong(
            "all five queue out",
            prediction(
                **{"fails at 500": {"Django sync", "Django async", "Flask", "FastAPI async def", "FastAPI def"}}
            ),
            "queueing is not failing",
        ),
        Wrong(
            "a thread per request fails too",
            prediction(**{"fails at 500": {"FastAPI def", "Django async"}}),
            "a thread for every request",
        ),
        Wrong("a gthread set-up fails too", prediction(**{"fails at 500": {"FastAPI def", "Flask"}}), "in turn"),
        Wrong("nothing fails", prediction(**{"fails at 500": set()}), "one set-up will fail"),
        Wrong("a framework, not a set-up", prediction(**{"fails at 500": {"FastAPI"}}), "not one of the set-ups"),
        Wrong("PostgreSQL refuses", prediction(failure="a"), "far below max_connections"),
        Wrong("uvicorn's backlog", prediction(failure="c"), "backlog"),
        Wrong("queries cancelled", prediction(failure="d"), "statement_timeout"),
        Wrong("the failure in words", prediction(failure="status 500"), "one letter of the failures"),
        Wrong("the pool is too small", prediction(why="a"), "queue, not fail"),
        Wrong("def blocks the loop", prediction(why="b"), "thread pool, not on the event loop"),
        Wrong("PostgreSQL refused", prediction(why="d"), "refuses nothing"),
        Wrong("limit to AnyIO's threads", prediction(limit=40), "as many requests as AnyIO has threads"),
        Wrong("limit above the pool", prediction(limit=20), "still hold a thread"),
        Wrong("limit below the pool", prediction(limit=5), "never used"),
        Wrong("one query's wait", prediction(**{"p50 at 500": 0.05}), "one query's wait"),
        Wrong("one connection for all", prediction(**{"p50 at 500": 25}), "one connection"),
        Wrong("milliseconds", prediction(**{"p50 at 500": 2500}), "milliseconds"),
        Wrong("the 100 clients' wait", prediction(**{"p50 at 500": 0.5}), "is not it"),
        Wrong("AnyIO's threads", prediction(**{"most threads": ("FastAPI def", 40, 10)}), "AnyIO's 40 threads"),
        Wrong("gunicorn's threads", prediction(**{"most threads": ("Flask", 10, 10)}), "every request in flight"),
        Wrong("the clients for connections", prediction(**{"most threads": ("Django async", 500, 500)}), "clients"),
        Wrong(
            "threads for connections", prediction(**{"most threads": ("Django async", 480, 480)}), "its threads again"
        ),
        Wrong("the pool's threads", prediction(**{"most threads": ("Django async", 10, 10)}), "threads is not it"),
        Wrong("no connections", prediction(**{"most threads": ("Django async", 500)}), "should be a tuple"),
    ],
    "06.3": [
        Wrong("the whole of max_connections", value(25), "keeps 3 of them for superusers"),
        Wrong("forgot the other programs", value(24), "need 5 more"),
        Wrong("one pool for all workers", value(92), "refuses the rest"),
        Wrong("safe but small", value(20), "largest pool"),
        Wrong("a float", value(23.0), "whole number"),
        Wrong("no pool", value(0), "at least one connection"),
    ],
    "06.4": [
        Wrong(
            "no stock condition",
            sell("update(Item).where(Item.id == item_id).values(stock=Item.stock - 1)"),
            "sold out",
        ),
        Wrong("no id", sell("update(Item).where(Item.stock > 0).values(stock=Item.stock - 1)"), "match the item's id"),
        Wrong(
            "sets the stock to 0",
            sell("update(Item).where(Item.id == item_id, Item.stock > 0).values(stock=0)"),
            "take one off",
        ),
        Wrong("reads instead", sell("select(Item).where(Item.id == item_id, Item.stock > 0)"), "a select only reads"),
        Wrong(
            "the SQL as a string",
            value("UPDATE shop_item SET stock = stock - 1 WHERE id = 1 AND stock > 0"),
            "function sell(item_id)",
        ),
        Wrong(
            "the naive checkout",
            lambda: __import__("helpers.apps.checkout_sqlalchemy", fromlist=["x"]).checkout_naive,
            "raised",
        ),
    ],
    "06.5": [
        Wrong("gather makes them concurrent", orm((10, 0.05), (10, 0.05)), "gather looks concurrent"),
        Wrong("one thread for every request", orm((1, 0.5), (1, 0.5)), "thread of its own"),
        Wrong("milliseconds", orm((1, 500), (10, 50)), "milliseconds"),
        Wrong("one wait in one request", orm((1, 0.05), (10, 0.05)), "one query's wait"),
        Wrong("waits in turn across requests", orm((1, 0.5), (10, 0.5)), "waits in turn"),
        Wrong("a number", value(0.5), "should be a dict"),
    ],
    "07.1": [
        Wrong("the jobs kept by BackgroundTasks too", value({"BackgroundTasks": 3, "RQ": 3}), "outlived the process"),
        Wrong("only the job in flight lost", value({"BackgroundTasks": 2, "RQ": 3}), "how many were running"),
        Wrong("RQ loses the job it was running", value({"BackgroundTasks": 0, "RQ": 2}), "only the web process"),
        Wrong("both lose everything", value({"BackgroundTasks": 0, "RQ": 0}), "only the web process"),
        Wrong("more receipts than orders", value({"BackgroundTasks": 0, "RQ": 5}), "between 0 and 3"),
        Wrong("keys in lower case", value({"backgroundtasks": 0, "rq": 3}), "keys should be exactly"),
        Wrong("a count as a string", value({"BackgroundTasks": "0", "RQ": 3}), "whole number"),
        Wrong("a list", value([0, 3]), "should be a dict"),
    ],
    "07.2": [
        Wrong("the job left in the request", receipt_app(ADD_TASK, "send_receipt(order_id)"), "already sent"),
        Wrong(
            "the job called, its result added as a task",
            receipt_app(ADD_TASK, "background_tasks.add_task(send_receipt(order_id))"),
            "already sent",
        ),
        Wrong(
            "after the response, but 201 Created", receipt_app("status_code=202", "status_code=201"), "status is 201"
        ),
        Wrong("after the response, but 200 OK", receipt_app(", status_code=202", ""), "status is 200"),
        Wrong("no job at all", receipt_app(ADD_TASK, "pass"), "no receipt was"),
        Wrong("a GET route", receipt_app("@app.post(", "@app.get("), "405"),
        Wrong("the class's name", value("BackgroundTasks"), "fastapi app"),
    ],
    "07.3": [
        Wrong("max counted as every run", value({"RQ": 2, "Django tasks": 1}), "counts max=2 as all the runs"),
        Wrong("RQ retries until it works", value({"RQ": 4, "Django tasks": 1}), "is a limit"),
        Wrong("Django's tasks retried like RQ", value({"RQ": 3, "Django tasks": 3}), "supposes they retry"),
        Wrong("no retry anywhere", value({"RQ": 1, "Django tasks": 1}), "is not it"),
        Wrong("one key only", value({"RQ": 3}), "keys should be exactly"),
        Wrong("a float", value({"RQ": 3.0, "Django tasks": 1}), "whole number"),
    ],
    "07.4": [
        Wrong("the invoice in the web process", plan(invoice=("BackgroundTasks", "outlive")), "lives in the web"),
        Wrong("every job on a queue", plan(feedback_note=("queue", "small")), "costs a broker"),
        Wrong("the partner call kept for a crash", plan(partner_call=("queue", "outlive")), "reread the partner"),
        Wrong("the invoice retried", plan(invoice=("queue", "retry")), "'retry' says"),
        Wrong("gunicorn facing the clients", plan(slow_clients="alone"), "held both sync workers"),
        Wrong("a proxy that does not buffer", plan(slow_clients="nginx-unbuffered"), "buffering off"),
        Wrong("WhiteNoise behind nginx", plan(static_files="WhiteNoise"), "nothing stands in front"),
        Wrong("Flask sends its own files", plan(static_files="Flask"), "ties up a sync worker"),
        Wrong("workers killed to restart", plan(restart="KILL"), "a crash, not a reload"),
        Wrong("stopped, then started", plan(restart="stop and start"), "nothing listens"),
        Wrong("a way without its reason", plan(invoice="queue"), "pair (way, reason)"),
        Wrong("a missing part", lambda: {k: v for k, v in solution_answer("07.4").items() if k != "restart"}, "keys"),
    ],
    "07.5": [
        Wrong("nothing set", value({}), "DJANGO_SECRET_KEY is not set"),
        Wrong(
            "only the secret",
            deploy_env(**{n: None for n in solution_answer("07.5") if n != "DJANGO_SECRET_KEY"}),
            "security.W004",
        ),
        Wrong("a short secret", deploy_env(DJANGO_SECRET_KEY="dev"), "security.W009"),
        Wrong("debug left on", deploy_env(DJANGO_DEBUG="1"), "security.W018"),
        Wrong("no host", deploy_env(DJANGO_ALLOWED_HOSTS=None), "security.W020"),
        Wrong("HSTS without subdomains", deploy_env(DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS=None), "security.W005"),
        Wrong(
            "HSTS silenced",
            deploy_env(DJANGO_SECURE_HSTS_SECONDS=None, DJANGO_SILENCED_SYSTEM_CHECKS="security.W004,security.W021"),
            "silencing security.W004",
        ),
        Wrong("any host", deploy_env(DJANGO_ALLOWED_HOSTS="*"), "any host header"),
        Wrong("another site's name", deploy_env(DJANGO_ALLOWED_HOSTS="localhost"), "shop.example.com"),
        Wrong("the settings' own names", deploy_env(SECRET_KEY="x" * 60), "not a django_ variable"),
        Wrong("a number, not a string", deploy_env(DJANGO_SECURE_HSTS_SECONDS=3600), "string value"),
        Wrong("a list of pairs", lambda: list(solution_answer("07.5").items()), "dict of environment"),
    ],
    "08.1": [
        Wrong(
            "Flask-Admin saves it",
            value(
                {"Django": (403, False), "Flask": (302, True), "fewer lines": "Django", "claim": "only Django protects"}
            ),
            "set up against forged forms",
        ),
        Wrong(
            "both answer 403",
            value(
                {
                    "Django": (403, False),
                    "Flask": (403, False),
                    "fewer lines": "Django",
                    "claim": "same protection, Django shorter",
                }
            ),
            "secureform checks the token",
        ),
        Wrong(
            "Django shows the form again",
            value(
                {
                    "Django": (200, False),
                    "Flask": (200, False),
                    "fewer lines": "Django",
                    "claim": "same protection, Django shorter",
                }
            ),
            "middleware that runs before",
        ),
        Wrong(
            "Flask-Admin takes fewer lines",
            value(
                {
                    "Django": (403, False),
                    "Flask": (200, False),
                    "fewer lines": "Flask",
                    "claim": "same protection, Flask shorter",
                }
            ),
            "login page, the staff table",
        ),
        Wrong(
            "the folklore: only Django protects",
            value(
                {
                    "Django": (403, False),
                    "Flask": (200, False),
                    "fewer lines": "Django",
                    "claim": "only Django protects",
                }
            ),
            "refuses the forged change too",
        ),
        Wrong(
            "a claim that contradicts the lines",
            value(
                {
                    "Django": (403, False),
                    "Flask": (200, False),
                    "fewer lines": "Django",
                    "claim": "same protection, Flask shorter",
                }
            ),
            "follow from your own predictions",
        ),
        Wrong(
            "a status as text",
            value(
                {
                    "Django": ("403", False),
                    "Flask": (200, False),
                    "fewer lines": "Django",
                    "claim": "same protection, Django shorter",
                }
            ),
            "whole number",
        ),
        Wrong(
            "no claim part",
            value({"Django": (403, False), "Flask": (200, False), "fewer lines": "Django"}),
            "and the claim",
        ),
    ],
    "08.2": [
        Wrong("FastAPI starts faster", services(starts_sooner="FastAPI"), "more to load"),
        Wrong("FastAPI takes less memory", services(less_memory="FastAPI"), "what it imported"),
        Wrong("FastAPI wins the burst by far", services(burst="FastAPI"), "1.5 times"),
        Wrong("Flask wins the burst", services(burst="Flask"), "1.5 times"),
        Wrong(
            "50 waits for Flask's 100 threads",
            services(burst_waits={"Flask": 50, "FastAPI": 1}, burst="FastAPI"),
            "100 threads",
        ),
        Wrong("FastAPI's awaits add up", services(burst_waits={"Flask": 2, "FastAPI": 50}), "event loop"),
        Wrong("waits in seconds", services(burst_waits={"Flask": 0.1, "FastAPI": 0.1}), "less than one"),
        Wrong("waits as text", services(burst_waits={"Flask": "a few", "FastAPI": 2}), "number of 100 ms waits"),
        Wrong("FastAPI grows a thread per socket", services(thread_per_socket="FastAPI"), "event loop"),
        Wrong("both grow a thread per socket", services(thread_per_socket="both"), "event loop"),
        Wrong("neither grows a thread per socket", services(thread_per_socket="neither"), "one of them does"),
        Wrong("lower case", services(thread_per_socket="flask"), "should be one of"),
        Wrong("the old one-word answer", value("Flask"), "a dict like"),
    ],
    "08.3": [
        Wrong(
            "the plain view overlaps too",
            value({"plain view": 1, "async view": 1, "under WSGI": "overlap, worker held"}),
            "only then",
        ),
        Wrong(
            "gather waits in turn",
            value({"plain view": 5, "async view": 5, "under WSGI": "overlap, worker held"}),
            "starts all the calls",
        ),
        Wrong(
            "WSGI frees the worker",
            value({"plain view": 5, "async view": 1, "under WSGI": "overlap, worker free"}),
            "benefits of an async stack",
        ),
        Wrong("WSGI calls in turn", value({"plain view": 5, "async view": 1, "under WSGI": "in turn"}), "real one"),
        Wrong(
            "waits in seconds",
            value({"plain view": 0.5, "async view": 0.1, "under WSGI": "overlap, worker held"}),
            "whole number",
        ),
        Wrong("an unknown choice", value({"plain view": 5, "async view": 1, "under WSGI": "blocks"}), "one of"),
    ],
    "08.4": [
        Wrong("no lower bound", book_subclass("int", None), "no lower bound"),
        Wrong("pages as text", book_subclass("str", None), "integer"),
        Wrong("no new field", book_subclass("", None), "no 'pages'"),
        Wrong("a new model, not a subclass", book_without_base, "subclasses bookin"),
        Wrong("not a class", value(dict), "subclasses bookin"),
        Wrong("a bound in the schema only (issue 27)", schema_only_bound, "accepts 0 pages"),
    ],
    "09.1": [
        Wrong("the team's framework", clinic_answer("team_knows", pick="FastAPI"), "one factor of ten"),
        Wrong("the framework nobody picks", clinic_answer("server_pages", pick="Flask"), "add up need x fit"),
        Wrong("the factor that counts against the pick", clinic_answer("team_knows"), "counts against"),
        Wrong(
            "a full need with a small gap (the old hint's trap)",
            clinic_answer(second_lead),
            "another factor leads by more",
        ),
        Wrong("a need the clinic doesn't have", clinic_answer("realtime"), "doesn't need it"),
        Wrong("not a factor", clinic_answer("orm"), "should be one of the factor names"),
        Wrong(
            "a framework the helper doesn't know", clinic_answer("relational_data", pick="Rails"), "should be one of"
        ),
        Wrong("one key", value({"pick": "Django"}), "two keys"),
    ],
    "09.2": [
        Wrong(
            "not the deciding factor", events_answer(not_the_deciding_factor, 0.5, "Django"), "not the deciding factor"
        ),
        Wrong("above the tipping point", events_tipping(-0.03), "still"),
        Wrong(
            "the wrong new pick", events_tipping(0.05, new_pick=a_pick_nobody_catches_up_with), "read who catches up"
        ),
        Wrong("a weight out of range", events_answer(None, 9, "Django"), "refused"),
        Wrong("two keys", value({"factor": "realtime", "weight": 0.5}), "three keys"),
    ],
    "09.3": [
        Wrong("one of the two", lambda: set(sorted(changed_small())[:1]), "its pick changes too"),
        Wrong("every small-service project", lambda: changed_small() | {"internal tool, Flask team"}, "keeps its pick"),
        Wrong("a name, not a set", value("payments webhook receiver"), "set of example project names"),
        Wrong("a project that isn't an example", lambda: changed_small() | {"a blog"}, "not example projects"),
    ],
}

RIGHT: dict[str, list[tuple[str, Callable[[], Any]]]] = {
    "00.1": [("server", value("server")), ("any case, spaces", value(" Server "))],
    "00.2": [
        ("type=int", flask_adder('{"sum": request.args.get("a", type=int) + request.args.get("b", type=int)}')),
        ("int()", flask_adder('{"sum": int(request.args["a"]) + int(request.args["b"])}')),
    ],
    "00.3": [("after_request", hello_with_header("X-Content-Type-Options", "nosniff"))],
    "00.4": [("lower case and spaces", lambda: {k: f" {v.lower()} " for k, v in solution_answer("00.4").items()})],
    "00.5": [
        (
            "the last line as printed",
            value(fault("decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]", "parse_price")),
        ),
        ("any case and spaces", value({" Exception ": " invalidoperation ", "FUNCTION": " Parse_Price() "})),
        ("with their modules", value(fault("decimal.InvalidOperation", "shop_flask.parse_price"))),
        (
            "the frame's line",
            value(fault("InvalidOperation", 'File "helpers/apps/shop_flask.py", line 10, in parse_price')),
        ),
    ],
    "00.6": [("the solution's dict in another order", value({"first_running": False, "servers": 1}))],
    "01.2": [
        ("the course's own app", course_bookshelf),
        ("StrictInt", from_solution("01.2", "year: int", "year: StrictInt", "from pydantic import StrictInt\n")),
    ],
    "01.1": [("upper case", lambda: most_dependencies().upper())],
    "01.3": [("a generator", lambda: _generator_wsgi())],
    "01.4": [("the form shown again", value({"status": 200, "saved": False}))],
    "01.5": [("the counts, in another order", value({"FastAPI": 2, "Flask": 4, "Django": 1}))],
    "02.1": [("the hint's reasoning", value(20 * 0.005 + 0.100))],
    "02.2": [
        ("a busy run, busy machine named", gap_answer(causes={"overhead", "busy machine"})),
        ("a list of causes", gap_answer(causes=["overhead"], no_gain=["thread per request", "CPU-bound"])),
    ],
    "02.3": [
        ("the fire() result without a name for the server", loop_answer(fix="result = await fire(url, path, 10)")),
        ("with a timeout", loop_answer(fix=f"result = await asyncio.wait_for({FIRE}, 30)")),
    ],
    "02.4": [("a plain def (thread pool)", slow_app(PLAIN_DEF)), ("asyncio.to_thread", slow_app(TO_THREAD))],
    "02.5": [(str(size), value(size)) for size in [(2, 25), (4, 16), (3, 17), (5, 10), (64, 1)]],
    "02.6": [
        ("with the model's blocked state", value({"queued": 2, "running": 1, "waiting": 3, "done": 2, "blocked": 0}))
    ],
    "03.1": [
        ("a little overhead added", workers_and_stops({1: 1.25, 2: 0.62, 4: 0.31})),
        ("the model's figures with float noise", workers_and_stops({1: 12 * 0.1, 2: 6 * 0.1, 4: 3 * 0.1})),
    ],
    "03.2": [
        ("the three", value({"gevent", "FastAPI async def", "Django async"})),
        ("a frozenset", value(frozenset({"Django async", "gevent", "FastAPI async def"}))),
    ],
    "03.3": [("the fitted line", value(lambda n, base, kib: base + n * kib / 1024))],
    "03.4": [
        ("two free cores", value(machine(2, 1, 2, 2.0))),
        ("a quota of 1.3 cores: one process", value(machine(1, 1, 2, 1.3))),
        ("a quota of 1.3 cores: two processes", value(machine(2, 1, 2, 1.3))),
        ("Binder: 16 cores, 2 cores' worth", value(machine(2, 1, 16, 2.0))),
        ("a big machine: one per request", value(machine(8, 1, 32, 32.0))),
        ("one core", value(machine(1, 1, 1, 1.0))),
    ],
    "03.5": [("a list", lambda: sorted(solution_answer("03.5")))],
    "04.1": [
        ("short names, any case", value(joins("inner", "Left Join", "left outer"))),
        ("a plain JOIN is an inner join", value(joins("join", "LEFT OUTER JOIN", "LEFT JOIN"))),
    ],
    "04.2": [("one plus one per book", value(1201))],
    "04.3": [
        (
            "NULL as SQL says it, columns as a tuple, the error's name",
            value(rollback(("title", "id", "year"), ("NULL", "null"), "IrreversibleError")),
        ),
        ("words in any case", value(rollback(slugs=(None, "None"), no_reverse="Raises an error"))),
    ],
    "04.4": [("prefetch_related", prefetching_labels)],
    "04.5": [("batch_alter_table", migration(BATCH_RENAME))],
    "04.6": [
        (
            "a qmark parameter",
            search('return conn.exec_driver_sql("SELECT owner FROM secret WHERE owner = ?", (name,)).all()'),
        ),
        (
            "names as strings",
            search(
                'return [r.owner for r in conn.execute(text("SELECT owner FROM secret WHERE owner = :n"), {"n": name})]'
            ),
        ),
        (
            "SQLAlchemy Core",
            search(
                "from sqlalchemy import column, select, table\nsecret = table('secret', column('owner'))\nreturn conn.execute(select(secret.c.owner).where(secret.c.owner == name)).all()"
            ),
        ),
    ],
    "05.1": [("a string", value("bare jinja2.Environment()")), ("a list", value(["bare jinja2.Environment()"]))],
    "05.2": [
        ("autoescape=True", environment(autoescape=True)),
        ("select_autoescape()", environment(autoescape=select())),
        (
            "html files only, not strings (the issue's case)",
            environment(autoescape=select(["html"], default_for_string=False)),
        ),
    ],
    "05.3": [
        ("a function with rules", type_checking_validator),
        ("a Django form with cleaning (the issue's case)", cleaned_django_form),
        ("Marshmallow, strict", marshmallow_schema(strict=True)),
    ],
    "05.4": [
        ("lists", lambda: {api: sorted(facts) for api, facts in solution_answer("05.4").items()}),
        (
            "tuples, keys in another order",
            lambda: {api: tuple(f) for api, f in reversed(solution_answer("05.4").items())},
        ),
    ],
    "05.5": [("keys in another order", lambda: dict(reversed(list(solution_answer("05.5").items()))))],
    "05.6": [
        ("a list", value(["FastAPI, module fixture", "Flask, one app", "Django unittest.TestCase"])),
        ("a tuple", value(("Django unittest.TestCase", "Flask, one app", "FastAPI, module fixture"))),
    ],
    "06.1": [("an int", value(200)), ("rounded from a measurement", value(199.5))],
    "06.2": [
        (
            "a list of set-ups, letters in capitals",
            prediction(**{"fails at 500": ["FastAPI def"]}, failure="B", why="C"),
        ),
        ("a p50 with some overhead", prediction(**{"p50 at 500": 2.7})),
        ("threads with the server's own, as a list", prediction(**{"most threads": ["Django async", 510, 10]})),
    ],
    "06.3": [("the arithmetic", value((100 - 3 - 5) // 4))],
    "06.4": [
        (
            "where in two calls",
            sell("update(Item).where(Item.id == item_id).where(Item.stock > 0).values(stock=Item.stock - 1)"),
        ),
        (
            "with a column expression",
            sell("update(Item).where(Item.stock >= 1, Item.id == item_id).values({Item.stock: Item.stock - 1})"),
        ),
    ],
    "06.5": [
        ("lists, as measured", orm([1, 0.52], [10, 0.06])),
        ("as arithmetic", orm((1, 10 * 0.05), (10, 0.05))),
    ],
    "07.1": [("keys in the other order", value({"RQ": 3, "BackgroundTasks": 0}))],
    "07.2": [
        ("an async def path function", receipt_app("def place_order", "async def place_order")),
        (
            "the order id as a keyword",
            receipt_app(ADD_TASK, "background_tasks.add_task(send_receipt, order_id=order_id)"),
        ),
    ],
    "07.3": [("keys in the other order", value({"Django tasks": 1, "RQ": 3}))],
    "07.4": [
        (
            "pairs as lists",
            plan(
                **{
                    j.replace(" ", "_"): list(solution_answer("07.4")[j])
                    for j in ("feedback note", "invoice", "partner call")
                }
            ),
        )
    ],
    "07.5": [
        (
            "preload instead of silencing",
            deploy_env(DJANGO_SILENCED_SYSTEM_CHECKS=None, DJANGO_SECURE_HSTS_PRELOAD="1"),
        ),
        (
            "debug left to its default, a year of HSTS",
            deploy_env(DJANGO_DEBUG=None, DJANGO_SECURE_HSTS_SECONDS="31536000"),
        ),
    ],
    "08.1": [
        (
            "lists for pairs",
            value(
                {
                    "Django": [403, False],
                    "Flask": [200, False],
                    "fewer lines": "Django",
                    "claim": "same protection, Django shorter",
                }
            ),
        )
    ],
    "08.2": [
        ("measured-looking waits", services(burst_waits={"Flask": 6.5, "FastAPI": 5.0})),
        ("every wait overlapped", services(burst_waits={"Flask": 1, "FastAPI": 1})),
        ("keys in another order", lambda: dict(reversed(list(solution_answer("08.2").items())))),
    ],
    "08.3": [
        ("keys in another order", value({"under WSGI": "overlap, worker held", "async view": 1, "plain view": 5}))
    ],
    "08.4": [("gt=0", book_subclass("int", "Field(gt=0)"))],
    "09.1": [("lower case", clinic_answer(lambda: largest_leads()[0], pick="django"))],
    "09.2": [("just below the tipping point", events_tipping(0.05))],
    "09.3": [("as a list", lambda: sorted(changed_small()))],
}


def _generator_wsgi() -> Any:
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        yield b'{"hello": "wsgi"}'

    return app


def _cases(table: dict[str, list[Any]]) -> list[Any]:
    return [
        pytest.param(ex, item, id=f"{ex}-{getattr(item, 'mistake', None) or item[0]}")
        for ex, items in table.items()
        for item in items
    ]


def test_the_catalogue_covers_every_exercise():
    assert set(WRONG) == set(EXERCISES) == set(RIGHT)
    assert {ex: len(cases) for ex, cases in WRONG.items() if len(cases) < 3} == {}


@pytest.mark.filterwarnings("ignore:coroutine 'sleep' was never awaited")  # the point of one wrong answer
@pytest.mark.parametrize("exercise_id, wrong", _cases(WRONG))
def test_a_wrong_answer_is_rejected_with_feedback_that_names_the_mistake(exercise_id, wrong, no_leaks):
    result = evaluate(exercise_id, wrong.build())
    assert not result.passed and result.kind == "wrong", (wrong.mistake, result.message)
    assert wrong.words.lower() in result.message.lower(), (wrong.mistake, result.message)
    # Feedback points at the mistake; it never repeats the verdict, nor hands over the hint.
    assert not result.message.lower().startswith(("not yet", "correct")), result.message
    assert EXERCISES[exercise_id].hint not in result.message


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_the_worked_solution_is_accepted(exercise_id, no_leaks):
    result = evaluate(exercise_id, solution_answer(exercise_id))
    assert result.passed and result.kind == "right", result.message


@pytest.mark.parametrize("exercise_id, right", _cases(RIGHT))
def test_another_right_answer_is_accepted(exercise_id, right, no_leaks):
    label, build = right
    result = evaluate(exercise_id, build())
    assert result.passed, (label, result.message)


@pytest.mark.parametrize("deciding", largest_leads())
def test_09_1_accepts_every_factor_with_the_largest_lead(deciding):
    assert evaluate("09.1", {"pick": clinic_leads()[0], "deciding": deciding}).passed


# -- the catalogue can fail ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_a_check_that_accepts_everything_is_caught(exercise_id, monkeypatch):
    ex = EXERCISES[exercise_id]
    monkeypatch.setitem(EXERCISES, exercise_id, ex.__class__(ex.id, ex.title, lambda a: None, ex.hint, ex.solution))
    # Every wrong answer passes such a check, so the catalogue's `not result.passed` would fail for each one.
    assert all(evaluate(exercise_id, w.build()).passed for w in WRONG[exercise_id])


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_a_check_that_rejects_everything_is_caught(exercise_id, monkeypatch):
    ex = EXERCISES[exercise_id]
    monkeypatch.setitem(EXERCISES, exercise_id, ex.__class__(ex.id, ex.title, lambda a: "no", ex.hint, ex.solution))
    assert not evaluate(exercise_id, solution_answer(exercise_id)).passed
    assert not any(evaluate(exercise_id, build()).passed for _, build in RIGHT[exercise_id])
