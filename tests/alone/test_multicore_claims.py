"""Notebook 03's claims that need the machine's cores to themselves: processes compute side by side, threads don't;
the two framework comparisons' orderings (keep-alive, Django's sync views under ASGI, FastAPI's lead shrinking on one server).

CI runs tests/alone after its lanes, with nothing else running. With fewer than two usable cores, or too
little of them free (other programs running), these tests skip with a reason, or fail where
COURSE_REQUIRE_CORES=1 (CI on a machine with two cores or more).
"""

from __future__ import annotations

import time

import pytest

from helpers.concurrency.cpu_capacity import free_cores, usable_cores
from helpers.concurrency.loadgen import run_load
from helpers.serving.processes import start_gunicorn, stop_processes
from tests.conftest import skip_unless


@pytest.fixture
def two_cores():
    cores = usable_cores()
    skip_unless(None if cores >= 2 else f"needs 2 usable cores, this process may use {cores}", "COURSE_REQUIRE_CORES")
    # The claims are about cores that are free: on a machine busy with other work there may be none to share.
    # What ran just before (a browser, kernels shutting down) can take a few seconds to go quiet: ask again.
    free = free_cores(cores)
    for _ in range(6):
        if free >= 1.6:
            break
        time.sleep(2)
        free = free_cores(cores)
    busy = f"needs about 2 free cores, other programs left {free:.1f} (run it with nothing else running)"
    skip_unless(None if free >= 1.6 else busy, "COURSE_REQUIRE_CORES")
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
    # Back-to-back pairs, up to three: other load comes and goes, so one pair can meet a burst that the next
    # does not. With the claim false (processes squeezed onto one core), no pair passes.
    pairs = []
    try:
        for _ in range(3):
            pairs.append((cores_used(1, 4), cores_used(two_cores, 1)))
            if pairs[-1][1] > 1.15 * pairs[-1][0]:
                break
        twice = cores_used(2 * two_cores, 1)
    finally:
        stop_processes()
    assert all(four < 1.2 for four, _ in pairs), pairs  # one GIL: one process computes on one core at a time
    assert any(per_core > 1.15 * four for four, per_core in pairs), pairs  # one process per core: side by side
    assert twice < two_cores + 0.3  # more processes than cores only take turns


def failed_claims(same: list, prod: list) -> list[str]:
    """Return notebook 03's claims on its two comparisons that these rows don't bear out (empty: all hold)."""
    flask_gthread, django_gthread, django_asgi, fastapi_worker = same
    flask_sync, django_sync, fastapi_uvicorn = prod
    claims = {
        "no request failed": all(r.failed == 0 for r in same + prod),
        # Keep-alive against a connection per request: the same Flask app, two gunicorn workers.
        "gthread over 1.3 x sync": flask_gthread.median > 1.3 * flask_sync.median,
        # Django's sync view under ASGI hops to a thread for every request.
        "Django ASGI under 0.7 x gthread": django_asgi.median < 0.7 * django_gthread.median,
        # Each framework's documented set-up: uvicorn keeps connections alive, the sync worker does not.
        "uvicorn over 1.5 x sync": fastapi_uvicorn.median > 1.5 * max(flask_sync.median, django_sync.median),
        # Part of FastAPI's lead in the documented set-ups is the server: on one server it shrinks.
        "FastAPI's lead smaller on one server": fastapi_worker.median / flask_gthread.median
        < fastapi_uvicorn.median / flask_sync.median,
    }
    return [claim for claim, holds in claims.items() if not holds]


def test_the_framework_comparisons_claims_hold(two_cores):
    # Notebook 03's verdicts on its two comparisons, on short runs (2 s, once each). A burst of other work during
    # one set-up's run moves its median (ci41: gthread at 1.30 x sync, against "over 1.3"), so up to two tries, as
    # the pairs above: with a claim false, no try bears it out.
    from helpers.concurrency import framework_load as fl

    tries = []
    try:
        for _ in range(2):
            same = fl.compare(fl.same_server(workers=2), seconds=2.0, repeats=1, progress=False, name="t-same")
            prod = fl.compare(fl.production(workers=2), seconds=2.0, repeats=1, progress=False, name="t-prod")
            tries.append(({r.setup.label: round(r.median) for r in same + prod}, failed_claims(same, prod)))
            if not tries[-1][1]:
                break
    finally:
        stop_processes()
    assert not tries[-1][1], tries
