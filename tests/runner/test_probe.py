"""What a kernel owns, read from the OS's tables: threads, child processes, listening sockets, and their comparison."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pytest

from helpers.runner import probe

LISTENER = (
    "import socket, sys, time\ns = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
    "print(s.getsockname()[1], flush=True); time.sleep(30)"
)


def test_a_thread_this_process_starts_is_counted_and_a_pool_thread_is_not():
    stop = threading.Event()
    mine = threading.Thread(target=stop.wait, name="course-test-thread")
    pool = threading.Thread(target=stop.wait, name="AnyIO worker thread")
    mine.start(), pool.start()
    try:
        names = probe.own_threads()
        assert "course-test-thread" in names and "AnyIO worker thread" not in names
    finally:
        stop.set(), mine.join(5), pool.join(5)


def test_a_child_that_listens_is_seen_across_the_process_tree():
    child = subprocess.Popen([sys.executable, "-c", LISTENER], stdout=subprocess.PIPE, text=True)
    try:
        port = int(child.stdout.readline())
        snap = probe.snapshot()
        assert any(str(child.pid) in c for c in snap["children"])
        assert ["127.0.0.1", port] in snap["listening"]
    finally:
        child.kill(), child.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(str(child.pid) in c for c in probe.snapshot()["children"]):
        time.sleep(0.05)
    assert not any(str(child.pid) in c for c in probe.snapshot()["children"])


def test_a_socket_this_process_listens_on_is_seen():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        assert ("127.0.0.1", s.getsockname()[1]) in probe.listening()


BASE = {"threads": ["MainThread"], "children": [], "listening": [["127.0.0.1", 1]]}


@pytest.mark.parametrize(
    "key, more, words",
    [
        ("threads", ["MainThread", "server"], "threads grew from 1 to 2"),
        ("children", ["42 gunicorn"], "child processes grew from 0 to 1"),
        ("listening", [["127.0.0.1", 1], ["127.0.0.1", 2]], "listening sockets grew from 1 to 2"),
    ],
)
def test_growth_of_each_kind_is_named(key, more, words):
    after = {**BASE, key: more}
    assert any(words in p for p in probe.grown(BASE, after))
    assert probe.grown(after, BASE) == [] and probe.grown(BASE, BASE) == []


def test_parse_reads_the_last_snapshot_line_and_names_what_came_instead():
    assert probe.parse('noise\n{"threads": [], "children": [], "listening": []}\n')["threads"] == []
    with pytest.raises(ValueError, match="printed no snapshot"):
        probe.parse("Traceback: boom")
