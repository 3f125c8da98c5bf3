"""What the jobs notebook measures, each run returned as data: response times, jobs lost, kept and retried.

    response_times("fastapi-rq")                  # the job in the request, then after the response
    kill_mid_job("fastapi-background")            # SIGKILL the web process mid-job: its jobs are lost
    kill_mid_job("flask-rq", worker_down=True)    # jobs wait in Redis, the web dies, a worker starts: all sent
    kill_mid_job("django-tasks", kill="worker")   # the job worker dies mid-job: the rest are sent after a restart
    retry_after_failure("fastapi-rq")             # the mail server fails once: RQ tries again

Each run starts its own processes (and its own Redis where the way needs one, unless given one) and stops
them all before it returns, whatever happens. Times are measured, so they vary on a busy machine; counts
of jobs sent and lost do not.
"""

from __future__ import annotations

import contextlib
import math
import statistics
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from helpers.apps.receipts import SECONDS
from helpers.jobs.shop import WAYS, Shop
from helpers.numbers import require_number

KILL_AFTER = 0.5  # seconds after the last answer: the first job is mid-way through its 2 s
MARGIN = 2.0  # seconds beyond the jobs' own time before a run stops waiting for receipts


@contextlib.contextmanager
def running(way: str, redis: Any = None, name: str | None = None) -> Iterator[Shop]:
    """Yield a Shop for `way` (not started), with a Redis of its own if it needs one and none is given; stop all after."""
    if way not in WAYS:
        raise ValueError(f"way must be one of {sorted(WAYS)}, got {way!r}")
    own = None
    if WAYS[way].worker == "rq" and redis is None:
        from helpers.services.redis import start_redis

        redis = own = start_redis(f"jobs-{way}")
    shop = None
    try:
        shop = Shop(way, redis=redis, name=name)
        yield shop
    finally:
        if shop is not None:
            shop.stop()
        if own is not None:
            own.stop()


# -- response times ------------------------------------------------------------------------------


@dataclass
class ResponseTimes:
    """Seconds per request with the receipt sent inside the request (`inline`) and after it (`after`)."""

    way: str
    inline: list[float]
    after: list[float]
    pending_at_answer: int  # of the `after` orders, how many had no receipt yet when their answer arrived

    @property
    def inline_median(self) -> float:
        return statistics.median(self.inline)

    @property
    def after_median(self) -> float:
        return statistics.median(self.after)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "inline_median": self.inline_median, "after_median": self.after_median}


def response_times(way: str, requests: int = 3, *, redis: Any = None) -> ResponseTimes:
    """Time `requests` orders one after another with the job in the request, then as many with it after."""
    require_number("requests", requests, 1, 50, integer=True)
    with running(way, redis) as shop:
        shop.start()
        shop.order(0)  # a first request warms the server up: imports, connections
        inline = [shop.order(i, inline=True) for i in range(1, requests + 1)]
        after, pending = [], 0
        for i in range(requests + 1, 2 * requests + 1):
            after.append(shop.order(i))
            pending += i not in shop.sent()
    return ResponseTimes(way, inline, after, pending)


# -- a process killed mid-job ------------------------------------------------------------------------


@dataclass
class KillRun:
    """What happened to `orders` receipts when a process was SIGKILLed mid-job, then restarted."""

    way: str
    killed: str  # "web" or "worker"
    orders: int
    worker_down: bool  # the job worker was not running while the orders came in
    answered: int  # orders answered (202) before the kill
    sent_at_kill: int  # receipts sent before the kill
    waiting_at_kill: int  # jobs waiting in the queue (Redis list, READY rows) right after the kill
    running_at_kill: int  # jobs marked as running right after the kill
    sent: list[int] = field(default_factory=list)  # receipts sent by the end, after the restart
    # Jobs a dead worker left marked as running: neither sent nor waiting. RQ puts such a job back on the
    # queue, if it has retries left, at the first registry clean-up after its heartbeat lapsed (90 s with
    # job_timeout=60; a worker cleans up when it starts, then every 10 minutes): a worker started 95 s after
    # the kill sent it, on its second attempt (2026-12, rq 3.0.0). django-tasks-db leaves the row RUNNING.
    stuck: int = 0
    seconds: float = math.nan  # from the first order to the end of the wait

    @property
    def lost(self) -> int:
        """Return the orders whose receipt was not sent by the end of the run."""
        return self.orders - len(set(self.sent))

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "lost": self.lost}


def kill_mid_job(
    way: str, *, kill: str = "web", orders: int = 3, worker_down: bool = False, redis: Any = None
) -> KillRun:
    """Place `orders` orders, SIGKILL the web process (or the job worker) mid-job, restart it, count the receipts.

    worker_down=True keeps the job worker stopped until after the kill, so every job is seen waiting;
    it is then started, as after a deploy or a crash. The run waits until every receipt is sent, or for
    the jobs' own time plus a margin: a receipt not sent by then is counted lost.
    """
    if kill not in ("web", "worker"):
        raise ValueError(f"kill must be 'web' or 'worker', got {kill!r}")
    require_number("orders", orders, 1, 20, integer=True)
    if not isinstance(worker_down, bool):
        raise ValueError(f"worker_down must be True or False, got {worker_down!r}")
    if (kill == "worker" or worker_down) and not WAYS.get(way, WAYS["fastapi-rq"]).queue:
        raise ValueError(f"{WAYS[way].title} has no job worker: its jobs run in the web process (kill='web' only)")
    with running(way, redis) as shop:
        if shop.way.worker and not worker_down:
            shop.start_worker()
        shop.start_web()
        t0 = time.perf_counter()
        answered = sum(_answered(shop, i) for i in range(1, orders + 1))
        if kill == "worker":
            shop.wait_running(shop.deadline)  # kill it while it holds a job, even on a slow machine
        time.sleep(KILL_AFTER)
        shop.kill_web() if kill == "web" else shop.kill_worker()
        run = KillRun(way, kill, orders, worker_down, answered, len(shop.sent()), shop.waiting(), shop.running_jobs())
        if kill == "web":
            shop.start_web()  # back up, as a process manager would restart it
        if shop.way.worker and (kill == "worker" or worker_down):
            shop.start_worker()
        # One worker runs one job at a time; jobs in the web process all run at once.
        wait = (orders if shop.way.queue else 1) * float(SECONDS) + MARGIN
        run.sent = shop.wait_for(orders, wait)
        if len(run.sent) < orders and not shop.way.queue:
            time.sleep(0.2)  # nothing else can send them: the process that held them is gone
        run.stuck = shop.running_jobs()
        run.seconds = time.perf_counter() - t0
    return run


def _answered(shop: Shop, order_id: int) -> bool:
    try:
        shop.order(order_id)
    except httpx.HTTPError:
        return False
    return True


# -- a failing job -------------------------------------------------------------------------------------


@dataclass
class RetryRun:
    """One order whose receipt failed `fails` times: how often its job started, and whether it was sent."""

    way: str
    fails: int
    retries: int  # what the way's machinery allows
    attempts: int
    sent: bool


def retry_after_failure(way: str, fails: int = 1, *, redis: Any = None) -> RetryRun:
    """Place one order whose mail server fails the first `fails` times; wait for its receipt or give up."""
    require_number("fails", fails, 0, 5, integer=True)
    with running(way, redis) as shop:
        shop.start()
        shop.order(1, fail=fails)
        sent = shop.wait_for(1, float(SECONDS) + MARGIN)
        return RetryRun(way, fails, shop.way.retries, shop.attempts().get(1, 0), 1 in sent)
