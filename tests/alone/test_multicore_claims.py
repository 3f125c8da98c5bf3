"""Notebook 03's claims that need the machine's cores to themselves: processes compute side by side, threads don't.

CI runs tests/alone after its lanes, with nothing else running; with fewer than two usable cores these
tests skip with a reason, or fail where COURSE_REQUIRE_CORES=1 (CI on a machine with two cores or more).
"""

from __future__ import annotations

import pytest

from helpers.concurrency.cpu_capacity import usable_cores
from helpers.concurrency.loadgen import run_load
from helpers.serving.processes import start_gunicorn, start_uvicorn, stop_processes
from tests.conftest import skip_unless


@pytest.fixture
def two_cores():
    cores = usable_cores()
    skip_unless(None if cores >= 2 else f"needs 2 usable cores, this process may use {cores}", "COURSE_REQUIRE_CORES")
    return cores


def cores_used(workers: int, threads: int) -> float:
    """Return the cores' worth of CPU a gunicorn Flask server spent on 8 requests of 60 ms CPU, per second of wall."""
    server = start_gunicorn(
        "helpers.apps.serving_flask:app", f"t-cores-{workers}x{threads}", workers=workers, threads=threads,
        ready_path="/json",
    )  # fmt: skip
    try:
        before = server.cpu_seconds()
        load = run_load(server.url, "/cpu?ms=60", connections=8, progress=False)
        return (server.cpu_seconds() - before) / load.makespan
    finally:
        server.stop()


def test_threads_share_one_core_and_processes_use_several(two_cores):
    try:
        four_threads = cores_used(1, 4)
        per_core = cores_used(two_cores, 1)
        twice = cores_used(2 * two_cores, 1)
    finally:
        stop_processes()
    assert four_threads < 1.2  # one GIL: one process computes on one core at a time
    assert per_core > 1.15 * four_threads  # one process per core: side by side
    assert twice < two_cores + 0.3  # more processes than cores only take turns


def test_fastapi_on_uvicorn_answers_more_hello_requests_than_django_on_sync_workers(two_cores):
    throughput = {}
    try:
        for name, start, app in (
            ("Django", start_gunicorn, "helpers.apps.serving_django_project:wsgi"),
            ("FastAPI", start_uvicorn, "helpers.apps.serving_fastapi:app"),
        ):
            server = start(app, f"t-hello-{name.lower()}", workers=2, ready_path="/json")
            load = run_load(server.url, "/json", connections=8, requests=600, processes=2, warm=True, progress=False)
            assert load.ok == load.requests == 600
            throughput[name] = load.throughput
            server.stop()
    finally:
        stop_processes()
    assert throughput["FastAPI"] > throughput["Django"], throughput
