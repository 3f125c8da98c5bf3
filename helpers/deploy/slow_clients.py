"""Slow clients against gunicorn's sync workers, alone and behind nginx: how many normal requests still get through.

    result = slow_clients()                    # 4 slow uploads against 2 sync workers, alone then behind nginx
    slow_clients(mode="read")                  # 4 slow downloads of a 4 MiB answer instead
    result.rows()                              # one dict per arrangement: normal requests done, p50/p95, errors
    result["alone"].done, result["nginx"].done

A sync worker serves one request at a time, from its first byte to its last. A client that sends its body a
few bytes every half second (a phone on a bad network, or an attacker: "slowloris") holds that worker the whole
time. Gunicorn's docs say so: "We strongly recommend running Gunicorn behind a proxy server ... When using the
default synchronous workers you must ensure the proxy buffers slow clients; otherwise Gunicorn becomes
vulnerable to denial-of-service attacks" (Deploying Gunicorn, https://gunicorn.org/deploy/, formerly
https://docs.gunicorn.org/en/stable/deploy.html). nginx reads the whole request before it passes it on
(`proxy_request_buffering on`, its default), and takes the whole answer from the worker before it trickles it
to a slow reader (`proxy_buffering on`), so the workers only ever deal with a fast client: nginx.

Arrangements: "alone" (gunicorn on its own), "nginx" (nginx in front, buffering as by default) and
"nginx-unbuffered" (nginx in front with `proxy_request_buffering off` and `proxy_buffering off`: the proxy
alone is not the cure, its buffering is). Each runs its own gunicorn (and nginx), and stops them before the
next; a run takes about `seconds` + 2 s per arrangement.
"""

from __future__ import annotations

import math
import socket
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from helpers.concurrency.loadgen import run_load
from helpers.numbers import require_number
from helpers.serving.processes import start_gunicorn

APP = "helpers.apps.deploy_flask:app"
ARRANGEMENTS = ("alone", "nginx", "nginx-unbuffered")
INTERVAL = 0.5  # seconds between two pieces of a slow client's body
CHUNK = 4  # bytes a slow client sends each interval
SETTLE = 0.5  # seconds for the slow clients to reach the workers before the normal load starts
CONNECT_TIMEOUT = 2.0  # seconds: a slow client's connect and each of its sends and reads
MODES = ("send", "read")
BIG_KB = 4096  # KiB a slow reader asks for: far more than the socket buffers between it and the worker hold
RCVBUF = 4096  # bytes: a slow reader's receive buffer (Linux doubles it)
DOCS = "https://gunicorn.org/deploy/"


@dataclass
class Arrangement:
    """Normal requests sent while the slow clients were at work, for one arrangement."""

    name: str  # "alone", "nginx", "nginx-unbuffered"
    done: int  # normal requests answered 2xx
    sent: int  # normal requests sent (each waits at most `request_timeout`)
    errors: dict[str, int]  # failed normal requests by kind ("timeout", "dropped", "status 502", ...)
    p50_ms: float  # latency of the answered ones (0.0 when none was answered)
    p95_ms: float
    slow_connected: int  # slow clients whose connection was open the whole run

    @property
    def failed(self) -> int:
        """Return how many normal requests failed."""
        return sum(self.errors.values())


@dataclass
class SlowClientResult:
    """What `slow_clients` measured: the set-up, then one `Arrangement` per arrangement."""

    workers: int
    slow: int
    seconds: float
    request_timeout: float
    mode: str  # "send": slow uploads; "read": slow downloads
    arrangements: list[Arrangement] = field(default_factory=list)

    def __getitem__(self, name: str) -> Arrangement:
        for a in self.arrangements:
            if a.name == name:
                return a
        raise KeyError(f"no arrangement {name!r} measured; measured: {[a.name for a in self.arrangements]}")

    def rows(self) -> list[dict[str, Any]]:
        """Return one plain dict per arrangement, for a table."""
        return [{**asdict(a), "failed": a.failed} for a in self.arrangements]


class SlowClients:
    """`count` raw-socket clients that trickle: `CHUNK` bytes every `INTERVAL`, sent ("send") or read ("read").

    "send": each sends a POST's head at once, then its `body_bytes`-byte body a few bytes at a time.
    "read": each asks for a `BIG_KB` KiB answer with a small receive buffer, then reads it a few bytes at a time.
    """

    def __init__(self, host: str, port: int, count: int, body_bytes: int = 400, mode: str = "send") -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.host, self.port, self.count, self.body_bytes, self.mode = host, port, count, body_bytes, mode
        self.sockets: list[socket.socket] = []
        self.broken = 0  # slow clients whose connection failed or ended while trickling
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _head(self) -> bytes:
        if self.mode == "read":
            return f"GET /big?kb={BIG_KB} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode("latin-1")
        return (
            f"POST /upload HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {self.body_bytes}\r\n\r\n"
        ).encode("latin-1")

    def start(self) -> None:
        """Open every connection and send each request's head at once; then trickle in a thread."""
        try:
            for _ in range(self.count):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                self.sockets.append(s)
                if self.mode == "read":  # set before connecting: the window the server may fill is this small
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
                s.settimeout(CONNECT_TIMEOUT)
                s.connect((self.host, self.port))
                s.sendall(self._head())
                if self.mode == "read":
                    s.setblocking(False)  # a read that finds nothing yet must return at once, not wait its timeout
        except OSError:
            self.stop()
            raise
        self._thread = threading.Thread(target=self._trickle, daemon=True, name="helpers-slow-clients")
        self._thread.start()

    def _step(self, s: socket.socket, sent: int) -> bool:
        """Send or read one piece on `s`; return False when the connection is over."""
        if self.mode == "read":
            try:  # never wait here: one client with nothing to read yet (still queued) must not delay the others
                return bool(s.recv(CHUNK))
            except BlockingIOError:
                return True
        s.sendall(b"x" * min(CHUNK, self.body_bytes - sent))
        return True

    def _trickle(self) -> None:
        sent = 0
        alive = list(self.sockets)
        while not self._stop.wait(INTERVAL) and (self.mode == "read" or sent < self.body_bytes):
            for s in list(alive):
                try:
                    ok = self._step(s, sent)
                except OSError:  # closed by the server (a worker timeout, a restart): counted, not retried
                    ok = False
                if not ok:
                    alive.remove(s)
                    self.broken += 1
            sent += CHUNK

    @property
    def connected(self) -> int:
        """Return how many slow clients are still trickling."""
        return len(self.sockets) - self.broken

    def stop(self) -> None:
        """Stop trickling and close every connection (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(CONNECT_TIMEOUT + INTERVAL + 1)
        for s in self.sockets:
            s.close()

    def __enter__(self) -> SlowClients:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _body_bytes(seconds: float, request_timeout: float) -> int:
    # Enough that no body is whole before the run ends: the slow clients hold on for the whole measurement.
    ticks = math.ceil((SETTLE + seconds + request_timeout + 5) / INTERVAL)
    return CHUNK * ticks


def _measure_one(
    arrangement: str, slow: int, workers: int, seconds: float, request_timeout: float, connections: int, mode: str
) -> Arrangement:
    from helpers.services.nginx import start_nginx

    server = start_gunicorn(APP, "deploy-slow", workers=workers, ready_path="/json")
    proxy = None
    try:
        target = server
        if arrangement != "alone":
            proxy = start_nginx(server, "deploy-slow", buffering=arrangement == "nginx")
            target = proxy
        host, port = target.url.split("//")[1].split(":")
        with SlowClients(host, int(port), slow, _body_bytes(seconds, request_timeout), mode) as clients:
            time.sleep(SETTLE)  # the workers (or nginx) take the slow connections first
            load = run_load(
                target.url, "/json", connections=connections, seconds=seconds, timeout=request_timeout, progress=False
            )
            connected = clients.connected
        return Arrangement(
            name=arrangement,
            done=load.ok,
            sent=load.requests,
            errors=load.errors,
            p50_ms=round(load.percentile(50) * 1000, 1),
            p95_ms=round(load.percentile(95) * 1000, 1),
            slow_connected=connected,
        )
    finally:
        if proxy is not None:
            proxy.stop()
        server.stop(graceful=False)  # its workers may still hold the slow clients' half-read requests


def slow_clients(
    slow: int = 4,
    *,
    workers: int = 2,
    seconds: float = 2.0,
    request_timeout: float = 1.0,
    connections: int = 2,
    arrangements: tuple[str, ...] = ("alone", "nginx"),
    mode: str = "send",
) -> SlowClientResult:
    """Hold `slow` slow clients (uploads, or downloads with mode="read") against gunicorn sync × `workers`; meanwhile
    send normal GETs for `seconds`.

    Each arrangement gets its own gunicorn (Flask app, sync workers) and, for "nginx" or "nginx-unbuffered",
    its own nginx in front. The normal load is `connections` connections sending GET /json one after another,
    each request given up after `request_timeout` seconds (a "timeout" error).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    require_number("slow", slow, 1, 64, integer=True)
    require_number("workers", workers, 1, 8, integer=True)
    require_number("seconds", seconds, 0.2, 30, unit="seconds")
    require_number("request_timeout", request_timeout, 0.1, 10, unit="seconds")
    require_number("connections", connections, 1, 32, integer=True)
    if (
        not isinstance(arrangements, (tuple, list))
        or not arrangements
        or any(a not in ARRANGEMENTS for a in arrangements)
        or len(set(arrangements)) != len(arrangements)
    ):
        raise ValueError(
            f"arrangements must be a non-empty tuple of distinct names from {ARRANGEMENTS}, got {arrangements!r}"
        )
    result = SlowClientResult(workers, slow, seconds, request_timeout, mode)
    for arrangement in arrangements:
        result.arrangements.append(
            _measure_one(arrangement, slow, workers, seconds, request_timeout, connections, mode)
        )
    return result
