"""Run a real Redis server for a notebook (a job queue's broker, a cache): throwaway, on 127.0.0.1, one per name.

    broker = start_redis()
    broker.url    # redis://127.0.0.1:PORT/0  (redis.Redis.from_url, Celery, RQ)
    broker.stop() # or helpers.stop_all(), or start another under the same name, or let the kernel exit

Nothing is saved to disk (no RDB snapshot, no append-only file): a job queue that must survive a *worker's*
death is what the notebooks show, not one that survives the broker's.
"""

from __future__ import annotations

import signal
import socket

from helpers.numbers import require_number
from helpers.services.base import (
    HOST,
    Package,
    Service,
    find_programs,
    identity,
    make_folder,
    registry,
    start,
    validate_start,
)

PACKAGE = Package("Redis", "redis-server", folders=("/usr/bin", "/usr/local/bin"))
PROGRAMS = ("redis-server",)
DEFAULT_DEADLINE = 20.0
PING_TIMEOUT = 2.0  # seconds: the helper's own PING

_servers = registry("Redis server")


class Redis(Service):
    """A running Redis server: its URL, its socket, ping() and stop()."""

    kind = "Redis"
    stop_signal = signal.SIGTERM  # Redis saves nothing here, so it exits at once

    def __init__(self, name: str, port: int) -> None:
        who = identity(self.kind)
        super().__init__(name, make_folder("redis", name, who), port, who, _servers)

    @property
    def url(self) -> str:
        """Return the redis:// URL of database 0 (redis-py, Celery and RQ take it)."""
        return f"redis://{self.host}:{self.port}/0"

    @property
    def socket_path(self) -> str:
        """Return the path of the server's Unix socket (redis.Redis(unix_socket_path=...))."""
        return str(self.folder / "redis.sock")

    def ping(self, timeout: float = PING_TIMEOUT) -> bool:
        """Send PING over a fresh connection and tell whether PONG came back within `timeout` s."""
        require_number("timeout", timeout, 0, 60, low_open=True, unit="seconds")
        return _ping(self.host, self.port, timeout)

    def _repr_html_(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<code>{self.name}</code>: Redis, {state} at <code>{self.url}</code>"


def _ping(host: str, port: int, timeout: float) -> bool:
    # The protocol by hand (an inline command): the helper needs no client library to know the server is up.
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(
    name: str = "redis",
    *,
    maxmemory_mb: int = 64,
    port: int = 0,
    deadline: float = DEFAULT_DEADLINE,
    bin_dir: str | None = None,
) -> Redis:
    """Start a throwaway Redis server holding at most `maxmemory_mb` MB; replace any called `name`.

    `bin_dir` is the folder of redis-server (found on PATH or in /usr/bin otherwise).
    """
    validate_start(name, port, deadline)
    require_number("maxmemory_mb", maxmemory_mb, 1, 1024, integer=True)
    programs = find_programs(PACKAGE, PROGRAMS, bin_dir)

    def launch(server: Redis) -> None:
        # Options on the command line, as in a config file: `redis-server --port 6380` is `port 6380`.
        argv = [
            programs["redis-server"],
            "--bind",
            HOST,
            "--port",
            str(server.port),
            "--unixsocket",
            server.socket_path,
            "--unixsocketperm",
            "700",
            "--dir",
            str(server.folder),
            "--save",
            "",  # no snapshots
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--maxmemory",
            f"{maxmemory_mb}mb",
            "--logfile",
            "",  # to stdout, which is the log file in its folder
            "--loglevel",
            "warning",
        ]
        server.spawn(argv)
        server.wait_until_ready(lambda left: _ping(HOST, server.port, min(PING_TIMEOUT, left)), deadline)

    return start(lambda p: Redis(name, p), _servers, name, port, launch)


def get_redis(name: str = "redis") -> Redis:
    """Return the running Redis server called `name`."""
    return _servers.get(name)


def stop_redis() -> int:
    """Stop every Redis server this kernel started; return how many."""
    return _servers.stop_all()
