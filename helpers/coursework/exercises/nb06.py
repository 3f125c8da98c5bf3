"""Exercises of 06_database: predict the pool's ceiling, size pools under max_connections, sell the last item safely."""

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


# 06.2: a deployment on one PostgreSQL server.
MAX_CONNECTIONS, RESERVED, WORKERS, OTHERS = 100, 3, 4, 5


def largest_pool() -> int:
    """Return the largest pool per worker that keeps every connection of 06.2's deployment within max_connections."""
    return (MAX_CONNECTIONS - RESERVED - OTHERS) // WORKERS


@exercise(
    "06.2",
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
    "06.3",
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
