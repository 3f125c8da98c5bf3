"""Shared fixtures: leak accounting for threads and listening sockets."""
from __future__ import annotations

import os
import threading
import time

import psutil
import pytest

from helpers import stop_all


def listening_ports() -> set[tuple[str, int]]:
    """Return (ip, port) of every TCP socket this process listens on, from the OS's table."""
    return {
        (c.laddr.ip, c.laddr.port)
        for c in psutil.Process(os.getpid()).net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN
    }


def settle(expected_threads: int, timeout: float = 3.0) -> int:
    """Wait for short-lived handler threads to finish; return the thread count."""
    end = time.monotonic() + timeout
    while threading.active_count() > expected_threads and time.monotonic() < end:
        time.sleep(0.02)
    return threading.active_count()


@pytest.fixture
def no_leaks():
    """Fail the test if it leaves a server, thread or listening socket behind."""
    stop_all()
    threads, ports = threading.active_count(), listening_ports()
    yield
    stop_all()
    assert settle(threads) <= threads, [t.name for t in threading.enumerate()]
    assert listening_ports() <= ports
