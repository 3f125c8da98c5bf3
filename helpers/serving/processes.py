"""Run production servers (gunicorn, uvicorn) as real processes on 127.0.0.1, one per name.

The in-kernel servers of `helpers.serving.servers` are threads of the kernel and share its GIL.
A production server is a master process with worker processes: these helpers start one
from an import string ("helpers.apps.serving_flask:app"), wait until it answers, and stop it
with all its workers. Re-running a cell replaces the server of that name; `stop_processes()` (or
`helpers.stop_all()`, which stops in-kernel servers too) and the kernel's exit stop them all.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import re
import resource
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import psutil

from helpers.numbers import require_number
from helpers.serving import links
from helpers.serving.owned import OwnedProcess
from helpers.serving.registry import Registry
from helpers.serving.servers import ServerLink

HOST = "127.0.0.1"  # loopback only, like every server of the course
ROOT = Path(__file__).resolve().parent.parent.parent  # the course's folder: the servers import helpers from it
DEFAULT_DEADLINE = 20.0
MAX_WORKERS = 16
MAX_THREADS = 4000
# gunicorn's --worker-class for each short name; "uvicorn" is the uvicorn-worker package, which
# replaced uvicorn's own deprecated `uvicorn.workers` module.
WORKER_CLASSES = {
    "sync": "sync",
    "gthread": "gthread",
    "gevent": "gevent",
    "uvicorn": "uvicorn_worker.UvicornWorker",
}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_IMPORT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*(\(\))?$")
_STDERR_TAIL = 15  # lines of the server's stderr an error message quotes

_processes: Registry[ServerProcess] = Registry("server process", in_stop_all=True)


class ServerProcessError(RuntimeError):
    """A server process did not start: the message says why and quotes its stderr."""


class ServerProcess(OwnedProcess):
    """One server process (a master and its workers): its URL, its process tree, link and stop()."""

    def __init__(
        self, name: str, server: str, app: str, argv: list[str], port: int, workers: int, threads: int
    ) -> None:
        self.name = name
        self.server = server  # e.g. "gunicorn sync", "uvicorn uvloop+httptools"
        self.app = app
        self.argv = argv
        self.host = HOST
        self.port = port
        self.workers = workers
        self.threads = threads
        self.started_in: float = float("nan")  # seconds from start to the first answer
        self._popen: subprocess.Popen | None = None
        self._log_path: Path | None = None
        self._stopped = False

    # -- what a notebook uses ------------------------------------------------
    @property
    def url(self) -> str:
        """Return the base URL, e.g. http://127.0.0.1:PORT."""
        return f"http://{self.host}:{self.port}"

    @property
    def command(self) -> str:
        """Return the command line that started the server, as you would type it in a terminal."""
        # The real port, so the line can be copied and run (once this server has stopped and freed it).
        return shlex.join(["python", *self.argv[1:]])

    def rss(self) -> int:
        """Return the resident memory of the whole process tree, in bytes."""
        return sum(_safe(lambda p=p: p.memory_info().rss, 0) for p in self.processes())

    def cpu_seconds(self) -> float:
        """Return the CPU time (user + system) the whole process tree has used so far, in seconds."""

        def used(p: psutil.Process) -> float:
            t = p.cpu_times()
            return t.user + t.system

        return sum(_safe(lambda p=p: used(p), 0.0) for p in self.processes())

    def thread_count(self) -> int:
        """Return the number of OS threads in the whole process tree."""
        return sum(_safe(p.num_threads, 0) for p in self.processes())

    def fd_count(self) -> int:
        """Return the file descriptors open in the whole process tree (each connection holds one)."""
        return sum(_safe(p.num_fds, 0) for p in self.processes())

    def fd_limit(self) -> int:
        """Return the lowest soft limit on open files (RLIMIT_NOFILE) in the tree; the start raised it."""
        limits = [_safe(lambda p=p: p.rlimit(psutil.RLIMIT_NOFILE)[0], None) for p in self.processes()]
        return min((lim for lim in limits if lim is not None and lim >= 0), default=-1)

    def listen_queue(self) -> int | None:
        """Return the connections waiting in the listen queue (the backlog), not yet accepted; None if unknown."""
        return listen_queue(self.port)

    def get(self, path: str = "/", timeout: float = 10.0, **kwargs: Any) -> httpx.Response:
        """GET `path` on a fresh connection, with a timeout."""
        require_number("timeout", timeout, 0, 600, low_open=True, unit="seconds")
        with httpx.Client(base_url=self.url, timeout=timeout) as client:
            return client.get(path, **kwargs)

    def stderr_tail(self, lines: int = _STDERR_TAIL) -> str:
        """Return the last `lines` lines the server wrote to stderr (its log), without routine INFO lines."""
        if self._log_path is None or not self._log_path.exists():
            return ""
        text = self._log_path.read_text(errors="replace")
        kept = [line for line in text.splitlines() if "[INFO]" not in line and not line.startswith("INFO:")]
        return "\n".join(kept[-lines:])

    def browser_url(self, path: str = "/") -> str:
        """Return the URL a learner's browser should open."""
        return links.browser_url(self.port, path)

    def link(self, path: str = "/") -> ServerLink:
        """Return a clickable link to `path` that follows this server's name across re-runs and stops."""
        return ServerLink(self.name, path, lookup=_processes.find)

    def stop(self, timeout: float = 5.0, graceful: bool = True) -> None:
        """Stop the master and every worker (the whole process group); idempotent.

        `graceful=False` kills them at once, for a server whose requests in flight were all abandoned
        by their clients (a measurement's held connections): there is nothing left to finish.
        """
        _processes.discard(self.name, self)
        if self._stopped:
            return
        self._stopped = True
        if self._popen is not None:
            _stop_tree(self._popen, timeout, graceful)
        if self._log_path is not None:
            with contextlib.suppress(OSError):
                self._log_path.unlink()
        with _processes.lock:
            if _processes.find(self.name) is None:  # replaced by a new server: the start refreshes the links
                ServerLink.refresh(self.name)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<ServerProcess {self.name!r} {self.server} {self.workers}x{self.threads} {state} at {self.url}>"

    def _repr_html_(self) -> str:
        # No clickable link here: a stored repr would outlive the server. `link()` follows it.
        state = "running" if self.running else "stopped"
        return (
            f"<code>{self.name}</code>: {self.server}, {self.workers} worker(s) x {self.threads} "
            f"thread(s), {state} at <code>{self.url}</code> (<code>.link()</code> gives a link to click)"
        )


def _safe(fn: Any, default: Any) -> Any:
    try:
        return fn()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return default


def _stop_tree(popen: subprocess.Popen, timeout: float, graceful: bool = True) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after `timeout`; SIGKILL at once if not graceful."""
    try:
        tree = [psutil.Process(popen.pid), *psutil.Process(popen.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        tree = []
    alive = tree
    if graceful:
        # The server runs in a session of its own, so its group id is its pid: one signal reaches every worker.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(popen.pid, signal.SIGTERM)
        _, alive = psutil.wait_procs(tree, timeout=timeout)
    for p in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, signal.SIGKILL)  # anything forked meanwhile
    psutil.wait_procs(alive, timeout=timeout)
    with contextlib.suppress(subprocess.TimeoutExpired):
        popen.wait(timeout)


try:  # loaded here, not in the forked child, where only async-signal-safe work belongs
    _LIBC: Any = ctypes.CDLL(None, use_errno=True)
except OSError:
    _LIBC = None


def _child_setup() -> None:
    """In the child before exec: die with the kernel, and allow thousands of open connections."""
    # PR_SET_PDEATHSIG = 1: if the kernel dies without running atexit (killed), the master gets SIGTERM.
    # It fires when the *thread* that started the server ends: notebooks start them from the main thread.
    if _LIBC is not None and hasattr(_LIBC, "prctl"):
        _LIBC.prctl(1, signal.SIGTERM)
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = 65536 if hard == resource.RLIM_INFINITY else hard
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(want, 65536)), hard))


def listen_queue(port: int) -> int | None:
    """Return how many connections wait to be accepted on the loopback socket listening on `port`, or None."""
    # Linux's /proc/net/tcp lists every socket; for a listening one (state 0A) the rx_queue column
    # is its accept queue: connections the kernel completed that the server has not accepted yet.
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) > 4 and fields[3] == "0A" and fields[1].endswith(f":{port:04X}"):
            return int(fields[4].split(":")[1], 16)
    return None


def somaxconn() -> int | None:
    """Return the kernel's cap on any listen backlog (net.core.somaxconn), or None where it can't be read."""
    try:
        return int(Path("/proc/sys/net/core/somaxconn").read_text())
    except (OSError, ValueError):
        return None


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _check_port_free(name: str, port: int) -> None:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError as exc:
            raise ServerProcessError(
                f"{name!r} cannot listen on {HOST}:{port}: {exc.strerror or exc}. "
                "Use port=0 (the default) to get a free port."
            ) from None


def _validate(name: Any, app: Any, workers: Any, threads: Any, port: Any, deadline: Any, ready_path: Any) -> None:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(
            f"name must be 1-40 letters, digits, '_', '.', '-' starting with a letter or digit, got {name!r}"
        )
    if not isinstance(app, str) or not _IMPORT_RE.match(app):
        raise ValueError(
            f"app must be an import string 'package.module:attribute' "
            f"(e.g. 'helpers.apps.serving_flask:app'), got {app!r}"
        )
    require_number("workers", workers, 1, MAX_WORKERS, integer=True)
    require_number("threads", threads, 1, MAX_THREADS, integer=True)
    require_number("port", port, 0, 65535, integer=True)
    require_number("deadline", deadline, 0, 120, low_open=True, unit="seconds")
    if not isinstance(ready_path, str) or not ready_path.startswith("/"):
        raise ValueError(f"ready_path must be a path starting with '/', got {ready_path!r}")


def _validate_env(env: Any) -> None:
    if env is None:
        return
    if not isinstance(env, Mapping) or not all(
        isinstance(k, str) and re.fullmatch(r"[A-Z_][A-Z0-9_]*", k) and isinstance(v, str) for k, v in env.items()
    ):
        raise ValueError(f"env must map UPPER_CASE names to strings, got {env!r}")


PORT_TAKEN = ("Address already in use", "address already in use", "Connection in use")  # uvicorn, gunicorn
PORT_TRIES = 3


def _launch(
    name: str,
    server: str,
    app: str,
    argv: list[str],
    port: int,
    workers: int,
    threads: int,
    deadline: float,
    ready_path: str,
    ready_marker: str,
    env: Mapping[str, str] | None = None,
    chosen: bool = False,
) -> ServerProcess:
    """Start the server as `_launch_once` does; if it chose the port (`chosen`) and lost it, on another one.

    free_port() only says a port was free a moment ago: another kernel or CI lane may bind it before the server
    does. A port the caller asked for is never swapped.
    """
    for attempt in range(PORT_TRIES if chosen else 1):
        try:
            return _launch_once(
                name, server, app, argv, port, workers, threads, deadline, ready_path, ready_marker, env
            )
        except ServerProcessError as exc:
            if attempt == PORT_TRIES - 1 or not chosen or not any(words in str(exc) for words in PORT_TAKEN):
                raise
            new = free_port()
            argv = [a.replace(f"{HOST}:{port}", f"{HOST}:{new}") if a != str(port) else str(new) for a in argv]
            port = new
    raise AssertionError("unreachable")  # the loop returns or raises


def _launch_once(
    name: str,
    server: str,
    app: str,
    argv: list[str],
    port: int,
    workers: int,
    threads: int,
    deadline: float,
    ready_path: str,
    ready_marker: str,
    env: Mapping[str, str] | None = None,
) -> ServerProcess:
    """Replace any server called `name`, start `argv`, and wait until every worker is up and it answers."""
    with _processes.lock:
        old = _processes.find(name)
        if old is not None:
            old.stop()
        _check_port_free(name, port)
        proc = ServerProcess(name, server, app, argv, port, workers, threads)
        fd, log = tempfile.mkstemp(prefix=f"course-{name}-", suffix=".log")
        proc._log_path = Path(log)
        env = {**os.environ, **(env or {})}
        # The server imports the course's helpers from this folder, as the kernel does.
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
        env["PYTHONUNBUFFERED"] = "1"
        t0 = time.perf_counter()
        try:
            with os.fdopen(fd, "wb") as log_file:
                proc._popen = subprocess.Popen(
                    argv,
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: stop() signals the master and all workers
                    preexec_fn=_child_setup,
                )
            _wait_until_answers(proc, time.monotonic() + deadline, ready_path, deadline, ready_marker)
        except BaseException:
            # Also on KeyboardInterrupt: never leave a half-started server behind.
            proc.stop(timeout=2.0)
            raise
        proc.started_in = time.perf_counter() - t0
        _processes.add(name, proc)
        ServerLink.refresh(name)  # links shown for an older server of this name now reach this one
        return proc


def _log_count(proc: ServerProcess, marker: str) -> int:
    try:
        return proc._log_path.read_text(errors="replace").count(marker)
    except OSError:
        return 0


def _wait_until_answers(proc: ServerProcess, end: float, ready_path: str, deadline: float, marker: str) -> None:
    while time.monotonic() < end:
        code = proc._popen.poll()
        if code is not None:
            raise ServerProcessError(
                f"{proc.name!r} ({proc.server} serving {proc.app}) exited with code {code} while starting. "
                f"It said:\n{proc.stderr_tail() or '(nothing)'}"
            )
        if _log_count(proc, marker) < proc.workers:
            time.sleep(0.02)
            continue
        try:
            with httpx.Client(timeout=max(0.1, min(2.0, end - time.monotonic()))) as client:
                client.get(proc.url + ready_path)
            return
        except httpx.TransportError:
            time.sleep(0.02)
    tail = proc.stderr_tail() or "(nothing)"
    proc.stop(timeout=2.0)
    raise ServerProcessError(
        f"{proc.name!r} ({proc.server} serving {proc.app}) did not answer GET {ready_path} within {deadline:g} s. "
        f"It said:\n{tail}"
    )


def start_gunicorn(
    app: str,
    name: str,
    *,
    workers: int = 1,
    threads: int = 1,
    worker_connections: int = 1000,
    port: int = 0,
    deadline: float = DEFAULT_DEADLINE,
    ready_path: str = "/",
    timeout: int = 120,
    gevent: bool = False,
    env: Mapping[str, str] | None = None,
    worker_class: str | None = None,
) -> ServerProcess:
    """Serve the app at import string `app` with gunicorn: `workers` processes of `worker_class`.

    By default threads=1 runs gunicorn's `sync` worker (one request per process at a time) and
    threads>1 its `gthread` worker, which also caps open connections per worker at
    `worker_connections`. worker_class="gevent" (or gevent=True) runs a greenlet per connection, up to
    `worker_connections`, in one thread per process (the standard library is patched to cooperate);
    "uvicorn" serves an ASGI app with the `uvicorn-worker` package's UvicornWorker, an event loop per
    process, as uvicorn's docs now recommend under gunicorn. `env` adds environment variables for the
    server (its configuration, e.g. a dependency's URL).
    """
    _validate(name, app, workers, threads, port, deadline, ready_path)
    require_number("worker_connections", worker_connections, 1, 100_000, integer=True)
    require_number("timeout", timeout, 1, 3600, integer=True, unit="seconds")
    if not isinstance(gevent, bool):
        raise ValueError(f"gevent must be True or False, got {gevent!r}")
    if gevent:
        if worker_class not in (None, "gevent"):
            raise ValueError(f"gevent=True asks for the gevent worker, but worker_class is {worker_class!r}")
        if threads != 1:
            raise ValueError(
                f"threads must be 1 with gevent=True (a greenlet per connection, not threads), got {threads}"
            )
        worker_class = "gevent"
    if worker_class is None:
        worker_class = "sync" if threads == 1 else "gthread"
    if worker_class not in WORKER_CLASSES:
        raise ValueError(f"worker_class must be one of {sorted(WORKER_CLASSES)} or None, got {worker_class!r}")
    if threads > 1 and worker_class != "gthread":
        raise ValueError(f"threads only apply to the gthread worker; {worker_class} got threads={threads}")
    _validate_env(env)
    chosen, port = not port, port or free_port()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        WORKER_CLASSES[worker_class],
        # Only the options this worker class reads, so the printed command says what applies.
        *(["--threads", str(threads)] if worker_class == "gthread" else []),
        *(["--worker-connections", str(worker_connections)] if worker_class in ("gthread", "gevent") else []),
        "--timeout",
        str(timeout),  # the master kills a worker silent for this long (a long CPU request)
        "--graceful-timeout",
        "1",  # stop() waits this long for requests in flight, not gunicorn's 30 s
        # Import the app once in the master, then fork: every worker is ready as soon as it exists,
        # so the first measurement does not race workers still importing their framework. Not with
        # gevent: its worker patches the standard library when it starts, and locks or sockets the app
        # made before that would block the whole worker, so each worker imports the app after patching.
        *([] if worker_class == "gevent" else ["--preload"]),
        # gunicorn 27's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): two masters
        # at once (a notebook's comparison, two kernels, CI's lanes) would take it from each other.
        "--no-control-socket",
        "--log-level",
        "info",
        "--error-logfile",
        "-",
    ]
    return _launch(
        name,
        f"gunicorn {worker_class}",
        app,
        argv,
        port,
        workers,
        threads,
        deadline,
        ready_path,
        ready_marker="Booting worker with pid",
        env=env,
        chosen=chosen,
    )


def start_uvicorn(
    app: str,
    name: str,
    *,
    workers: int = 1,
    fast: bool = True,
    port: int = 0,
    deadline: float = DEFAULT_DEADLINE,
    ready_path: str = "/",
    lifespan: str = "auto",
    factory: bool = False,
    env: Mapping[str, str] | None = None,
) -> ServerProcess:
    """Serve the ASGI app at import string `app` with uvicorn: `workers` processes, one event loop each.

    fast=True uses uvloop and httptools (what `uvicorn[standard]` installs); False the asyncio
    loop and the pure-Python h11 parser, as the in-kernel servers do. factory=True calls `app`
    with no arguments to build the app (uvicorn's --factory); `env` adds environment variables.
    """
    _validate(name, app, workers, 1, port, deadline, ready_path)
    if not isinstance(fast, bool):
        raise ValueError(f"fast must be True or False, got {fast!r}")
    if lifespan not in ("auto", "on", "off"):
        raise ValueError(f"lifespan must be one of ('auto', 'on', 'off'), got {lifespan!r}")
    if not isinstance(factory, bool):
        raise ValueError(f"factory must be True or False, got {factory!r}")
    _validate_env(env)
    chosen, port = not port, port or free_port()
    loop, http = ("uvloop", "httptools") if fast else ("asyncio", "h11")
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        loop,
        "--http",
        http,
        "--lifespan",
        lifespan,
        "--no-access-log",
        "--timeout-graceful-shutdown",
        "1",
        "--log-level",
        "info",
        *(["--factory"] if factory else []),
    ]
    # Each worker logs this once it has imported the app, just before it serves.
    return _launch(
        name,
        f"uvicorn {loop}+{http}",
        app,
        argv,
        port,
        workers,
        1,
        deadline,
        ready_path,
        ready_marker="Started server process",
        env=env,
        chosen=chosen,
    )


def list_processes() -> list[ServerProcess]:
    """Return the server processes this kernel is running, oldest first."""
    return _processes.running()


def get_process(name: str) -> ServerProcess:
    """Return the running server process called `name`."""
    return _processes.get(name)


def stop_processes() -> int:
    """Stop every server process this kernel started, with its workers; return how many."""
    return _processes.stop_all()


atexit.register(stop_processes)
