"""Exercises of 06_database: the pool's ceiling, the load table and FastAPI def's starved pool, pool sizing, the last
item sold in one statement, and Django's async ORM seen from pg_stat_activity."""

from __future__ import annotations

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


# 06.2: the notebook's own load table. The answer carries the table's rows (db_load.rows(runs)), so the reading is
# judged against what the kernel that ran the answer measured; why FastAPI def fails, and its fix, hold on any
# machine. Figures that move from run to run are judged with the notebook's own tolerance (a few percent is a tie),
# so a reading of one run also fits another run of the same notebook, as the grader's is.
TIE = 0.15  # p99s within 15 % of the lowest, and counts within 15 % of the measured ones, count as read right
STARVATION = {
    "a": "the pool of 10 connections is too small for 100 concurrent requests",
    "b": "a def endpoint blocks uvicorn's event loop while PostgreSQL works",
    "c": "all of AnyIO's 40 threads hold requests that wait for a connection, while the sessions that hold the "
    "connections need a thread to run their cleanup and give them back",
    "d": "PostgreSQL refused the connections past its max_connections",
}
STARVED_BECAUSE = "c"
_NOT_WHY = {
    "a": "the other four set-ups had the same pool of 10 at 100 concurrent and answered every request: a small pool "
    "makes requests queue, not fail. What does FastAPI def do differently while a request waits?",
    "b": "FastAPI runs a def endpoint in AnyIO's thread pool, not on the event loop, so the loop stays free. What "
    "does each waiting request hold instead, and how many of those are there?",
    "d": "its connections held never passed 10, far below max_connections, and its server's log quotes "
    "SQLAlchemy's QueuePool timeout: the app's pool gave up waiting, PostgreSQL refused nothing.",
}
ANYIO_THREADS = 40
READING_KEYS = ("failed", "lowest p99", "most threads", "why", "limit", "measured")
_ROW_KEYS = {"set-up", "concurrent", "errors", "held", "threads", "ok", "p99 ms"}
_READING_EXAMPLE = (
    '{"failed": {"Flask": {"timeout"}}, "lowest p99": "Flask", "most threads": ("Flask", 12, 10), "why": "a", '
    '"limit": 5, "measured": measured}'
)


def _rows_problem(measured: Any) -> str | None:
    """Say why `measured` is not the rows db_load.rows(runs) returns, or None."""
    again = "'measured' should be the table's rows as the answer cell reads them, db_load.rows(runs), unchanged"
    if not isinstance(measured, (list, tuple)) or not measured:
        return again + "."
    for row in measured:
        if not isinstance(row, dict) or not _ROW_KEYS <= set(row) or not isinstance(row["errors"], dict):
            return again + ": each row is a dict with the table's columns."
        if not all(_is_int(row[k]) for k in ("concurrent", "held", "threads", "ok")) or not isinstance(
            row["set-up"], str
        ):
            return again + ": its concurrency, answers, connections held and threads are whole numbers."
        if not isinstance(row["p99 ms"], (int, float)) or isinstance(row["p99 ms"], bool):
            return again + ": its p99 is a number of ms."
    if not any(row["concurrent"] == 500 for row in measured):
        return again + ": it has no row at 500 concurrent."
    return None


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _kinds(value: Any) -> set[str] | None:
    if isinstance(value, (set, frozenset, list, tuple)) and all(isinstance(k, str) for k in value):
        return set(value)
    if isinstance(value, str):
        return {value}
    return None


def _failed_problem(said: Any, measured: list[dict]) -> str | None:
    names = {row["set-up"] for row in measured}
    truth: dict[str, set[str]] = {}
    for row in measured:
        if row["errors"]:
            truth.setdefault(row["set-up"], set()).update(row["errors"])
    if not isinstance(said, dict) or not all(isinstance(k, str) for k in said):
        return (
            "'failed' should be a dict from each set-up that failed requests to the kinds of its failures, "
            'like {"Flask": {"timeout"}} ({} when none failed).'
        )
    unknown = sorted(set(said) - names)
    if unknown:
        return f"{unknown[0]!r} is not a set-up of the table; its names are: {', '.join(sorted(names))}."
    answered = sorted(set(said) - set(truth))
    if answered:
        return f"{answered[0]} answered every request it was sent: its failed column says none at every concurrency."
    missing = sorted(set(truth) - set(said))
    if missing:
        return (
            f"{missing[0]}'s requests failed too: a row can show a fair req/s and still hide failures, so read the "
            "failed column of every row."
        )
    for name, kinds in truth.items():
        given = _kinds(said[name])
        if given is None:
            return f"give {name}'s failures as a set of their kinds, the words the failed column uses."
        if given != kinds:
            return (
                f"{name}'s failures by kind are not the ones you gave: read its failed column at each concurrency "
                "(an error status is an answer; a timeout is a request the client gave up waiting for)."
            )
    return None


def _p99_problem(said: Any, measured: list[dict]) -> str | None:
    at_500 = {row["set-up"]: row for row in measured if row["concurrent"] == 500}
    if not isinstance(said, str) or said not in at_500:
        return f"'lowest p99' should be the name of one set-up, from: {', '.join(at_500)}."
    if not at_500[said]["ok"]:
        return (
            f"at 500 concurrent, {said} answered no request: its p99 shows '-', there is no latency to compare. "
            "Which of the set-ups that answered kept its slowest requests fastest?"
        )
    lowest = min(row["p99 ms"] for row in at_500.values() if row["ok"])
    if at_500[said]["p99 ms"] > (1 + TIE) * lowest:
        return (
            f"another set-up that answered at 500 concurrent had a clearly lower p99 than {said}: compare the p99 "
            "column of the 500 rows (p50 is the median request, p99 the slowest 1 in 100)."
        )
    return None


def _threads_problem(said: Any, measured: list[dict]) -> str | None:
    shape = (
        "'most threads' should be a tuple (set-up, threads, connections held): the set-up that ran the most threads "
        "at 500 concurrent, its threads, and the connections PostgreSQL listed for it."
    )
    if not isinstance(said, (tuple, list)) or len(said) != 3:
        return shape
    name, threads, held = said
    if not isinstance(name, str) or not _is_int(threads) or not _is_int(held):
        return shape
    at_500 = {row["set-up"]: row for row in measured if row["concurrent"] == 500}
    if name not in at_500:
        return f"{name!r} has no row at 500 concurrent; the set-ups are: {', '.join(at_500)}."
    row = at_500[name]
    most = max(r["threads"] for r in at_500.values())
    if row["threads"] < most / (1 + TIE):
        return (
            f"another set-up ran more threads at 500 concurrent than {name}'s {row['threads']}: compare the threads "
            "column of every 500 row."
        )
    if abs(threads - row["threads"]) > TIE * row["threads"]:
        return f"{name} ran another number of threads at 500 concurrent: read the threads column of its 500 row."
    if abs(held - row["held"]) > max(1, TIE * row["held"]):  # a sample every 50 ms may see one fewer
        if held == row["concurrent"]:
            return (
                f"{held} is how many clients connected to the server; the connections held column counts the "
                "server's own connections to PostgreSQL (pg_stat_activity)."
            )
        if abs(held - row["threads"]) <= TIE * row["threads"]:
            return (
                "that is its threads again: the connections held column counts its connections to PostgreSQL, "
                "which pg_stat_activity listed, not its threads."
            )
        return f"{name}'s connections held at 500 concurrent are another number: read that column of its 500 row."
    return None


def _limit_problem(limit: Any) -> str | None:
    if not _is_int(limit):
        return f"'limit' should be a whole number, the N of Depends(get_session, max_concurrency=N), not {limit!r}."
    if limit == POOL_SIZE:
        return None
    if limit < 1:
        return "with no request allowed a session, nothing is answered."
    if limit < POOL_SIZE:
        return (
            f"with {limit} sessions at once, {POOL_SIZE - limit} of the pool's connections are never used, and the "
            f"ceiling falls to {limit} / {WAIT_MS / 1000:g} s. Is there a limit that wastes none?"
        )
    if limit >= ANYIO_THREADS:
        return (
            f"{limit} sessions at once is as many requests as AnyIO has threads, or more: they can all end up "
            "waiting for a connection again, with no thread left for a cleanup."
        )
    return (
        f"with {limit} sessions at once, {limit - POOL_SIZE} requests still hold a thread while they wait for one of "
        f"the pool's {POOL_SIZE} connections. Which limit lets no request wait for a connection in a thread?"
    )


@exercise(
    "06.2",
    "read the load table, and why FastAPI def failed",
    hint="Read the table row by row, not by req/s alone: the failed column names each failure's kind, p99 is the "
    "slowest 1 in 100 of the requests that were answered, and the last two columns are what the server really "
    "held, connections (from pg_stat_activity) and threads. For FastAPI def, follow one request: what does it hold "
    "while it waits, how many of those exist, and what must run before a session gives its connection back? The "
    "fix lets a request take a session only when a connection is free.",
    solution="""
        from helpers.concurrency import db_load

        measured = db_load.rows(runs)  # the load table's rows, as this kernel measured them
        # Failures by kind: the failed column of every row, at every concurrency, not only req/s.
        failed = {}
        for row in measured:
            if row["errors"]:
                failed.setdefault(row["set-up"], set()).update(row["errors"])
        # At 500 concurrent: the lowest p99 among the set-ups that answered at all ("-" is no answer, not fast),
        # and what each server held: its threads, and its connections that pg_stat_activity listed.
        at_500 = [row for row in measured if row["concurrent"] == 500]
        fastest = min((row for row in at_500 if row["ok"]), key=lambda row: row["p99 ms"])
        top = max(at_500, key=lambda row: row["threads"])
        # FastAPI def: each waiting request holds one of AnyIO's 40 threads, and a session gives its connection
        # back in the dependency's cleanup, which needs a thread too: with all 40 waiting, none comes back.
        # The fix lets only as many requests hold a session as the pool has connections (10); the rest wait on
        # the event loop, holding no thread.
        answer = {
            "failed": failed,
            "lowest p99": fastest["set-up"],
            "most threads": (top["set-up"], top["threads"], top["held"]),
            "why": "c",
            "limit": 10,
            "measured": measured,
        }
    """,
    praise="A load table is read row by row: failures by kind beside the throughput, the tail (p99) of what was "
    "answered, and the threads and connections a server really held. FastAPI def starved because waiting requests "
    "took every thread its sessions needed to give their connections back; the next section measures the fix.",
    data=True,
)
def read_load_table(answer: Any) -> str | None:
    if not isinstance(answer, dict):
        return f"the answer should be a dict like {_READING_EXAMPLE}, not a {type(answer).__name__}."
    if "measured" not in answer:
        return (
            'add "measured": measured, the rows the answer cell reads, so your reading is judged against what '
            "this kernel measured."
        )
    if set(answer) != set(READING_KEYS):
        return f"the answer should have exactly the keys {', '.join(map(repr, READING_KEYS))}, like {_READING_EXAMPLE}."
    measured = answer["measured"]
    problem = _rows_problem(measured)
    if problem:
        return problem
    problem = (
        _failed_problem(answer["failed"], measured)
        or _p99_problem(answer["lowest p99"], measured)
        or _threads_problem(answer["most threads"], measured)
    )
    if problem:
        return problem
    why = answer["why"]
    if not isinstance(why, str) or why.strip().lower() not in STARVATION:
        return f"'why' should be one letter of the explanations printed above: {', '.join(STARVATION)}."
    why = why.strip().lower()
    if why != STARVED_BECAUSE:
        return f"({why}) is not it: {_NOT_WHY[why]}"
    return _limit_problem(answer["limit"])


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


def _sell_table(answer: Any) -> tuple[list[int], list[int], list[int], list[int]] | str:
    """Run `answer(item_id)`'s statement on a fresh SQLite shop; return rows changed per sale and the stocks after each."""
    from sqlalchemy import create_engine, insert, select
    from sqlalchemy.sql.dml import Update

    from helpers.apps.stock_sqlalchemy import Base, Item

    engine = create_engine("sqlite://")
    try:
        Base.metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                insert(Item),
                [
                    {"id": 1, "name": "last one", "price_cents": 100, "stock": 1},
                    {"id": 2, "name": "five", "price_cents": 100, "stock": 5},
                ],
            )
        changed = []
        stocks = []
        for item_id in (1, 1, 2):  # the last item twice (the second buyer must get nothing), then another item
            try:
                stmt = answer(item_id)
            except TypeError as exc:
                return f"sell(item_id) should take one argument, the item's id; calling sell({item_id}) raised: {exc}"
            if not isinstance(stmt, Update):
                kind = type(stmt).__name__
                return (
                    f"sell({item_id}) returned a {kind}, not an UPDATE statement: "
                    + ("a SELECT only reads, and deciding on what you read is the race. " if kind == "Select" else "")
                    + "Return one update(Item) statement that decides and writes at once."
                )
            with engine.begin() as conn:
                changed.append(conn.execute(stmt).rowcount)
                stocks.append([conn.execute(select(Item.stock).where(Item.id == i)).scalar_one() for i in (1, 2)])
        return changed, stocks[0], stocks[1], stocks[2]
    finally:
        engine.dispose()


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
)
def sell_atomically(answer: Any) -> str | None:
    if not callable(answer):
        return f"the answer should be a function sell(item_id) that returns an UPDATE statement, not a {type(answer).__name__}."
    outcome = _sell_table(answer)
    if isinstance(outcome, str):
        return outcome
    changed, after_one_sale, after_two_sales, after_other = outcome
    if changed[0] > 1:
        return (
            f"selling item 1 changed {changed[0]} rows: every item that had stock lost one. "
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
            f"selling item 1 changed item 2's stock too (5 became {after_two_sales[1]}): match the item's id as well."
        )
    if after_other[1] != 4:
        return (
            f"selling one of item 2 left its stock at {after_other[1]}, not 4: take one off the stock "
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
