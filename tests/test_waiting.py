"""Held connections: the server's threads, memory and a probe, step by step; the fitted slope."""

from __future__ import annotations

import pytest

from helpers.concurrency.waiting import WaitingPoint, fit_memory, hold_connections
from helpers.serving.processes import start_gunicorn, start_uvicorn, stop_processes


def test_held_connections_take_threads_on_gthread_not_on_uvicorn():
    try:
        threaded = start_gunicorn("helpers.apps.serving_flask:app", "t-wait-g", threads=100, ready_path="/json")
        t_points = hold_connections(threaded, [20, 40], wait_s=5)
        loop = start_uvicorn("helpers.apps.serving_fastapi:app", "t-wait-u", ready_path="/json")
        l_points = hold_connections(loop, [20, 40], wait_s=5)
    finally:
        stop_processes()
    assert [p.waiting for p in t_points] == [0, 20, 40]
    assert t_points[2].threads >= t_points[0].threads + 35  # one thread per waiting connection
    assert l_points[2].threads - l_points[0].threads <= 2
    assert all(p.probe_answered for p in t_points + l_points)
    assert all(p.rss_mib > 10 for p in t_points + l_points)


def test_past_its_threads_a_threaded_server_makes_the_probe_wait():
    try:
        threaded = start_gunicorn("helpers.apps.serving_flask:app", "t-wait-full", threads=10, ready_path="/json")
        points = hold_connections(threaded, [10], wait_s=5, probe_timeout=0.5)
    finally:
        stop_processes()
    assert points[0].probe_answered and not points[1].probe_answered


def test_a_waiting_connection_costs_tens_of_kib_not_megabytes():
    # Notebook 03's claim, on fewer connections: the fitted slope of resident memory per waiting connection.
    slopes = {}
    try:
        threaded = start_gunicorn("helpers.apps.serving_flask:app", "t-kib-g", threads=400, ready_path="/json")
        slopes["gthread"] = fit_memory(hold_connections(threaded, [100, 200, 300], wait_s=10))[1]
        threaded.stop()
        loop = start_uvicorn("helpers.apps.serving_fastapi:app", "t-kib-u", ready_path="/json")
        slopes["uvicorn"] = fit_memory(hold_connections(loop, [100, 200, 300], wait_s=10))[1]
    finally:
        stop_processes()
    assert all(1 < kib < 200 for kib in slopes.values()), slopes


def test_fit_memory_recovers_a_line():
    points = [WaitingPoint(n, 50 + n * 24 / 1024, 5, 0.001, True) for n in (0, 100, 200, 300)]
    base, kib = fit_memory(points)
    assert base == pytest.approx(50) and kib == pytest.approx(24)
    assert fit_memory(points + [WaitingPoint(400, 1.0, 5, 1.0, False)], up_to=300) == pytest.approx((base, kib))
    with pytest.raises(ValueError, match="two or more"):
        fit_memory(points[:1])


@pytest.mark.parametrize("steps", [[], [10, 5], [0], "100", [6000]])
def test_bad_steps_are_refused(steps):
    with start_uvicorn("helpers.apps.serving_fastapi:app", "t-wait-bad", ready_path="/json") as server:
        with pytest.raises(ValueError, match="step"):
            hold_connections(server, steps)


def setup(label_start: str, **kwargs):
    """Return the waiting set-up whose label starts with `label_start`."""
    from helpers.concurrency.waiting import waiting_setups

    return next(s for s in waiting_setups(**kwargs) if s.label.startswith(label_start))


def test_gevent_holds_connections_without_a_thread_each_and_django_s_asgi_handler_does_not():
    from helpers.concurrency.waiting import hold_setup

    try:
        gevent = hold_setup(setup("Flask, gunicorn gevent", max_connections=1000), [100, 300], wait_s=8)
        django = hold_setup(setup("Django async"), [100, 300], wait_s=8)
    finally:
        stop_processes()
    for points in (gevent, django):
        assert all(p.probe_answered for p in points), [p.probe_s for p in points]
        assert points[2].fds >= points[0].fds + 290  # a file descriptor per accepted connection
        assert points[2].queued == 0  # every connection accepted, none left in the listen queue
    assert gevent[2].threads - gevent[0].threads <= 3, [p.threads for p in gevent]  # greenlets, not threads
    # Django's ASGI handler runs each request's sync parts (the database's request_started receivers) in a
    # thread of that request's own context, which lives as long as the request: an async view too.
    assert django[2].threads - django[0].threads >= 150, [p.threads for p in django]


def test_fastapi_def_routes_stop_at_anyio_s_40_threads():
    from helpers.concurrency.waiting import hold_setup

    try:
        points = hold_setup(setup("FastAPI def"), [20, 60], wait_s=6)
    finally:
        stop_processes()
    base, twenty, sixty = points
    assert twenty.probe_answered and not sixty.probe_answered  # a 61st def request waits for a thread
    assert 38 <= sixty.threads - base.threads <= 42, [p.threads for p in points]


def test_past_worker_connections_gthread_leaves_connections_in_the_listen_queue():
    import resource

    try:
        server = start_gunicorn(
            "helpers.apps.serving_flask:app", "t-wait-queue", threads=40, worker_connections=20, ready_path="/json"
        )
        points = hold_connections(server, [10, 30], wait_s=6, probe_timeout=0.5)
        limit = server.fd_limit()
    finally:
        stop_processes()
    assert points[1].queued == 0 and points[2].queued >= 8, [p.queued for p in points]
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    # The start raised the soft limit on open files as far as the hard limit allows (at most 65,536).
    assert limit == (65536 if hard == resource.RLIM_INFINITY else min(hard, 65536))


def test_a_server_whose_held_requests_were_abandoned_is_killed_at_once_and_leaves_nothing():
    # hold_setup stops its server with graceful=False: the held requests' clients are gone, so waiting out
    # uvicorn's graceful shutdown (1 s here) would only add time to every set-up of notebook 03's table.
    import time

    import psutil

    from helpers.concurrency.loadgen import start_load

    took = {}
    try:
        for graceful in (True, False):
            server = start_uvicorn("helpers.apps.serving_fastapi:app", f"t-kill-{graceful}", ready_path="/json")
            pids = [p.pid for p in server.processes()]
            run = start_load(server.url, "/io?ms=20000", connections=5, timeout=30)
            run.wait_sent(deadline=10)
            run.stop()
            t0 = time.perf_counter()
            server.stop(graceful=graceful)
            took[graceful] = time.perf_counter() - t0
            assert not server.running
            assert not [pid for pid in pids if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
    finally:
        stop_processes()
    assert took[False] < took[True] / 2, took
