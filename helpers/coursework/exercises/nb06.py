"""Exercises of 06_database: the pool's ceiling, the load table predicted and FastAPI def's starved pool, pool sizing, the last
item sold in one statement, and Django's async ORM seen from pg_stat_activity."""

from __future__ import annotations

import functools
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("06")

# 06.1: the load the notebook runs (helpers.concurrency.db_load): a pool per server, each query's wait.
POOL_SIZE, WAIT_MS, CONCURRENT = 10, 50, 100


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


@exercise(
    "06.1",
    "predict the pool's ceiling",
    hint="A request needs one of the pool's connections for as long as its query waits in the database, and the "
    "rest wait their turn. How many queries can one connection finish in a second, and how many connections are "
    "there? The number of clients decides how long the queue is, not how fast it moves.",
    solution="""
        # Each query holds a connection for 50 ms, so one connection finishes 1 / 0.050 = 20 queries a second.
        # The pool has 10 connections, and the other 90 requests queue for them: concurrency beyond the
        # pool adds waiting, not throughput.
        pool_size, wait_s = 10, 0.050
        answer = pool_size / wait_s  # 200 requests per second
    """,
    praise="The pool's connections divided by each query's time: 200 requests per second, whatever the framework, "
    "and however many clients queue behind it. The runs below measure how close each set-up comes.",
    data=True,
)
def predict_ceiling(answer: Any) -> str | None:
    right = POOL_SIZE / (WAIT_MS / 1000)
    if not _is_number(answer):
        return f"the answer should be a number of requests per second, not a {type(answer).__name__}."
    answer = float(answer)
    if abs(answer - right) <= 0.05 * right:
        return None
    if abs(answer - CONCURRENT / (WAIT_MS / 1000)) < 1:
        return (
            f"{answer:g} is what {CONCURRENT} connections would serve, but only {POOL_SIZE} queries run at once: "
            "the others wait for a free connection."
        )
    if abs(answer - 1 / (WAIT_MS / 1000)) < 0.5:
        return f"{answer:g} requests per second is what one connection serves; the pool has {POOL_SIZE}."
    if answer in (POOL_SIZE, CONCURRENT) or answer < 1:
        return (
            f"{answer:g} looks like a count of connections or a time, not requests per second: "
            f"how many {WAIT_MS} ms queries do {POOL_SIZE} connections finish in one second?"
        )
    if 0.6 * right <= answer < right:
        return (
            f"{answer:g} is about what a set-up measures on a shared CPU; the question asks for the ceiling, "
            "which the arithmetic gives exactly."
        )
    return f"{answer:g} requests per second is not it: count the queries each connection finishes in a second."


# 06.2: predict the load table from the set-ups' configuration (the pool, the threads each server runs) and the
# documented mechanisms (AnyIO's thread limiter, a yield dependency's cleanup), before the load runs. The truth is
# read from the code that configures the load (db_load) and from AnyIO itself, never from a run, so the grader
# needs no PostgreSQL.
WAITS_IN = {  # where each set-up's requests wait for one of the pool's connections
    "Django sync": "gthread",  # in one of gunicorn's threads, which it holds to the end of the request
    "Django async": "a thread per request",  # Django's async ORM: each request's queries in a thread of its own
    "Flask": "gthread",
    "FastAPI async def": "the event loop",  # AsyncSession: an await, no thread
    "FastAPI def": "AnyIO",  # the endpoint and the session dependency (its cleanup too) in AnyIO's threads
}
FAILURES = {
    "a": "PostgreSQL refuses connections past max_connections",
    "b": "the app's pool times out waiting for a free connection, and the app answers status 500",
    "c": "uvicorn refuses clients past its backlog",
    "d": "PostgreSQL cancels the slow queries",
}
FAILED_BY = "b"
_NOT_FAILURE = {
    "a": "the app's pool never asks PostgreSQL for more than its {pool} connections, far below max_connections. "
    "Which part of the app waits for a connection, and for how long?",
    "c": "uvicorn lets up to 2048 connections wait by default (its --backlog), and 500 clients fit: the requests get "
    "in, then wait inside the app. For what, and for how long?",
    "d": "nothing sets a statement_timeout here: every query waits its {wait_ms:g} ms and ends. What does a request "
    "wait for before its query even starts?",
}
STARVATION = {
    "a": "a pool of 10 is too small for 500 concurrent requests",
    "b": "a def endpoint blocks uvicorn's event loop",
    "c": "AnyIO's 40 threads all hold requests waiting for a connection, and the sessions holding the connections need "
    "a thread to give them back",
    "d": "PostgreSQL refuses connections past max_connections",
}
STARVED_BECAUSE = "c"
_NOT_WHY = {
    "a": "the other four set-ups have the same pool of 10 for the same 500 clients, and a pool that is too small makes "
    "requests queue, not fail. What does FastAPI def do differently while a request waits?",
    "b": "FastAPI runs a def endpoint in AnyIO's thread pool, not on the event loop, so the loop stays free. What "
    "does each waiting request hold instead, and how many of those are there?",
    "d": "the app's pool never asks PostgreSQL for more than its 10 connections, far below max_connections: "
    "PostgreSQL refuses nothing. What gives a session's connection back to the pool, and what does that need?",
}
PREDICTION_KEYS = ("fails at 500", "failure", "why", "limit", "p50 at 500", "most threads")
_PREDICTION_EXAMPLE = (
    '{"fails at 500": {"Flask"}, "failure": "a", "why": "a", "limit": 5, "p50 at 500": 0.05, '
    '"most threads": ("Flask", 10, 10)}'
)


@dataclass(frozen=True)
class LoadConfig:
    """What the notebook's load cell configures (db_load's defaults, which it passes) and AnyIO's thread limit."""

    pool: int  # connections per set-up (max_overflow=0)
    pool_timeout: float  # seconds a request waits for a free connection
    wait_ms: float  # each query's wait in the database
    level: int  # the highest concurrency
    gthreads: int  # gunicorn gthread's threads
    anyio_threads: int  # AnyIO's default thread limiter, FastAPI's def endpoints' and dependencies' threads
    setups: tuple[str, ...]

    @property
    def queue_s(self) -> float:
        """Return how long a request waits in turn at `level` concurrent, when the pool serves its ceiling."""
        return self.level / (self.pool / (self.wait_ms / 1000))


def _anyio_threads() -> int:
    import anyio
    import anyio.to_thread

    async def tokens() -> int:
        return int(anyio.to_thread.current_default_thread_limiter().total_tokens)

    with ThreadPoolExecutor(1) as pool:  # its own event loop, in a thread: a kernel's own loop is already running
        return pool.submit(anyio.run, tokens).result()


@functools.cache
def load_config() -> LoadConfig:
    """Return the load's configuration, read from helpers.concurrency.db_load and from AnyIO."""
    import inspect

    from helpers.concurrency import db_load

    load = inspect.signature(db_load.load_all).parameters
    return LoadConfig(
        pool=load["pool_size"].default,
        pool_timeout=load["pool_timeout"].default,
        wait_ms=db_load.WAIT_MS,
        level=max(load["levels"].default),
        gthreads=inspect.signature(db_load.shop_setups).parameters["threads"].default,
        anyio_threads=_anyio_threads(),
        setups=tuple(s.short for s in db_load.shop_setups()),
    )


def predicted_threads(name: str, config: LoadConfig) -> int:
    """Return the threads set-up `name` runs for requests at `config.level` concurrent, by where they wait."""
    waits = WAITS_IN[name]
    if waits == "gthread":
        return config.gthreads
    if waits == "a thread per request":
        return config.level
    if waits == "AnyIO":
        return min(config.level, config.anyio_threads)
    return 0


def predicted_failures(config: LoadConfig) -> set[str]:
    """Return the set-ups that fail requests at `config.level` concurrent, by the documented mechanisms."""
    failing = set()
    for name in config.setups:
        starves = (
            WAITS_IN[name] == "AnyIO" and config.pool < config.anyio_threads < config.level
        )  # every thread waits for a connection, and the sessions holding them need a thread to give them back
        queued_out = WAITS_IN[name] != "gthread" and config.queue_s > config.pool_timeout
        if starves or queued_out:
            failing.add(name)
    return failing


def _fails_problem(said: Any, config: LoadConfig) -> str | None:
    truth = predicted_failures(config)
    if not isinstance(said, (set, frozenset, list, tuple)) or not all(isinstance(n, str) for n in said):
        return (
            "'fails at 500' should be the set of the set-ups that will fail requests at 500 concurrent, like "
            '{"Flask"} (set() if none will).'
        )
    unknown = sorted(set(said) - set(config.setups))
    if unknown:
        return f"{unknown[0]!r} is not one of the set-ups; their names are: {', '.join(config.setups)}."
    too_many = sorted(set(said) - truth)
    if too_many:
        name = too_many[0]
        if len(said) == len(config.setups):
            return (
                f"all five have a pool of {config.pool} for {config.level} clients, and queueing is not failing: at "
                f"the pool's ceiling a request waits about {config.level} / {config.pool / (config.wait_ms / 1000):g} "
                f"per second = {config.queue_s:g} s, under pool_timeout's {config.pool_timeout:g} s. Which set-up "
                "can stop giving connections back?"
            )
        if WAITS_IN[name] == "a thread per request":
            return (
                f"{name} runs a thread for every request in flight, with no limit, so a thread is always there to "
                f"give a connection back: its requests queue about {config.queue_s:g} s, within pool_timeout."
            )
        return (
            f"{name}'s requests queue, but each gets a connection in turn, within pool_timeout's "
            f"{config.pool_timeout:g} s. Which set-up runs out of something its sessions need to give connections "
            "back?"
        )
    if truth - set(said):
        return (
            "one set-up will fail requests at 500 concurrent: look for one whose waiting requests can hold every "
            "thread it has, while a session needs a thread to give its connection back."
        )
    return None


def _letter(said: Any, letters: dict[str, str]) -> str | None:
    if isinstance(said, str) and said.strip().lower() in letters:
        return said.strip().lower()
    return None


def _p50_problem(said: Any, config: LoadConfig) -> str | None:
    if not _is_number(said):
        return f"'p50 at 500' should be a number of seconds, not {said!r}."
    right = config.queue_s
    if 0.8 * right <= said <= 1.2 * right:
        return None
    ceiling = config.pool / (config.wait_ms / 1000)
    if 0.8 * right <= said / 1000 <= 1.2 * right:
        return f"{said:g} looks like milliseconds: give seconds."
    if abs(said - config.wait_ms / 1000) < 0.01:
        return (
            f"{said:g} s is one query's wait, with no one ahead. With {config.level} clients and {config.pool} "
            "connections, how many requests are ahead of each one, and how fast does the pool serve them?"
        )
    if abs(said - config.level * config.wait_ms / 1000) < 1:
        return (
            f"{said:g} s is {config.level} queries one after another, on one connection; the pool runs {config.pool} "
            "at once."
        )
    return (
        f"{said:g} s is not it: the pool serves at most {ceiling:g} requests per second (06.1), and each of the "
        f"{config.level} clients waits for the others' turns."
    )


def _threads_problem(said: Any, config: LoadConfig) -> str | None:
    shape = (
        "'most threads' should be a tuple (set-up, threads, connections held): the set-up that will run the most "
        "threads at 500 concurrent, about how many, and the connections PostgreSQL will list for it."
    )
    if not isinstance(said, (tuple, list)) or len(said) != 3:
        return shape
    name, threads, held = said
    if not isinstance(name, str) or not _is_number(threads) or not _is_number(held):
        return shape
    if name not in config.setups:
        return f"{name!r} is not one of the set-ups; their names are: {', '.join(config.setups)}."
    most = max(config.setups, key=lambda s: predicted_threads(s, config))
    if name != most:
        if WAITS_IN[name] == "AnyIO":
            return (
                f"{name} runs at most AnyIO's {config.anyio_threads} threads. Which set-up runs a thread for every "
                "request in flight?"
            )
        return (
            f"{name} runs {predicted_threads(name, config) or 'no'} threads for its requests. Which set-up runs a "
            "thread for every request in flight, with no limit?"
        )
    right = predicted_threads(name, config)
    if not 0.9 * right <= threads <= 1.2 * right:
        return (
            f"{threads:g} threads is not it: how many of {name}'s requests are in flight at once, at "
            f"{config.level} concurrent?"
        )
    if held == config.pool:
        return None
    if held == config.level:
        return (
            f"{held:g} is how many clients connect to the server; the connections held count the server's own "
            "connections to PostgreSQL (pg_stat_activity), and its pool hands out at most its size."
        )
    if abs(held - threads) <= 0.2 * threads:
        return (
            "that is its threads again: its threads wait for the pool, and the connections PostgreSQL lists are "
            "the pool's."
        )
    return f"{held:g} connections is not it: how many does a pool of {config.pool} with max_overflow=0 ever hold?"


def _limit_problem(limit: Any, config: LoadConfig) -> str | None:
    pool, anyio_threads, wait = config.pool, config.anyio_threads, config.wait_ms / 1000
    if not _is_int(limit):
        return f"'limit' should be a whole number, the N of Depends(get_session, max_concurrency=N), not {limit!r}."
    if limit == pool:
        return None
    if limit < 1:
        return "with no request allowed a session, nothing is answered."
    if limit < pool:
        return (
            f"with {limit} sessions at once, {pool - limit} of the pool's connections are never used, and the "
            f"ceiling falls to {limit} / {wait:g} s. Is there a limit that wastes none?"
        )
    if limit >= anyio_threads:
        return (
            f"{limit} sessions at once is as many requests as AnyIO has threads, or more: they can all end up "
            "waiting for a connection again, with no thread left for a cleanup."
        )
    return (
        f"with {limit} sessions at once, {limit - pool} requests still hold a thread while they wait for one of "
        f"the pool's {pool} connections. Which limit lets no request wait for a connection in a thread?"
    )


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


@exercise(
    "06.2",
    "predict the load table, and why FastAPI def will fail",
    hint="Follow one request in each set-up at 500 concurrent: where does it wait for one of the pool's 10 "
    "connections, and what does it hold meanwhile, a thread or nothing? A pool that is too small makes a queue; "
    "the pool's ceiling (06.1) says how long the queue is. A request fails only when what gives connections back "
    "cannot run. For FastAPI def, count AnyIO's threads against the requests, and ask what a session's cleanup "
    "after yield needs. The fix lets a request take a session only when a connection is free.",
    solution="""
        # Every set-up's pool serves at most 10 / 0.050 s = 200 requests per second (06.1). At 500 concurrent a
        # request waits for about 500 / 200 = 2.5 s of others' turns: a queue, within pool_timeout's 5 s.
        # FastAPI def fails: its 40 AnyIO threads all hold requests that wait for a connection, and a session gives
        # its connection back in the dependency's cleanup after yield, which needs one of those threads too.
        # So SQLAlchemy's pool gives up after pool_timeout, and the app answers status 500; PostgreSQL, asked for
        # 10 connections at most, refuses nothing. Limiting the session dependency to the pool's 10 lets the
        # other requests wait on the event loop, holding no thread.
        # Django's async view runs each request's queries in a thread of its own: 500 threads, sharing the pool's
        # 10 connections, the most PostgreSQL will list.
        answer = {
            "fails at 500": {"FastAPI def"},
            "failure": "b",
            "why": "c",
            "limit": 10,
            "p50 at 500": 500 / (10 / 0.050),
            "most threads": ("Django async", 500, 10),
        }
    """,
    praise="A pool too small for its clients makes a queue: about 2.5 s at 500 concurrent, within pool_timeout. "
    "FastAPI def is the one set-up where waiting requests take every thread its sessions need to give their "
    "connections back, so its pool times out; Django's async view runs a thread per request, yet holds 10 "
    "connections. The table below shows how close the run comes.",
    data=True,
)
def predict_load_table(answer: Any) -> str | None:
    if not isinstance(answer, dict) or set(answer) != set(PREDICTION_KEYS):
        return f"the answer should be a dict with the keys {', '.join(map(repr, PREDICTION_KEYS))}, like {_PREDICTION_EXAMPLE}."
    config = load_config()
    problem = _fails_problem(answer["fails at 500"], config)
    if problem:
        return problem
    failure = _letter(answer["failure"], FAILURES)
    if failure is None:
        return f"'failure' should be one letter of the failures printed above: {', '.join(FAILURES)}."
    if failure != FAILED_BY:
        return f"({failure}) is not it: " + _NOT_FAILURE[failure].format(pool=config.pool, wait_ms=config.wait_ms)
    why = _letter(answer["why"], STARVATION)
    if why is None:
        return f"'why' should be one letter of the explanations printed above: {', '.join(STARVATION)}."
    if why != STARVED_BECAUSE:
        return f"({why}) is not it: {_NOT_WHY[why]}"
    return (
        _limit_problem(answer["limit"], config)
        or _p50_problem(answer["p50 at 500"], config)
        or _threads_problem(answer["most threads"], config)
    )


# 06.3: a deployment on one PostgreSQL server.
MAX_CONNECTIONS, RESERVED, WORKERS, OTHERS = 100, 3, 4, 5


def largest_pool() -> int:
    """Return the largest pool per worker that keeps every connection of 06.3's deployment within max_connections."""
    return (MAX_CONNECTIONS - RESERVED - OTHERS) // WORKERS


@exercise(
    "06.3",
    "size the pools under max_connections",
    hint="Start from what the server lets ordinary roles have: its limit, less what it keeps for superusers. "
    "Then take away what the other programs need, and share the rest between the workers, each with a pool of "
    "its own. A pool holds whole connections.",
    solution=f"""
        # PostgreSQL lets ordinary roles have max_connections - superuser_reserved_connections.
        allowed = {MAX_CONNECTIONS} - {RESERVED}
        # The migration job and the admin tool take theirs first.
        for_workers = allowed - {OTHERS}
        # Each of the {WORKERS} workers has its own pool (max_overflow=0, so the pool's size is its most),
        # and a pool holds whole connections: round down.
        answer = for_workers // {WORKERS}
    """,
    praise="4 pools of 23 are 92 connections, plus 5 for the other programs: 97, exactly what the server lets "
    "ordinary roles have. One more per pool and the fullest moment meets the server's refusal.",
    data=True,
)
def size_pools(answer: Any) -> str | None:
    right = largest_pool()
    if isinstance(answer, bool) or not isinstance(answer, int):
        return f"the answer should be a whole number of connections per pool, not a {type(answer).__name__}."
    if answer == right:
        return None
    if answer < 1:
        return "each worker needs at least one connection to answer anything."
    total = WORKERS * answer + OTHERS
    allowed = MAX_CONNECTIONS - RESERVED
    if answer == MAX_CONNECTIONS // WORKERS:
        return (
            f"{WORKERS} x {answer} = {WORKERS * answer} uses the whole of max_connections: the server keeps "
            f"{RESERVED} of them for superusers, and the other programs need {OTHERS}."
        )
    if answer == allowed // WORKERS:
        return (
            f"{WORKERS} x {answer} = {WORKERS * answer} fits what ordinary roles may have ({allowed}), "
            f"but the migration job and the admin tool need {OTHERS} more."
        )
    if answer > right:
        return (
            f"at their fullest, {WORKERS} pools of {answer} and the other programs want {total} connections; "
            f"the server lets ordinary roles have {allowed}, and refuses the rest."
        )
    return (
        f"{WORKERS} pools of {answer} fit, with {allowed - total} connections never used: "
        "what is the largest pool that still fits?"
    )


def sell_sql(answer: Any, item_id: int) -> dict[str, Any]:
    """Return the SQL of `answer(item_id)` for SQLite: {"sql": text}, {"kind": what it returned} or {"raised": why}.

    06.4's port: in grading the replay runs the answer and sends only its statement, as text; the check runs it.
    """
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.sql.dml import Update

    try:
        stmt = answer(item_id)
        if not isinstance(stmt, Update):
            return {"kind": type(stmt).__name__}
        return {"sql": str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))}
    except Exception as exc:  # noqa: BLE001 - the learner's function failed: the check says how
        return {"raised": f"{type(exc).__name__}: {exc}"}


def _shop() -> sqlite3.Connection:
    """Return a fresh SQLite shop of the check's own: the shop's item table, no rows."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateTable

    from helpers.apps.stock_sqlalchemy import Item

    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute(str(CreateTable(Item.__table__).compile(dialect=sqlite.dialect())))
    return conn


def _sell_table(answer: Any) -> tuple[list[int], list[int], list[int], list[int]] | str:
    """Run `answer(item_id)`'s statement on a fresh SQLite shop; return rows changed per sale and the stocks after each.

    The statement runs on the check's own database (helpers/coursework/judged_sql.py), its items' ids drawn at
    random: in grading, the answer's process only says what its statement is.
    """
    import random

    from helpers.coursework import judged_sql
    from helpers.coursework.served import bind

    sell = bind(answer, sell_sql)  # in grading, the judge asks for each statement where the replay serves it
    last, other = random.SystemRandom().sample(range(10, 10_000), 2)  # ids no answer knows in advance
    conn = _shop()
    try:
        conn.executemany(
            "INSERT INTO shop_item (id, name, price_cents, stock) VALUES (?, ?, 100, ?)",
            [(last, "last one", 1), (other, "five", 5)],
        )
        changed = []
        stocks = []
        for item_id in (last, last, other):  # the last item twice (the second buyer must get nothing), then another
            got = sell(item_id)
            if not isinstance(got, dict):
                return f"sell({item_id}) could not be asked for its statement."
            if "raised" in got:
                return f"sell(item_id) should take one argument, the item's id; calling sell({item_id}) raised: {got['raised']}"
            if "sql" not in got:
                kind = str(got.get("kind"))
                return (
                    f"sell({item_id}) returned a {kind}, not an UPDATE statement: "
                    + ("a SELECT only reads, and deciding on what you read is the race. " if kind == "Select" else "")
                    + "Return one update(Item) statement that decides and writes at once."
                )
            with judged_sql.guarded(conn, {"shop_item"}) as refused:
                try:
                    changed.append(judged_sql.run(conn, [got["sql"]]).rowcount)
                except (sqlite3.Error, ValueError) as exc:
                    return f"sell({item_id})'s statement failed on a fresh shop: {judged_sql.why(exc, refused)}."
            rows = dict(conn.execute("SELECT id, stock FROM shop_item"))
            stocks.append([rows[last], rows[other]])
        return changed, stocks[0], stocks[1], stocks[2]
    finally:
        conn.close()


@exercise(
    "06.4",
    "sell the last item with one statement",
    hint="The naive checkout reads the stock, decides in Python, then writes: another buyer can read between the "
    "two. Let the database decide instead: one UPDATE that takes one off the stock only where some is left, and "
    "whose count of changed rows says whether this buyer got it. SQLAlchemy's update() with a where clause "
    "builds it.",
    solution="""
        from sqlalchemy import update

        from helpers.apps.stock_sqlalchemy import Item


        def sell(item_id):
            # One statement decides and writes: PostgreSQL locks the row while it updates it, and a second
            # buyer's UPDATE waits, then re-checks stock > 0 and changes nothing. rowcount 1: sold; 0: sold out.
            return update(Item).where(Item.id == item_id, Item.stock > 0).values(stock=Item.stock - 1)


        answer = sell
    """,
    praise="One UPDATE ... WHERE stock > 0: the database decides, so two buyers can never both take the last one. "
    "It is checkout_atomic's statement in helpers/apps/checkout_sqlalchemy.py.",
    served="call",
    port=sell_sql,
)
def sell_atomically(answer: Any) -> str | None:
    from helpers.coursework.served import Remote

    if not isinstance(answer, Remote) and not callable(answer):
        return f"the answer should be a function sell(item_id) that returns an UPDATE statement, not a {type(answer).__name__}."
    outcome = _sell_table(answer)
    if isinstance(outcome, str):
        return outcome
    changed, after_one_sale, after_two_sales, after_other = outcome
    if changed[0] > 1:
        return (
            f"selling the last item changed {changed[0]} rows: every item that had stock lost one. "
            "Match the item's id as well as its stock."
        )
    if changed[0] != 1 or after_one_sale[0] != 0:
        return (
            f"selling the last item changed {changed[0]} row(s) and left its stock at {after_one_sale[0]}: "
            "the first buyer should get it, leaving 0."
        )
    if changed[1] != 0:
        return (
            f"the second buyer's sale changed a row too, although the item was sold out (stock now "
            f"{after_two_sales[0]}): the UPDATE must only match a row that still has stock."
        )
    if after_two_sales[1] != 5:
        return (
            f"selling the last item changed the other item's stock too (5 became {after_two_sales[1]}): "
            "match the item's id as well."
        )
    if after_other[1] != 4:
        return (
            f"selling one of the other item (5 in stock) left its stock at {after_other[1]}, not 4: take one off the stock "
            "rather than setting it."
        )
    return None


# 06.5: Django's async ORM, 10 queries of 50 ms each awaited together, as the notebook's measure_async_orm runs them.
TOGETHER, ORM_WAIT_MS = 10, 50
ORM_CASES = ("in one request", "a request each")
_ORM_EXAMPLE = '{"in one request": (10, 0.05), "a request each": (10, 0.05)}'


def orm_model() -> dict[str, tuple[int, float]]:
    """Return 06.5's truth by Django's documented rule: one thread per request, one connection per thread."""
    wait = ORM_WAIT_MS / 1000
    return {"in one request": (1, TOGETHER * wait), "a request each": (TOGETHER, wait)}


def _close(said: float, right: float) -> bool:
    return 0.7 * right <= said <= 1.3 * right


@exercise(
    "06.5",
    "predict what Django's async ORM runs at once",
    hint="aget() hands the query to sync_to_async, which is thread-sensitive: inside one request, every such call "
    "runs in that request's one thread, and Django gives each thread its own connection. How many queries can one "
    "thread run at once? Then count the threads when each query has a request of its own.",
    solution=f"""
        # aget() is sync_to_async(get), thread-sensitive: one request's calls share one thread, and a Django
        # connection belongs to a thread. So asyncio.gather inside one request runs the {TOGETHER} queries one after
        # another on one connection: {TOGETHER} x {ORM_WAIT_MS} ms, with one connection active at a time.
        # Each request has a thread (and a connection) of its own: all {TOGETHER} run at once, in about {ORM_WAIT_MS} ms.
        answer = {{"in one request": (1, {TOGETHER} * {ORM_WAIT_MS / 1000:g}), "a request each": ({TOGETHER}, {ORM_WAIT_MS / 1000:g})}}
    """,
    praise="Awaiting ORM calls together inside one request does not make them concurrent: they take turns on the "
    "request's one thread and connection. Across requests, each has its own, which is what the next cell's "
    "pg_stat_activity shows.",
    data=True,
)
def predict_async_orm(answer: Any) -> str | None:
    shape = f"the answer should be a dict like {_ORM_EXAMPLE}: for each case, (connections active at once, seconds)"
    if not isinstance(answer, dict) or set(answer) != set(ORM_CASES):
        return shape + "."
    for case in ORM_CASES:
        pair = answer[case]
        if not isinstance(pair, (tuple, list)) or len(pair) != 2 or not _is_int(pair[0]) or not _is_number(pair[1]):
            return shape + f"; {case!r} should be a whole number and a number of seconds."
    truth = orm_model()
    (one_active, one_s), (each_active, each_s) = (answer[c] for c in ORM_CASES)
    wait = ORM_WAIT_MS / 1000
    if one_active == TOGETHER:
        return (
            "inside one request, asyncio.gather looks concurrent, but every aget() runs in the request's one thread "
            f"(sync_to_async is thread-sensitive), and that thread has one connection: how many of the {TOGETHER} "
            "queries can it run at once?"
        )
    if one_active != truth["in one request"][0]:
        return f"{one_active} connections active at once in one request: count the threads that request runs its queries in."
    if each_active != truth["a request each"][0]:
        return (
            f"with a request each, {each_active} connection(s) active at once: each request runs in a thread of its "
            "own, and Django gives each thread its own connection."
        )
    for case, said in (("in one request", one_s), ("a request each", each_s)):
        right = truth[case][1]
        if _close(said, right):
            continue
        if _close(said / 1000, right):
            return f"{said:g} for {case!r} looks like milliseconds: give seconds."
        if case == "in one request" and _close(said, wait):
            return f"{said:g} s is one query's wait, but one connection runs the {TOGETHER} queries one after another."
        if case == "a request each" and _close(said, TOGETHER * wait):
            return f"{said:g} s is {TOGETHER} waits in turn, but {each_active} connections run them side by side."
        return f"{said:g} s for {case!r} is not it: how many {ORM_WAIT_MS} ms waits run one after another?"
    return None
