"""Hold N mostly idle connections against a server process; read its memory, threads and a probe's latency.

Each step adds connections whose request waits `wait_s` seconds on the server (a long poll),
then reads the server's resident memory and thread count over its whole process tree, and times
one small extra request (the probe) sent while they all wait.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass

from helpers.concurrency.loadgen import LoadRun, start_load
from helpers.numbers import require_number
from helpers.serving.processes import ServerProcess

MAX_WAITING = 5000


@dataclass
class WaitingPoint:
    """The server's state with `waiting` connections held open."""

    waiting: int
    rss_mib: float
    threads: int
    probe_s: float  # the probe's latency; `probe_timeout` if it got no answer in time
    probe_answered: bool


def _probe(server: ServerProcess, path: str, timeout: float) -> tuple[float, bool]:
    # http.client, not httpx: building an httpx client costs ~20 ms, more than the answer itself.
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        ok = response.status == 200
    except (OSError, http.client.HTTPException):
        ok = False
    finally:
        conn.close()
    return (time.perf_counter() - t0 if ok else timeout), ok


def hold_connections(
    server: ServerProcess,
    steps: list[int],
    *,
    wait_path: str = "/io?ms={ms}",
    wait_s: float = 20.0,
    probe_path: str = "/json",
    probe_timeout: float = 1.0,
    settle_s: float = 0.3,
) -> list[WaitingPoint]:
    """Measure `server` with 0, then each of `steps` (rising totals) connections waiting; release them at the end."""
    if not isinstance(server, ServerProcess) or not server.running:
        raise ValueError(f"server must be a running ServerProcess, got {server!r}")
    if not isinstance(steps, (list, tuple)) or not steps:
        raise ValueError(f"steps must be a non-empty list of rising connection counts, got {steps!r}")
    previous = 0
    for n in steps:
        require_number("each step", n, previous + 1, MAX_WAITING, integer=True)
        previous = n
    require_number("wait_s", wait_s, 1, 120, unit="seconds")
    require_number("probe_timeout", probe_timeout, 0, 30, low_open=True, unit="seconds")
    require_number("settle_s", settle_s, 0, 10, unit="seconds")
    path = wait_path.format(ms=int(wait_s * 1000))
    runs: list[LoadRun] = []
    points = []
    try:
        _probe(server, probe_path, probe_timeout)  # warm the probe's path once
        points.append(
            WaitingPoint(0, server.rss() / 2**20, server.thread_count(), *_probe(server, probe_path, probe_timeout))
        )
        held = 0
        for n in steps:
            # One client process per step: each holds its share of connections, each with one request waiting.
            run = start_load(server.url, path, connections=n - held, timeout=wait_s + 30)
            runs.append(run)
            run.wait_sent(deadline=30)
            held = n
            time.sleep(settle_s)  # let the server accept them and start their handlers
            rss, threads = server.rss() / 2**20, server.thread_count()
            points.append(WaitingPoint(n, rss, threads, *_probe(server, probe_path, probe_timeout)))
    finally:
        for run in runs:
            run.stop()
    return points


def fit_memory(points: list[WaitingPoint], up_to: int | None = None) -> tuple[float, float]:
    """Fit memory = base + slope x connections by least squares; return (base MiB, KiB per connection)."""
    pts = [p for p in points if up_to is None or p.waiting <= up_to]
    if len({p.waiting for p in pts}) < 2:
        raise ValueError("need points at two or more connection counts to fit a slope")
    mx = sum(p.waiting for p in pts) / len(pts)
    my = sum(p.rss_mib for p in pts) / len(pts)
    slope = sum((p.waiting - mx) * (p.rss_mib - my) for p in pts) / sum((p.waiting - mx) ** 2 for p in pts)
    return my - slope * mx, slope * 1024
