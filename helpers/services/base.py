"""Start and stop a real service (a database, a cache, a proxy) as a process the kernel owns.

Each service runs from a throwaway folder of its own (data, config, log, socket), on 127.0.0.1 and a free
port, as an unprivileged user when the kernel is root (PostgreSQL refuses root; the others need no more).
It is stopped by `stop()`, by starting another under the same name, by `helpers.stop_all()` and when the
kernel exits; stopping ends its whole process group and removes its folder, so nothing is left behind.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from helpers.numbers import require_number
from helpers.serving.owned import OwnedProcess
from helpers.serving.registry import Registry

HOST = "127.0.0.1"  # loopback only, like every server of the course
UNPRIVILEGED = "nobody"  # who a service runs as when the kernel is root
LOG_TAIL = 15  # lines of a service's log an error message quotes
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_BUSY = "Address already in use"  # what PostgreSQL, Redis and nginx all log when their port was taken
_registries: list[Registry] = []


class ServiceError(RuntimeError):
    """A service did not start: the message names it and quotes its log."""


class ServiceTimeoutError(ServiceError, TimeoutError):
    """A service did not answer within its deadline."""


class ServiceNotInstalledError(ServiceError):
    """A service's programs are not on this machine: the message says how to install them."""


def registry(kind: str) -> Registry:
    """Return a new kernel-wide registry for one kind of service: `stop_all()` and the kernel's exit empty it."""
    reg: Registry = Registry(kind, in_stop_all=True)
    _registries.append(reg)
    return reg


def stop_services() -> int:
    """Stop every service this kernel started; return how many."""
    return sum(reg.stop_all() for reg in list(_registries))


atexit.register(stop_services)


# -- finding the programs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Package:
    """Where a service's programs come from: the Debian package, and folders it installs them in off PATH."""

    service: str  # "PostgreSQL"
    debian: str  # "postgresql"
    folders: tuple[str, ...] = ()  # globs searched after PATH, highest version first


def find_programs(package: Package, names: Sequence[str], bin_dir: str | os.PathLike | None = None) -> dict[str, str]:
    """Return {name: path} for each program, or raise one ServiceNotInstalledError naming all that are missing.

    With `bin_dir` only that folder is searched; otherwise PATH, then the package's own folders (Debian puts
    PostgreSQL's server programs in /usr/lib/postgresql/VERSION/bin, off PATH).
    """
    if bin_dir is not None:
        folders = [str(bin_dir)]
    else:
        folders = os.environ.get("PATH", "").split(os.pathsep)
        for pattern in package.folders:
            folders += sorted(Path("/").glob(pattern.lstrip("/")), key=_version_key, reverse=True)
    # All from one folder where one has them all: initdb of one PostgreSQL version, postgres of another won't do.
    together = next((f for f in folders if all(shutil.which(n, path=str(f)) for n in names)), None)
    search = str(together) if together else os.pathsep.join(map(str, folders))
    found = {name: shutil.which(name, path=search) for name in names}
    missing = [name for name, path in found.items() if not path]
    if missing:
        where = (
            f"in {bin_dir}"
            if bin_dir is not None
            else "on PATH" + (f" or in {', '.join(package.folders)}" if package.folders else "")
        )
        raise ServiceNotInstalledError(
            f"{package.service} is not installed: {' and '.join(missing)} not found {where}. "
            f"Install Debian's {package.debian} package (sudo apt-get install -y {package.debian}); "
            f"on Binder, binder/apt.txt lists it, so the image has it."
        )
    return {name: str(path) for name, path in found.items()}


def _version_key(path: Path) -> tuple:
    return tuple(int(p) if p.isdigit() else -1 for p in re.split(r"[/.]", str(path)))


# -- who runs it ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """The uid and gid a service runs as, and the command prefix that switches to them (empty: the kernel's own)."""

    uid: int
    gid: int
    prefix: tuple[str, ...] = ()

    def chown(self, path: Path) -> None:
        """Give `path` to this identity (a no-op when it is the kernel's own)."""
        if self.prefix:
            os.chown(path, self.uid, self.gid)


def identity(service: str) -> Identity:
    """Return who `service` runs as: the kernel's user, or `nobody` through util-linux's setpriv when it is root."""
    if os.geteuid() != 0:
        return Identity(os.getuid(), os.getgid())  # Binder: jovyan runs its own services
    try:
        who = pwd.getpwnam(UNPRIVILEGED)
    except KeyError:
        raise ServiceError(f"{service} must not run as root, and this machine has no {UNPRIVILEGED!r} user") from None
    setpriv = shutil.which("setpriv")
    if not setpriv:
        raise ServiceNotInstalledError(
            f"{service} must not run as root, and setpriv (util-linux) is missing to switch to {UNPRIVILEGED!r}: "
            "install Debian's util-linux package (apt-get install -y util-linux)"
        )
    prefix = (
        setpriv,
        f"--reuid={who.pw_uid}",
        f"--regid={who.pw_gid}",
        "--clear-groups",
        "--no-new-privs",  # setuid programs give it nothing back
        "--inh-caps=-all",
        "--bounding-set=-all",
        # Changing uid clears the parent-death signal that _child_setup set; keep it, so a killed kernel's
        # service still gets it.
        "--pdeathsig=keep",
        "--",
    )
    return Identity(who.pw_uid, who.pw_gid, prefix)


# -- the folder ---------------------------------------------------------------------------------------


OWNER_FILE = ".course-owner"  # in each folder: the pid and start time of the kernel that made it


def make_folder(kind: str, name: str, who: Identity) -> Path:
    """Create the service's throwaway folder (mode 0700), owned by whoever runs the service."""
    base = tempfile.gettempdir()
    if who.prefix and (closed := _closed_ancestor(base)):
        raise ServiceError(
            f"the temporary folder {base} is inside {closed}, which {UNPRIVILEGED!r} may not enter: "
            "set TMPDIR to a folder others may enter (e.g. /tmp)"
        )
    remove_orphaned_folders(kind, base)
    folder = Path(tempfile.mkdtemp(prefix=f"course-{kind}-{name}-", dir=base))
    me = psutil.Process()
    (folder / OWNER_FILE).write_text(f"{me.pid} {me.create_time()}\n")
    who.chown(folder)
    return folder


def remove_orphaned_folders(kind: str, base: str) -> list[Path]:
    """Remove the folders of `kind` whose kernel is gone (killed, so atexit never ran); return them.

    The service died with its kernel (its parent-death signal); only its folder was left. A folder whose
    kernel still runs, or with no owner file, is left alone: it may be another kernel's, or not the course's.
    """
    removed = []
    for folder in Path(base).glob(f"course-{kind}-*"):
        try:
            pid, started = (folder / OWNER_FILE).read_text().split()
            owner = psutil.Process(int(pid))
            if abs(owner.create_time() - float(started)) < 0.01:
                continue  # its kernel is alive
        except psutil.NoSuchProcess:
            pass
        except (OSError, ValueError, psutil.AccessDenied):
            continue
        if _used_by_a_process(folder):
            continue  # its service outlived its kernel (no parent-death signal): not ours to pull the floor from
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _closed_ancestor(path: str) -> str | None:
    parts = Path(path).resolve().parts
    for i in range(1, len(parts) + 1):
        folder = os.path.join(*parts[:i])
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def _used_by_a_process(folder: Path) -> bool:
    for p in psutil.process_iter(["cmdline"]):
        if any(str(folder) in arg for arg in p.info["cmdline"] or ()):
            return True
    return False


def readable_by_others(path: Path) -> bool:
    """Tell whether a user other than the owner may read `path`, a folder (enter it and every folder above it)."""
    path = path.resolve()
    return _closed_ancestor(str(path)) is None and bool(path.stat().st_mode & 0o004)


# -- the process ---------------------------------------------------------------------------------------


try:  # loaded here, not in the forked child, where only async-signal-safe work belongs
    _LIBC: Any = ctypes.CDLL(None, use_errno=True)
except OSError:
    _LIBC = None


def _child_setup(signum: int) -> Callable[[], None]:
    def setup() -> None:
        # PR_SET_PDEATHSIG = 1: a kernel killed without running atexit still takes its services with it.
        # It fires when the *thread* that started the service ends: notebooks start them from the main thread.
        if _LIBC is not None and hasattr(_LIBC, "prctl"):
            _LIBC.prctl(1, signum)

    return setup


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Tell whether a server could listen on 127.0.0.1:`port` now."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        return True


def validate_start(name: Any, port: Any, deadline: Any) -> None:
    """Raise a ValueError unless a service's name, port and deadline are usable."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(
            f"name must be 1-40 letters, digits, '_', '.', '-' starting with a letter or digit, got {name!r}"
        )
    require_number("port", port, 0, 65535, integer=True)
    require_number("deadline", deadline, 0, 300, low_open=True, unit="seconds")


class Service(OwnedProcess):
    """One service process (and whatever it forks) with its folder: its port, pid, log, and stop()."""

    kind = "service"  # "PostgreSQL": named in messages
    stop_signal = signal.SIGTERM  # the signal that asks it to shut down at once; SIGKILL follows after `timeout`

    def __init__(self, name: str, folder: Path, port: int, who: Identity, registry: Registry) -> None:
        self.name = name
        self.folder = folder
        self.host = HOST
        self.port = port
        self.identity = who
        self.started_in: float = float("nan")  # seconds from start to ready
        self._registry = registry
        self._popen: subprocess.Popen | None = None
        self._stopped = False

    @property
    def log_path(self) -> Path:
        """Return the file the service writes its log to."""
        return self.folder / f"{self.kind.lower()}.log"

    def log_tail(self, lines: int = LOG_TAIL) -> str:
        """Return the last `lines` lines of the service's log."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def run(self, argv: Sequence[str], env: dict[str, str] | None = None, timeout: float = 60.0) -> None:
        """Run a set-up program (e.g. initdb) as the service's user, in its folder; raise ServiceError if it fails."""
        done = subprocess.run(
            [*self.identity.prefix, *argv],
            cwd=self.folder,  # a folder the service's user may enter
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,
        )
        if done.returncode != 0:
            said = "\n".join((done.stdout + done.stderr).strip().splitlines()[-LOG_TAIL:])
            raise ServiceError(f"{self.kind} {self.name!r}: {Path(argv[0]).name} failed ({done.returncode}):\n{said}")

    def spawn(self, argv: Sequence[str], env: dict[str, str] | None = None) -> None:
        """Start the service's main process as its user, in a session of its own, logging to its folder."""
        with open(self.log_path, "ab") as log:
            self.identity.chown(self.log_path)
            self._popen = subprocess.Popen(
                [*self.identity.prefix, *argv],
                cwd=self.folder,
                env={**os.environ, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() ends it and everything it forked
                preexec_fn=_child_setup(self.stop_signal),
            )

    def wait_until_ready(self, ready: Callable[[float], bool], deadline: float) -> None:
        """Poll `ready(seconds_left)` until it returns True; raise if the process exits or `deadline` passes."""
        end = time.monotonic() + deadline
        while True:
            code = self._popen.poll() if self._popen else 0
            if code is not None:
                tail = self.log_tail() or "(nothing)"
                raise ServiceError(
                    f"{self.kind} {self.name!r} exited with code {code} while starting on port {self.port}. "
                    f"Its log says:\n{tail}"
                )
            left = end - time.monotonic()
            if left <= 0:
                break
            with contextlib.suppress(OSError):
                if ready(left):
                    return
            time.sleep(0.05)
        raise ServiceTimeoutError(
            f"{self.kind} {self.name!r} did not answer on {self.host}:{self.port} within {deadline:g} s "
            f"(a busy machine may need a longer deadline=). Its log says:\n{self.log_tail() or '(nothing)'}"
        )

    def port_was_taken(self) -> bool:
        """Tell whether the service failed because another process took its port first."""
        return _BUSY in self.log_tail(LOG_TAIL * 4)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the service and everything it started, then remove its folder; idempotent."""
        self._registry.discard(self.name, self)
        if self._stopped:
            return
        self._stopped = True
        if self._popen is not None:
            stop_tree(self._popen, self.stop_signal, timeout)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<{type(self).__name__} {self.name!r} {state} on {self.host}:{self.port}>"


def stop_tree(popen: subprocess.Popen, signum: int, timeout: float) -> None:
    """Send `signum` to the main process, wait `timeout` for its tree to end, then SIGKILL its process group."""
    try:
        main = psutil.Process(popen.pid)
        tree = [main, *main.children(recursive=True)]
    except psutil.NoSuchProcess:
        tree = []
    with contextlib.suppress(ProcessLookupError):
        os.kill(popen.pid, signum)  # the main process shuts its own workers down: a clean stop
    with contextlib.suppress(subprocess.TimeoutExpired):
        popen.wait(timeout)  # reap it, so its pid is not a zombie counted as alive
    _, alive = psutil.wait_procs(tree, timeout=0.5 if popen.poll() is not None else 0)
    # By pid and process group only, never by name: another kernel's service of the same kind is not ours.
    for p in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, signal.SIGKILL)
    psutil.wait_procs(alive, timeout=timeout)
    with contextlib.suppress(subprocess.TimeoutExpired):
        popen.wait(timeout)


def start(
    service_factory: Callable[[int], Service],
    registry: Registry,
    name: str,
    port: int,
    launch: Callable[[Service], None],
    attempts: int = 3,
) -> Service:
    """Replace any service called `name` and launch a new one; retry on a fresh port if another process took it.

    `service_factory(port)` makes the service (its folder included); `launch(service)` starts it and waits
    until it answers. On any failure, Ctrl-C included, the half-started service is stopped and its folder removed.
    """
    with registry.lock:
        old = registry.find(name)
        if old is not None:
            old.stop()  # re-running a cell: the old one frees its port and folder first
        if port and not port_is_free(port):
            raise ServiceError(f"{name!r} cannot listen on {HOST}:{port}: it is in use. Use port=0 for a free port.")
        for attempt in range(1, attempts + 1):
            service = service_factory(port or free_port())
            t0 = time.perf_counter()
            try:
                launch(service)
            except ServiceError:
                # A free port can be taken between choosing it and binding it (other kernels, other tests).
                taken = service.port_was_taken()
                service.stop(timeout=2.0)
                if port or attempt == attempts or not taken:
                    raise
                continue
            except BaseException:
                service.stop(timeout=2.0)
                raise
            service.started_in = time.perf_counter() - t0
            registry.add(name, service)
            return service
    raise AssertionError("unreachable")
