"""What every deploy test checks: nginx is there (or the test skips, and fails in CI), and nothing is left running."""

from __future__ import annotations

import time

import psutil
import pytest

from helpers.services import nginx
from tests.services.conftest import require


def children() -> set[int]:
    """Return the pids of this process's live descendants (servers, proxies, load clients)."""
    out = set()
    for p in psutil.Process().children(recursive=True):
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                out.add(p.pid)
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.fixture
def needs_nginx() -> None:
    """Skip where nginx is missing (fail in CI, where COURSE_REQUIRE_SERVICES=1)."""
    require(nginx.PACKAGE, nginx.PROGRAMS)


@pytest.fixture
def no_processes_left():
    """Fail when a measurement leaves a process of its own running (a server, nginx, a load client)."""
    before = children()
    yield
    end = time.monotonic() + 5
    while children() - before and time.monotonic() < end:
        time.sleep(0.05)
    assert not children() - before, [psutil.Process(p).cmdline() for p in children() - before]
