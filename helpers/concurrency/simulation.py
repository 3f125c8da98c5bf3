"""Simulate N requests against a WSGI server or an event loop: a pure discrete-event model.

Every request does its CPU work first (holding its process's GIL, or the event loop),
then waits on I/O. What differs between servers is what a waiting request holds:
- "wsgi": W worker processes x T threads; a request holds one thread for its whole life,
  and CPU work is serialised within each process (the GIL), never across processes.
- "async": one event loop; the handler `await`s its I/O, so the loop serves others meanwhile.
- "blocking": one event loop whose handler makes a blocking call inside `async def`:
  the I/O wait holds the loop, so everything is serialised.
- "threadpool": one event loop running plain `def` handlers in K threads (FastAPI: 40).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

from helpers.numbers import percentile, require_number

MODES = ("wsgi", "async", "blocking", "threadpool")
MAX_REQUESTS = 10_000  # beyond this a notebook cell would take seconds, not milliseconds
MAX_SECONDS = 60.0
MAX_SLOTS = 1_000


class Segment(NamedTuple):
    """What one row (a thread, or the loop) was doing from `start` to `end`."""

    # A NamedTuple, not a frozen dataclass: a run of 200 requests makes hundreds, and the
    # widget re-runs it on every slider move (a frozen dataclass is several times slower to build).

    row: int
    start: float
    end: float
    # "running" (CPU), "waiting" (on I/O), "blocked" (waiting on I/O while holding the
    # event loop), "queued" (waiting for a thread, the GIL or the loop)
    kind: str
    request: int


@dataclass(frozen=True)
class RequestTimes:
    """One request's arrival, the moment a thread/the loop took it, and its finish."""

    index: int
    arrival: float
    start: float
    finish: float

    @property
    def latency(self) -> float:
        """Return the time from arrival to finish, in seconds."""
        return self.finish - self.arrival


@dataclass
class SimResult:
    """The outcome of one simulation: per-request times, per-row segments, summary figures."""

    mode: str
    label: str
    n: int
    io: float
    cpu: float
    rows: list[str]
    slots: int = 1  # how many requests the server can hold at once (threads, pool, or n for the loop)
    requests: list[RequestTimes] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)

    @property
    def makespan(self) -> float:
        """Return the time from the first arrival to the last finish, in seconds (0 without requests)."""
        if not self.requests:
            return 0.0
        return max(r.finish for r in self.requests) - min(r.arrival for r in self.requests)

    @property
    def latencies(self) -> list[float]:
        """Return every request's latency in seconds, sorted."""
        return sorted(r.latency for r in self.requests)

    def percentile(self, p: float) -> float:
        """Return the p-th percentile latency in seconds (nearest rank; 0 without requests)."""
        return percentile(self.latencies, p)

    @property
    def throughput(self) -> float:
        """Return requests finished per second over the makespan."""
        return self.n / self.makespan if self.makespan > 0 else 0.0

    def max_queued(self) -> int:
        """Return the most requests that waited at once for a thread or the GIL."""
        events = []
        for s in self.segments:
            if s.kind == "queued":
                events += [(s.start, 1), (s.end, -1)]
        depth = best = 0
        for _, d in sorted(events, key=lambda e: (e[0], e[1])):
            depth += d
            best = max(best, depth)
        return best

    def states_at(self, t: float) -> dict[str, int]:
        """Return how many requests are queued, running, waiting, blocked and done at time `t` (s)."""
        require_number("t", t, 0, unit="a time in seconds")
        counts = dict.fromkeys(STATES, 0)
        for s in self.segments:
            if s.start <= t < s.end:
                counts[s.kind] += 1
        counts["done"] = sum(r.finish <= t for r in self.requests)
        return counts


STATES = ("queued", "running", "waiting", "blocked", "done")


@dataclass
class _Request:
    """What the event loop of the model knows about one request while it runs."""

    index: int
    arrival: float
    start: float = 0.0  # when a thread (or the loop) took it
    row: int = 0  # the row it is drawn on
    group: int = 0  # the process (GIL) that serves it
    ready: float = 0.0  # when it began waiting for the GIL or the loop


@dataclass
class _Server:
    """The shape of a server in the model: rows to draw, and threads per process (one GIL each)."""

    groups: list[int]
    rows: list[str]
    label: str
    slots: int


def _server(mode: str, n: int, workers: int, threads: int, pool: int) -> _Server:
    """Return the processes, rows and label of `mode`'s server."""
    if mode == "wsgi":
        rows = [
            f"worker {w + 1} thread {t + 1}" if threads > 1 else f"worker {w + 1}"
            for w in range(workers)
            for t in range(threads)
        ]
        label = f"WSGI {workers} worker{'s' * (workers > 1)} x {threads} thread{'s' * (threads > 1)}"
        return _Server([threads] * workers, rows, label, workers * threads)  # one GIL per worker process
    if mode == "threadpool":
        return _Server(
            [pool], [f"thread {k + 1}" for k in range(pool)], f"event loop + {pool}-thread pool (plain def)", pool
        )
    if mode == "blocking":
        return _Server([1], ["event loop"], "event loop, blocking call in async def", 1)
    # An awaiting handler holds nothing while it waits: the loop takes every request at once.
    return _Server([max(n, 1)], ["event loop"], "event loop, handler awaits its I/O", max(n, 1))


class _Run:
    """One discrete-event run: requests take a free thread, then their process's GIL, then wait on I/O."""

    def __init__(
        self, server: _Server, result: SimResult, interval: float, work: float, io: float, blocking: bool
    ) -> None:
        self.result = result
        self.work = work
        # A blocking handler holds the loop during its I/O: model that as CPU-like work.
        self.hold, self.wait = (work + io, 0.0) if blocking else (work, io)
        self.shared_row = result.mode in ("async", "blocking")  # every request is drawn on the loop's row
        first = [sum(server.groups[:g]) for g in range(len(server.groups))]
        self.free = [deque(range(first[g], first[g] + size)) for g, size in enumerate(server.groups)]
        self.gil_busy = [False] * len(server.groups)
        self.gil_queue: list[deque[_Request]] = [deque() for _ in server.groups]
        self.pending: deque[_Request] = deque()
        self.heap: list = []
        self.seq = 0
        for i in range(result.n):
            self.push(i * interval, "arrive", _Request(i, i * interval))

    def push(self, t: float, event: str, req: _Request) -> None:
        heapq.heappush(self.heap, (t, self.seq, event, req))
        self.seq += 1  # breaks ties in arrival order, never by comparing requests

    def segment(self, req: _Request, start: float, end: float, kind: str) -> None:
        self.result.segments.append(Segment(req.row, start, end, kind, req.index))

    def run(self) -> None:
        while self.heap:
            t, _, event, req = heapq.heappop(self.heap)
            if event == "arrive":
                self.pending.append(req)
                self.dispatch(t)
            elif event == "cpu_done":
                self.gil_busy[req.group] = False
                if self.wait > 0:
                    self.segment(req, t, t + self.wait, "waiting")
                self.push(t + self.wait, "done", req)
                self.run_gil(req.group, t)
            else:
                self.result.requests.append(RequestTimes(req.index, req.arrival, req.start, t))
                self.free[req.group].append(req.row)
                self.dispatch(t)
        self.result.requests.sort(key=lambda r: r.index)

    def dispatch(self, t: float) -> None:
        """Hand waiting requests to free threads (the process with the most idle threads first)."""
        while self.pending:
            g = max(range(len(self.free)), key=lambda k: (len(self.free[k]), -k))
            if not self.free[g]:
                return
            req = self.pending.popleft()
            row = self.free[g].popleft()
            req.row, req.group, req.start, req.ready = (0 if self.shared_row else row), g, t, t
            if t > req.arrival:
                self.segment(req, req.arrival, t, "queued")
            self.gil_queue[g].append(req)
            self.run_gil(g, t)

    def run_gil(self, g: int, t: float) -> None:
        """Give process `g`'s GIL (or the loop) to the next request that wants it."""
        if self.gil_busy[g] or not self.gil_queue[g]:
            return
        req = self.gil_queue[g].popleft()
        if t > req.ready:
            self.segment(req, req.ready, t, "queued")
        self.gil_busy[g] = True
        if self.work > 0:
            self.segment(req, t, t + self.work, "running")
        if self.hold > self.work:  # blocking mode: the I/O wait happens while holding the loop
            self.segment(req, t + self.work, t + self.hold, "blocked")
        self.push(t + self.hold, "cpu_done", req)


def simulate(
    mode: str = "async",
    n: int = 20,
    io: float = 0.1,
    cpu: float = 0.0,
    *,
    workers: int = 1,
    threads: int = 1,
    pool: int = 40,
    interval: float = 0.0,
    overhead: float = 0.0,
    label: str | None = None,
) -> SimResult:
    """Simulate `n` requests (I/O wait `io` s, CPU `cpu` s, arriving every `interval` s) on a server.

    `overhead` is CPU time per request the framework and the client add (calibrated by
    measuring); it is serialised like `cpu`. `workers` x `threads` apply to mode "wsgi",
    `pool` to mode "threadpool".
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    require_number("n", n, 0, MAX_REQUESTS, integer=True)
    for name, value in (("io", io), ("cpu", cpu), ("overhead", overhead), ("interval", interval)):
        require_number(name, value, 0, MAX_SECONDS)
    for name, value in (("workers", workers), ("threads", threads), ("pool", pool)):
        require_number(name, value, 1, MAX_SLOTS, integer=True)
    if workers * threads > MAX_SLOTS:
        raise ValueError(f"workers * threads must be at most {MAX_SLOTS}, got {workers * threads}")

    server = _server(mode, n, workers, threads, pool)
    result = SimResult(mode, label or server.label, n, io, cpu, server.rows, server.slots)
    _Run(server, result, interval, cpu + overhead, io, blocking=mode == "blocking").run()
    return result


def closed_form(mode: str, n: int, io: float, cpu: float = 0.0, *, threads: int = 1, pool: int = 40) -> float:
    """Return the textbook makespan for `n` simultaneous requests (one WSGI worker for "wsgi")."""
    if n == 0:
        return 0.0
    if mode == "wsgi":
        # One process: CPU never overlaps; I/O overlaps in batches of `threads`.
        return n * cpu + math.ceil(n / threads) * io if cpu == 0 or threads == 1 else float("nan")
    if mode == "blocking":
        return n * (io + cpu)
    if mode == "async":
        return n * cpu + io
    if mode == "threadpool":
        return math.ceil(n / pool) * io if cpu == 0 else float("nan")
    raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
