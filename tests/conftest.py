"""Shared fixtures and tools: leak accounting, the course's notebooks, skipping where a tool is missing."""

from __future__ import annotations

import os
import threading
import time

import psutil
import pytest

from helpers import stop_all
from helpers.runner.course import notebook_names

# Every notebook of the course, present or not: a missing one must fail its tests, not drop out of them.
COURSE_NOTEBOOKS = notebook_names()


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


def skip_unless(reason: str | None, required_by: str) -> None:
    """Skip with `reason` when a tool is missing, or fail when the environment variable `required_by` is 1 (CI)."""
    if reason:
        if os.environ.get(required_by) == "1":
            pytest.fail(f"{required_by}=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture
def no_leaks():
    """Fail the test if it leaves a server, thread or listening socket behind."""
    stop_all()
    threads, ports = threading.active_count(), listening_ports()
    yield
    stop_all()
    assert settle(threads) <= threads, [t.name for t in threading.enumerate()]
    assert listening_ports() <= ports


@pytest.fixture(scope="module", autouse=True)
def own_django_urls():
    """Give each test module the URL groups it found: a group left behind would answer another module's paths first."""
    import sys

    before = dict(getattr(sys.modules.get("helpers.serving.django_kernel"), "_url_groups", {}))
    yield
    dk = sys.modules.get("helpers.serving.django_kernel")
    if dk is None:
        return
    for group, patterns in list(dk._url_groups.items()):
        if before.get(group) is not patterns:
            dk.set_urls(group, before.get(group, []))


@pytest.fixture(scope="session")
def django_ready() -> None:
    """Configure Django once for the session, as a kernel does (in-memory database, the course's apps)."""
    from helpers.serving.django_kernel import setup_django

    setup_django()


@pytest.fixture(scope="session")
def library_queries(django_ready):
    """The library's query functions: their module defines Django models, so it needs Django set up first."""
    from helpers.apps import library_queries

    return library_queries


@pytest.fixture
def broker():
    """Start an empty throwaway Redis for one test (about 0.1 s), or skip (fail in CI) where Redis is missing."""
    from helpers.services import redis
    from tests.services.conftest import require

    require(redis.PACKAGE, redis.PROGRAMS)
    server = redis.start_redis("t-broker")
    yield server
    server.stop()
