"""`helpers.stop_all()` stops everything the kernel started: in-kernel servers and server processes alike."""

from __future__ import annotations

import contextlib
import threading

import psutil

import helpers
from helpers.serving.processes import list_processes, start_gunicorn, stop_processes
from helpers.serving.servers import list_servers, stop_servers
from tests.test_processes import descendants, gone


def hello(environ: dict, start_response) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def tree_listening() -> set[tuple[int, str, int]]:
    """Return (pid, ip, port) of every TCP socket listening in this process or any process under it."""
    me = psutil.Process()
    found = set()
    for p in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            found |= {
                (p.pid, c.laddr.ip, c.laddr.port)
                for c in p.net_connections(kind="tcp")
                if c.status == psutil.CONN_LISTEN
            }
    return found


def settle_threads(threads: set[threading.Thread], timeout: float = 3.0) -> list[threading.Thread]:
    """Wait for `threads` to end; return those still alive after `timeout` seconds."""
    for t in threads:
        t.join(timeout / max(len(threads), 1))
    return [t for t in threads if t.is_alive()]


def stop_each_kind() -> None:
    """Stop each kind with its own function, so a broken stop_all leaves nothing to the next test."""
    stop_servers()
    stop_processes()


def test_stop_all_leaves_no_thread_process_or_socket_of_either_kind():
    stop_each_kind()
    # The threads by identity, not their count: a thread of an earlier test may end while this one runs.
    threads, children, sockets = set(threading.enumerate()), descendants(), tree_listening()
    try:
        server = helpers.serve(hello, "t-stop-all-thread", interface="wsgi")
        process = start_gunicorn("helpers.apps.serving_flask:app", "t-stop-all-proc", workers=2, ready_path="/json")
        started = descendants() - children
        new_threads = set(threading.enumerate()) - threads
        # The probes see both kinds while they run, so they would see either one left behind.
        assert new_threads
        assert len(started) >= 3  # gunicorn's master and two workers
        assert {server.port, process.port} <= {port for _, _, port in tree_listening() - sockets}

        stopped = helpers.stop_all()

        assert not settle_threads(new_threads), [t.name for t in new_threads if t.is_alive()]
        assert gone(started), [psutil.Process(p).cmdline() for p in started if psutil.pid_exists(p)]
        assert tree_listening() <= sockets
        assert list_servers() == [] and list_processes() == []
        assert stopped == 2
    finally:
        stop_each_kind()
