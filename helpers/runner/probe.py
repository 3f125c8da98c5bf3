"""What a kernel owns (its threads, child processes and listening sockets), read inside it, and how to compare two reads.

The kernel runs `SNAPSHOT` (it imports this module and prints one JSON line); the runner parses
that line and compares two reads with `grown`. Everything is read from the OS's
tables through psutil, across the kernel's whole process tree, not from the course's own records.
"""

from __future__ import annotations

import json
import os
import threading

import psutil

# Process-wide pools (asyncio's default executor, asgiref's, AnyIO's workers for FastAPI's def
# routes) grow on demand up to a bound and persist by design; ipykernel starts its fd-watcher
# threads lazily. Neither is something a notebook started and forgot.
POOL_PREFIXES = ("ThreadPoolExecutor-", "AnyIO worker thread", "asyncio_")
LAZY_KERNEL_THREADS = ("_watch_pipe_fd",)

SNAPSHOT = "import helpers.runner.probe as _course_probe; _course_probe.print_snapshot()"


def own_threads() -> list[str]:
    """Return the names of this process's threads, leaving out on-demand pools and the kernel's lazy threads."""
    return sorted(
        t.name
        for t in threading.enumerate()
        if not t.name.startswith(POOL_PREFIXES) and not any(n in t.name for n in LAZY_KERNEL_THREADS)
    )


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def children(pid: int | None = None) -> list[psutil.Process]:
    """Return the live descendants of process `pid` (this one by default)."""
    try:
        found = psutil.Process(pid or os.getpid()).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [p for p in found if _alive(p)]


def listening(pid: int | None = None) -> list[tuple[str, int]]:
    """Return every (ip, port) that process `pid` or one of its descendants listens on, from the OS's table."""
    root = psutil.Process(pid or os.getpid())
    found: set[tuple[str, int]] = set()
    for proc in [root, *children(root.pid)]:
        try:
            found |= {(c.laddr.ip, c.laddr.port) for c in proc.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass  # a process that ended between listing and reading listens on nothing
    return sorted(found)


def _describe(proc: psutil.Process) -> str:
    try:
        return f"{proc.pid} " + " ".join(proc.cmdline()[:4])
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return f"{proc.pid} (ended)"


def snapshot() -> dict:
    """Return this process's own threads, live descendants and listening sockets, as plain data."""
    return {
        "threads": own_threads(),
        "children": [_describe(p) for p in children()],
        "listening": [list(pair) for pair in listening()],
    }


def print_snapshot() -> None:
    """Print `snapshot()` as one JSON line, for a runner outside the kernel to read."""
    print(json.dumps(snapshot()))


def parse(stdout: str) -> dict:
    """Return the snapshot printed last in `stdout`, or raise ValueError showing what was printed instead."""
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError(f"the kernel printed no snapshot; it printed: {stdout[-500:]!r}")


def grown(before: dict, after: dict) -> list[str]:
    """Return what `after` owns beyond `before`: threads by count and name, child processes, listening sockets."""
    problems = []
    if len(after["threads"]) > len(before["threads"]):
        problems.append(f"threads grew from {len(before['threads'])} to {len(after['threads'])}: {after['threads']}")
    if len(after["children"]) > len(before["children"]):
        problems.append(
            f"child processes grew from {len(before['children'])} to {len(after['children'])}: {after['children']}"
        )
    if len(after["listening"]) > len(before["listening"]):
        problems.append(
            f"listening sockets grew from {len(before['listening'])} to {len(after['listening'])}: {after['listening']}"
        )
    return problems


def settle_code(threads: int, children: int, wait: float = 15.0, stop_all: bool = False) -> str:
    """Return kernel code that waits, bounded, until only `threads` own threads and `children` processes are left."""
    # With stop_all, everything the course started is stopped first; the code prints a snapshot last.
    # Handler and reader threads end a moment after the work that started them (later still on a busy
    # machine): only what is still there after the wait is a leak.
    return (
        "import time as _t, helpers as _h, helpers.runner.probe as _p\n"
        + ("_h.stop_all()\n" if stop_all else "")
        + f"_end = _t.monotonic() + {wait}\n"
        f"while _t.monotonic() < _end and (len(_p.own_threads()) > {threads} or len(_p.children()) > {children}):\n"
        "    _t.sleep(0.05)\n"
        "_p.print_snapshot()\n"
    )


def stop_all_code(baseline_threads: int, wait: float = 15.0) -> str:
    """Return kernel code that stops everything the course started, then waits for its threads and processes to end."""
    return settle_code(baseline_threads, 0, wait, stop_all=True)
