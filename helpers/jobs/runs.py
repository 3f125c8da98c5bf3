"""What the jobs notebook measures, each run returned as data: response times, jobs lost, kept and retried.

    response_times("fastapi-rq")                  # the job in the request, then after the response
    kill_mid_job("fastapi-background")            # SIGKILL the web process mid-job: its jobs are lost
    kill_mid_job("flask-rq", worker_down=True)    # jobs wait in Redis, the web dies, a worker starts: all sent
    kill_mid_job("django-tasks", kill="worker")   # the job worker dies mid-job: the rest are sent after a restart
    retry_after_failure("fastapi-rq")             # the mail server fails once: RQ tries again
    each(response_times, WAYS, requests=3)        # one measurement for every way at once, in the ways' order

Each run starts its own processes (and its own Redis where the way needs one, unless given one) and stops
them all before it returns, whatever happens. Times are measured, so they vary on a busy machine; counts
of jobs sent and lost do not. A run mostly waits (a 2 s job is a sleep), so `each` runs the ways side by
side, in threads, each under names of its own: its processes, Redis, folder and ports are its alone.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import math
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

import httpx

from helpers.apps.receipts import SECONDS
from helpers.jobs.shop import WAYS, Shop
from helpers.numbers import require_number

KILL_AFTER = 0.5  # seconds after the last answer: the first job is mid-way through its 2 s
MARGIN = 2.0  # seconds beyond the jobs' own time before a run stops waiting for receipts
READY_WAIT = 120.0  # seconds each() waits for every run to pass its checks before any starts a process


@contextlib.contextmanager
def running(way: str, redis: Any = None, name: str | None = None) -> Iterator[Shop]:
    """Yield a Shop for `way` (not started), with a Redis of its own if it needs one and none is given; stop all after.

    Inside each(), the shop and its Redis take the run's own name (unless `name` is given), so runs side by
    side never replace each other's processes, and each() can stop them all if the cell is interrupted.
    """
    if way not in WAYS:
        raise ValueError(f"way must be one of {sorted(WAYS)}, got {way!r}")
    run = _current_run.get()
    if run is not None:
        run.ready()  # every run has passed its checks: only now does any start a process
        name = name or run.name
    own = None
    shop = None
    try:
        if WAYS[way].worker == "rq" and redis is None:
            from helpers.services.redis import start_redis

            redis = own = start_redis(f"jobs-{name or way}")
            if run is not None:
                run.adopt(own)
        shop = Shop(way, redis=redis, name=name)
        if run is not None:
            run.adopt(shop)
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
        run.stuck = _still_running(shop, orders - len(set(run.sent)), MARGIN)
        run.seconds = time.perf_counter() - t0
    return run


def _still_running(shop: Shop, unsent: int, timeout: float) -> int:
    """Return the jobs marked as running once those whose receipt is out are marked done (or `timeout` s passed)."""
    # A worker marks a job done a moment after its receipt is written; on a busy machine (or with each()'s runs
    # side by side) that moment can come after the last receipt was seen. Only a job nothing will finish is stuck.
    end = time.monotonic() + timeout
    while (count := shop.running_jobs()) > unsent and time.monotonic() < end:
        time.sleep(0.05)
    return count


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


# -- every way at once ---------------------------------------------------------------------------------

T = TypeVar("T")
_numbers = itertools.count(1)  # each run's names end in a number of its own: "fastapi-rq-7-web", "jobs-fastapi-rq-7"


class _Run:
    """One run of a measurement inside each(): its name, what it started (to stop on interruption), its group."""

    def __init__(self, name: str, group: _Group) -> None:
        self.name = name
        self.group = group
        self.arrived = False
        self.owned: list[Any] = []  # its Shop and its Redis: anything with stop()
        self.done = threading.Event()  # set once the run has returned or raised, its processes stopped

    def ready(self) -> None:
        """Wait until every run of the group has passed its checks (a bad argument stops them all first)."""
        if not self.arrived:
            self.arrived = True
            self.group.barrier.wait(READY_WAIT)
        if self.group.cancelled.is_set():
            raise RuntimeError("stopped: another run of each() failed or the cell was interrupted")

    def adopt(self, item: Any) -> None:
        with self.group.lock:
            self.owned.append(item)
        if self.group.cancelled.is_set():  # stopped between the check and now: stop this too
            item.stop()


class _Group:
    """The runs of one each() call: a start line they all reach before any starts a process, and a stop for all."""

    def __init__(self, count: int) -> None:
        self.barrier = threading.Barrier(count)
        self.cancelled = threading.Event()
        self.lock = threading.Lock()
        self.runs: list[_Run] = []
        self.first_error: int | None = None  # the index of the run that failed first: the cause

    def fail(self, index: int) -> None:
        """Record run `index` as failed; the first failure stops every other run."""
        with self.lock:
            if self.first_error is None and not self.cancelled.is_set():
                self.first_error = index
        self.cancel()

    def cancel(self) -> None:
        """Stop every run: none passes the start line, and every process started so far is stopped."""
        self.cancelled.set()
        self.barrier.abort()
        with self.lock:
            owned = [item for run in self.runs for item in run.owned]
        for item in owned:  # each stop() is idempotent: the run's own clean-up calls it again
            with contextlib.suppress(Exception):
                item.stop()


def each(measure: Callable[..., T], ways: Iterable[str], /, **kwargs: Any) -> list[T]:
    """Return [measure(way, **kwargs) for way in ways], the runs side by side, each in a thread of its own.

    `measure` is one of this module's measurements (or any function that runs its shop with `running()`).
    Every run starts its own processes, Redis and folder under names of its own, and stops them before it
    returns. Bad arguments stop every run before any starts a process; a run that fails stops the others
    and its exception is raised; an interrupted cell stops them all. Counts come out as when run one by one.
    """
    if not callable(measure):
        raise ValueError(f"measure must be a function such as runs.response_times, got {measure!r}")
    if isinstance(ways, str) or not isinstance(ways, Iterable):
        raise ValueError(f"ways must be a list of way names (e.g. runs.WAYS), got {ways!r}")
    ways = list(ways)
    unknown = [way for way in ways if not isinstance(way, str) or way not in WAYS]
    if unknown or not ways:
        raise ValueError(f"ways must name one or more of {sorted(WAYS)}, got {ways!r}")
    if kwargs.get("redis") is not None:
        raise ValueError("each() starts a Redis for every run: one Redis shared by runs at once would mix their jobs")
    group = _Group(len(ways))
    results: list[Any] = [None] * len(ways)
    errors: list[BaseException | None] = [None] * len(ways)

    def work(index: int, run: _Run) -> None:
        _current_run.set(run)
        try:
            results[index] = measure(ways[index], **kwargs)
            run.ready()  # a measurement that never reached running() still waits at the start line
        except BaseException as exc:  # handed to the caller's thread, raised there
            errors[index] = exc
            group.fail(index)
        finally:
            run.done.set()  # its processes, Redis and folder are gone

    threads = []
    for index, way in enumerate(ways):
        run = _Run(f"{way}-{next(_numbers)}", group)
        group.runs.append(run)
        # A fresh context per thread: the run is this thread's alone.
        threads.append(
            threading.Thread(target=contextvars.Context().run, args=(work, index, run), name=f"jobs-{run.name}")
        )
    try:
        for thread in threads:
            thread.start()
        # Not Thread.join(): on Python 3.11 a Ctrl-C inside join() can mark a thread as ended while it still
        # runs (bpo-45274's handling), and a second join() would not wait for its clean-up.
        for run in group.runs:
            run.done.wait()
    except BaseException:  # KeyboardInterrupt above all: nothing may outlive the cell
        _stop_and_wait(group, threads)
        raise
    for thread in threads:
        thread.join()  # each has cleaned up: only its last line is left to run
    if group.first_error is not None or any(errors):
        index = group.first_error if group.first_error is not None else next(i for i, e in enumerate(errors) if e)
        error = errors[index]
        error.add_note(f"runs.each: the {ways[index]!r} run failed, so every run was stopped.")
        raise error
    return results


def _stop_and_wait(group: _Group, threads: list[threading.Thread]) -> None:
    """Stop every run and wait until each started one has cleaned up, through further interruptions too."""
    while True:
        group.cancel()
        try:
            for run, thread in zip(group.runs, threads):
                if thread.ident is not None:  # started: it will set done
                    run.done.wait()
            for thread in threads:
                if thread.ident is not None:
                    thread.join()
            return
        except KeyboardInterrupt:
            continue


_current_run: contextvars.ContextVar[_Run | None] = contextvars.ContextVar("jobs_run", default=None)
