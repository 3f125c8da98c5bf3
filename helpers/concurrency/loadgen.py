"""Load a server from client processes of their own, so the client's CPU is not the server's GIL.

`run_load(url, path, connections=..., requests=...)` starts `processes` client processes
(`helpers.concurrency.loadgen_client`), each with its share of the connections and requests
(or, with `seconds=...`, each sending for that long),
starts them together, and returns a `LoadResult`: every request's start and end, throughput,
p50/p95/p99 and errors, each request counted once. `start_load` does the same without waiting,
for connections that should stay open while a cell measures the server.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from helpers.numbers import percentile, require_number

ROOT = Path(__file__).resolve().parent.parent.parent
MAX_CONNECTIONS = 5000
MAX_REQUESTS = 100_000
MAX_PROCESSES = 8
MAX_SECONDS = 600.0
READY_DEADLINE = 30.0  # seconds for the clients to start and (when warm) open their connections


class LoadError(RuntimeError):
    """A client process failed: the message quotes what it said."""


@dataclass
class LoadResult:
    """What one load run measured: a record per request, and the figures drawn from them."""

    connections: int
    processes: int
    warm: bool
    seconds: float | None = None  # how long the clients sent for, when the run was timed rather than counted
    starts: list[float] = field(default_factory=list)  # monotonic seconds, shared by all processes
    ends: list[float] = field(default_factory=list)
    outcomes: list = field(default_factory=list)  # HTTP status (int) or an error name (str)
    opened: int = 0  # TCP connections the clients opened, warm ones included (keep-alive: about one each)
    retried: int = 0  # with retry_stale: requests a stale keep-alive connection lost, sent again on a new one

    @property
    def requests(self) -> int:
        """Return how many requests were recorded (each exactly once)."""
        return len(self.outcomes)

    @property
    def ok(self) -> int:
        """Return how many requests got a 2xx answer."""
        return sum(1 for o in self.outcomes if isinstance(o, int) and 200 <= o < 300)

    @property
    def errors(self) -> dict[str, int]:
        """Return the failed requests counted by what went wrong ("timeout", "dropped", "status 500", ...)."""
        return dict(
            Counter(
                o if isinstance(o, str) else f"status {o}"
                for o in self.outcomes
                if not (isinstance(o, int) and 200 <= o < 300)
            )
        )

    @property
    def latencies(self) -> list[float]:
        """Return each successful request's latency in seconds."""
        return [
            e - s for s, e, o in zip(self.starts, self.ends, self.outcomes) if isinstance(o, int) and 200 <= o < 300
        ]

    @property
    def makespan(self) -> float:
        """Return seconds from the first request sent to the last answer."""
        return max(self.ends) - min(self.starts) if self.outcomes else 0.0

    @property
    def throughput(self) -> float:
        """Return successful requests per second over the makespan."""
        return self.ok / self.makespan if self.makespan > 0 else 0.0

    def percentile(self, p: float) -> float:
        """Return the p-th percentile of successful latencies, in seconds."""
        return percentile(self.latencies, p)

    def summary(self) -> dict[str, float | int | str]:
        """Return the headline figures as a dict (seconds, requests per second)."""
        return {
            "requests": self.requests,
            "ok": self.ok,
            "errors": sum(self.errors.values()),
            "makespan_s": round(self.makespan, 3),
            "req_per_s": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50) * 1000, 1),
            "p95_ms": round(self.percentile(95) * 1000, 1),
            "p99_ms": round(self.percentile(99) * 1000, 1),
        }

    def __repr__(self) -> str:
        s = self.summary()
        errors = f", errors {self.errors}" if self.errors else ""
        return (
            f"<LoadResult {s['requests']} requests on {self.connections} connections: "
            f"{s['req_per_s']} req/s, p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms{errors}>"
        )


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if k < total % parts else 0) for k in range(parts)]


class LoadRun:
    """Client processes under way: wait for them, watch their progress, or stop them."""

    def __init__(
        self,
        url: str,
        path: str,
        connections: int,
        requests: int | None,
        processes: int,
        warm: bool,
        timeout: float,
        seconds: float | None = None,
        retry_stale: bool = False,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"url must look like http://127.0.0.1:PORT, got {url!r}")
        if not isinstance(path, str) or not path.startswith("/") or any(c in path for c in " \r\n"):
            raise ValueError(f"path must start with '/' and hold no spaces or line breaks, got {path!r}")
        require_number("connections", connections, 1, MAX_CONNECTIONS, integer=True)
        if seconds is None:
            require_number("requests", requests, connections, MAX_REQUESTS, integer=True)
        else:
            require_number("seconds", seconds, 0, MAX_SECONDS, low_open=True, unit="seconds")
            if requests is not None:
                raise ValueError(f"give requests or seconds, not both (got requests={requests!r}, seconds={seconds!r})")
        require_number("processes", processes, 1, min(MAX_PROCESSES, connections), integer=True)
        require_number("timeout", timeout, 0, 600, low_open=True, unit="seconds")
        self.connections, self.requests, self.processes, self.warm, self.timeout, self.seconds = (
            connections,
            requests,
            processes,
            warm,
            timeout,
            seconds,
        )
        self.sent = [0] * processes
        self.done = [0] * processes
        self._results: list[dict | None] = [None] * processes
        self._ready = [threading.Event() for _ in range(processes)]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
        self._popens: list[subprocess.Popen] = []
        self._readers: list[threading.Thread] = []
        try:
            shares = _split(requests, processes) if seconds is None else [None] * processes
            for k, (c, r) in enumerate(zip(_split(connections, processes), shares)):
                argv = [
                    sys.executable,
                    "-m",
                    "helpers.concurrency.loadgen_client",
                    parts.hostname,
                    str(parts.port),
                    path,
                    "--connections",
                    str(c),
                    *(["--requests", str(r)] if seconds is None else ["--seconds", repr(seconds)]),
                    "--timeout",
                    str(timeout),
                ]
                if warm:
                    argv.append("--warm")
                if retry_stale:
                    argv.append("--retry-stale")
                popen = subprocess.Popen(
                    argv,
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    start_new_session=True,
                )
                self._popens.append(popen)
                reader = threading.Thread(target=self._read, args=(k, popen), daemon=True, name=f"helpers-loadgen-{k}")
                reader.start()
                self._readers.append(reader)
            end = time.monotonic() + READY_DEADLINE
            for k, ready in enumerate(self._ready):
                if not ready.wait(max(0.0, end - time.monotonic())) or self._popens[k].poll() is not None:
                    raise LoadError(f"load client {k} did not get ready: {self._stderr(k)}")
            for popen in self._popens:  # go: every client fires at once
                popen.stdin.write("go\n")
                popen.stdin.flush()
        except BaseException:
            self.stop()
            raise
        self.started = time.monotonic()

    def _read(self, k: int, popen: subprocess.Popen) -> None:
        for line in popen.stdout:
            if line.startswith("progress "):
                _, sent, done = line.split()
                self.sent[k], self.done[k] = int(sent), int(done)
            elif line.startswith("ready"):
                self._ready[k].set()
            elif line.startswith("result "):
                self._results[k] = json.loads(line[len("result ") :])
        self._ready[k].set()  # it ended: whoever waits for it must look

    def _stderr(self, k: int) -> str:
        popen = self._popens[k]
        if popen.poll() is None:
            return "(still running)"
        return " ".join((popen.stderr.read() or "").split()[-60:]) or f"exit code {popen.returncode}"

    @property
    def progress(self) -> tuple[int, int]:
        """Return (requests sent, requests done) over all client processes."""
        return sum(self.sent), sum(self.done)

    def wait_sent(self, count: int | None = None, deadline: float = 30.0) -> int:
        """Wait until `count` requests (all by default) have been sent; return how many were."""
        if count is None and self.requests is None:
            raise ValueError("a timed run has no total to wait for: pass count")
        count = self.requests if count is None else count
        end = time.monotonic() + deadline
        while self.progress[0] < count and time.monotonic() < end and any(p.poll() is None for p in self._popens):
            time.sleep(0.02)
        return self.progress[0]

    def wait(self, progress: bool = False) -> LoadResult:
        """Wait for every client process and return the merged result."""
        if self.seconds is None:
            end = self.started + self.timeout * (-(-self.requests // self.connections)) + 30
        else:  # the last request may start just before the time is up, and take up to its timeout
            end = self.started + self.seconds + self.timeout + 30
        bar = _Progress(self.requests, self.seconds) if progress else None
        try:
            while any(p.poll() is None for p in self._popens):
                if time.monotonic() > end:
                    raise LoadError(f"the load clients did not finish within {end - self.started:.0f} s")
                if bar:
                    bar.update(self.progress[1])
                time.sleep(0.05)
            for reader in self._readers:
                reader.join(5)
            if bar:
                bar.update(self.progress[1], final=True)
            result = LoadResult(self.connections, self.processes, self.warm, self.seconds)
            for k, doc in enumerate(self._results):
                if doc is None:
                    raise LoadError(f"load client {k} ended without a result: {self._stderr(k)}")
                result.opened += doc.get("opened", 0)
                result.retried += doc.get("retried", 0)
                for start, stop, outcome in doc["records"]:
                    result.starts.append(start)
                    result.ends.append(stop)
                    result.outcomes.append(outcome)
            return result
        finally:
            self.stop()

    def stop(self) -> None:
        """Kill the client processes (their connections close); idempotent."""
        for popen in self._popens:
            if popen.poll() is None:
                popen.kill()
        for popen in self._popens:
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(5)
            for stream in (popen.stdin, popen.stderr):
                with contextlib.suppress(OSError, ValueError):
                    stream.close()
        for reader in self._readers:
            reader.join(5)
        for popen in self._popens:
            with contextlib.suppress(OSError, ValueError):
                popen.stdout.close()

    def __enter__(self) -> LoadRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Progress:
    """A one-line progress display in a notebook (nothing outside one)."""

    def __init__(self, total: int | None, seconds: float | None = None) -> None:
        self.total = total
        self.seconds = seconds
        self.started = time.monotonic()
        self.handle = None
        with contextlib.suppress(ImportError):
            from IPython import get_ipython
            from IPython.display import display

            if get_ipython() is not None:
                self.handle = display(self._text(0), display_id=True)

    def _text(self, done: int) -> object:
        from IPython.display import HTML

        if self.total is None:  # a timed run: show the time, and the requests answered so far
            elapsed = min(self.seconds, time.monotonic() - self.started)
            return HTML(
                f'<progress value="{elapsed:.1f}" max="{self.seconds:g}"></progress> {done:,} requests answered'
            )
        return HTML(f'<progress value="{done}" max="{self.total}"></progress> {done}/{self.total} requests')

    def update(self, done: int, final: bool = False) -> None:
        if self.handle is not None:
            self.handle.update(self._text(done))


def start_load(
    url: str,
    path: str = "/",
    *,
    connections: int = 10,
    requests: int | None = None,
    processes: int = 1,
    warm: bool = False,
    timeout: float = 30.0,
    seconds: float | None = None,
    retry_stale: bool = False,
) -> LoadRun:
    """Start client processes that send `requests` GETs of `path` (or send for `seconds`); don't wait.

    `retry_stale` sends a GET that a reused keep-alive connection lost before any byte of its answer once more on
    a new connection, as browsers do (RFC 9112, 9.3.1), and counts it in the result's `retried`.
    """
    if seconds is None and requests is None:
        requests = connections
    return LoadRun(url, path, connections, requests, processes, warm, timeout, seconds, retry_stale)


def run_load(
    url: str,
    path: str = "/",
    *,
    connections: int = 10,
    requests: int | None = None,
    processes: int = 1,
    warm: bool = False,
    timeout: float = 30.0,
    progress: bool = True,
    seconds: float | None = None,
    retry_stale: bool = False,
) -> LoadResult:
    """Send `requests` GETs of `path` over `connections` connections from client processes; return the result.

    Each connection sends its requests one after another (HTTP/1.1 keep-alive, reopened when the
    server closes it); `warm` opens the connections before the clock starts. `timeout` bounds each request.
    With `seconds` instead of `requests`, every connection keeps sending until that many seconds have passed.
    """
    return start_load(
        url,
        path,
        connections=connections,
        requests=requests,
        processes=processes,
        warm=warm,
        timeout=timeout,
        seconds=seconds,
        retry_stale=retry_stale,
    ).wait(progress=progress)
