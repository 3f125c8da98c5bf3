"""Start a server process, wait until it answers, stop it with everything it started."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import httpx
import psutil


class NotReady(RuntimeError):
    """A process exited, or did not become ready before its deadline; the message ends with its log's tail."""


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str, status: int = 200, timeout: float = 2) -> Callable[[], bool]:
    """Return a check that is true once a GET of `url` answers with `status`."""

    def check() -> bool:
        try:
            return httpx.get(url, timeout=timeout).status_code == status
        except httpx.HTTPError:  # not listening yet, or too busy to answer in time: ask again
            return False

    return check


def log_tail(log: Path | None, chars: int = 3000) -> str:
    """Return the last `chars` characters of `log` ("" if there is none)."""
    if log is None or not log.exists():
        return ""
    return log.read_text(errors="replace")[-chars:]


def with_log(message: str, log: Path | None) -> str:
    """Return `message` followed by the end of `log`, if there is a log."""
    return f"{message}; the end of {log}:\n{log_tail(log)}" if log is not None else message


def wait_until(
    ready: Callable[[], bool],
    what: str,
    deadline: float,
    proc: subprocess.Popen | None = None,
    log: Path | None = None,
    interval: float = 0.25,
) -> float:
    """Poll `ready()` until it is true and return the seconds it took; raise NotReady if `proc` exits or time runs out."""
    t0 = time.monotonic()
    end = t0 + deadline
    while True:
        # Checked before `ready()`: a process that died must not pass because something else answers.
        if proc is not None and proc.poll() is not None:
            raise NotReady(with_log(f"{what} exited with code {proc.returncode} before it was ready", log))
        if ready():
            return time.monotonic() - t0
        if time.monotonic() >= end:
            raise NotReady(with_log(f"{what} was not ready within {deadline:g} s", log))
        time.sleep(interval)


def start_and_wait(
    cmd: Sequence[str],
    ready: Callable[[], bool],
    what: str,
    log: Path,
    deadline: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    grace: float = 10,
) -> subprocess.Popen:
    """Start `cmd` with its output in `log` and return it once `ready()`; stop it and raise NotReady otherwise."""
    with log.open("wb") as out:  # the child keeps its own copy of the file descriptor
        proc = subprocess.Popen(
            list(cmd), env=None if env is None else dict(env), cwd=cwd, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_until(ready, what, deadline, proc, log)
    except BaseException:  # NotReady, or Ctrl-C while waiting: never leave it running
        stop_tree(proc, grace)
        raise
    return proc


def stop_tree(proc: subprocess.Popen, grace: float = 10) -> list[int]:
    """Stop `proc` (SIGTERM, then SIGKILL after `grace` s), then what it started; return the PIDs that had to be killed."""
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    proc.terminate()  # a server shuts down what it started (kernels, users' servers, its proxy) on SIGTERM
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    # What it started stops on its own once its parent is gone, but not at once: a kernel notices
    # only when it next polls its parent, seconds later on a busy machine. Killing (and reporting)
    # whatever still ran the moment the parent exited failed the hub test on a busy machine.
    end = time.monotonic() + grace
    left = [child for child in children if is_alive(child)]
    while left and time.monotonic() < end:  # not psutil.wait_procs: an unreaped zombie would hold it to the end
        time.sleep(0.1)
        left = [child for child in left if is_alive(child)]
    for child in left:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(left, timeout=5)
    return [child.pid for child in left]


def is_alive(process: psutil.Process) -> bool:
    """Tell whether `process` still runs (a zombie does not)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
