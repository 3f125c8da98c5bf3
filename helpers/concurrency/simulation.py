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

MODES = ("wsgi", "async", "blocking", "threadpool")
MAX_REQUESTS = 10_000  # beyond this a notebook cell would take seconds, not milliseconds
MAX_SECONDS = 60.0
MAX_SLOTS = 1_000


@dataclass(frozen=True)
class Segment:
    """What one row (a thread, or the loop) was doing from `start` to `end`."""

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
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 100:
            raise ValueError(f"p must be a number in [0, 100], got {p!r}")
        lat = self.latencies
        if not lat:
            return 0.0
        rank = max(1, math.ceil(p / 100 * len(lat)))
        return lat[rank - 1]

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


def _check_number(name: str, value: object, low: float, high: float, *, integer: bool = False) -> None:
    kind = "an int" if integer else "a number"
    ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type or not (low <= value <= high):  # type: ignore[operator]
        raise ValueError(f"{name} must be {kind} in [{low:g}, {high:g}], got {value!r}")


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
    _check_number("n", n, 0, MAX_REQUESTS, integer=True)
    _check_number("io", io, 0, MAX_SECONDS)
    _check_number("cpu", cpu, 0, MAX_SECONDS)
    _check_number("overhead", overhead, 0, MAX_SECONDS)
    _check_number("interval", interval, 0, MAX_SECONDS)
    _check_number("workers", workers, 1, MAX_SLOTS, integer=True)
    _check_number("threads", threads, 1, MAX_SLOTS, integer=True)
    _check_number("pool", pool, 1, MAX_SLOTS, integer=True)
    if workers * threads > MAX_SLOTS:
        raise ValueError(f"workers * threads must be at most {MAX_SLOTS}, got {workers * threads}")

    work = cpu + overhead
    if mode == "wsgi":
        groups = [threads] * workers  # one GIL per worker process
        rows = [f"worker {w + 1} thread {t + 1}" if threads > 1 else f"worker {w + 1}"
                for w in range(workers) for t in range(threads)]
        label = label or f"WSGI {workers} worker{'s' * (workers > 1)} x {threads} thread{'s' * (threads > 1)}"
    elif mode == "threadpool":
        groups = [pool]
        rows = [f"thread {k + 1}" for k in range(pool)]
        label = label or f"event loop + {pool}-thread pool (plain def)"
    elif mode == "blocking":
        groups = [1]
        rows = ["event loop"]
        label = label or "event loop, blocking call in async def"
    else:
        groups = [max(n, 1)]  # an awaiting handler holds nothing while it waits
        rows = ["event loop"]
        label = label or "event loop, handler awaits its I/O"
    # A blocking handler holds the loop during its I/O: model that as CPU-like work.
    hold, wait = (work + io, 0.0) if mode == "blocking" else (work, io)

    result = SimResult(mode, label, n, io, cpu, rows)
    first_row = [sum(groups[:g]) for g in range(len(groups))]
    free_rows = [deque(range(first_row[g], first_row[g] + size)) for g, size in enumerate(groups)]
    gil_busy = [False] * len(groups)
    gil_queue: list[deque] = [deque() for _ in groups]
    pending: deque = deque()
    heap: list = []
    seq = 0
    arrival = [i * interval for i in range(n)]
    start = [0.0] * n
    row_of = [0] * n
    group_of = [0] * n
    ready = [0.0] * n  # when a request began waiting (for a thread, then for the GIL)
    segs = result.segments
    shared_row = mode in ("async", "blocking")

    def push(t: float, kind: str, i: int) -> None:
        nonlocal seq
        heapq.heappush(heap, (t, seq, kind, i))
        seq += 1

    def run_gil(g: int, t: float) -> None:
        if gil_busy[g] or not gil_queue[g]:
            return
        i = gil_queue[g].popleft()
        if t > ready[i]:
            segs.append(Segment(row_of[i], ready[i], t, "queued", i))
        gil_busy[g] = True
        if work > 0:
            segs.append(Segment(row_of[i], t, t + work, "running", i))
        if hold > work:  # blocking mode: the I/O wait happens while holding the loop
            segs.append(Segment(row_of[i], t + work, t + hold, "blocked", i))
        push(t + hold, "cpu_done", i)

    def dispatch(t: float) -> None:
        while pending:
            # The process with the most idle threads takes the request (lowest index on ties).
            g = max(range(len(groups)), key=lambda k: (len(free_rows[k]), -k))
            if not free_rows[g]:
                return
            i = pending.popleft()
            row_of[i] = 0 if shared_row else free_rows[g].popleft()
            if shared_row:
                free_rows[g].popleft()  # only counts: every request is drawn on the loop's row
            group_of[i], start[i] = g, t
            if t > arrival[i]:
                segs.append(Segment(row_of[i], arrival[i], t, "queued", i))
            ready[i] = t
            gil_queue[g].append(i)
            run_gil(g, t)

    for i in range(n):
        push(arrival[i], "arrive", i)
    while heap:
        t, _, kind, i = heapq.heappop(heap)
        g = group_of[i]
        if kind == "arrive":
            pending.append(i)
            dispatch(t)
        elif kind == "cpu_done":
            gil_busy[g] = False
            if wait > 0:
                segs.append(Segment(row_of[i], t, t + wait, "waiting", i))
            push(t + wait, "done", i)
            run_gil(g, t)
        else:
            result.requests.append(RequestTimes(i, arrival[i], start[i], t))
            free_rows[g].append(row_of[i] if not shared_row else 0)
            dispatch(t)
    result.requests.sort(key=lambda r: r.index)
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
