"""Workers restarted under load: gunicorn's HUP and uvicorn's SIGHUP lose nothing; a killed worker loses its requests."""

from __future__ import annotations

import pytest

from helpers.deploy import restarts
from helpers.deploy.restarts import restart_under_load, workers_of
from helpers.serving.processes import start_gunicorn


@pytest.mark.parametrize("kind", [k for k, promised in restarts.PROMISES_ZERO.items() if promised])
def test_a_graceful_restart_fails_no_request(kind, no_processes_left):
    r = restart_under_load(kind, seconds=2.5)
    assert r.replaced, r  # every old worker gone, as many new ones serving
    assert not set(r.old_workers) & set(r.new_workers) and len(r.new_workers) == restarts.WORKERS
    assert r.ok >= 20, r  # the load ran across the restart
    assert r.failed == 0, r.errors  # what the server's docs promise
    assert r.promises_zero


def test_a_killed_worker_is_replaced_and_every_request_is_counted(no_processes_left):
    r = restart_under_load("uvicorn-kill-worker", seconds=2.5)
    assert r.replaced, r
    assert r.old_workers[0] not in r.new_workers and r.old_workers[1] in r.new_workers  # only the victim replaced
    assert r.requests == r.ok + r.failed and r.ok >= 20
    assert set(r.errors) <= {"dropped", "refused", "timeout"}, r.errors  # lost in flight, never a wrong answer
    assert not r.promises_zero
    assert r.as_dict()["failed"] == r.failed


def test_workers_of_lists_the_masters_children():
    server = start_gunicorn("helpers.apps.serving_flask:app", "t-deploy-workers", workers=2, ready_path="/json")
    try:
        pids = workers_of(server)
        assert len(pids) == 2 and server.pid not in pids
    finally:
        server.stop()
    assert workers_of(server) == []


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"kind": "gunicorn-reload"}, "kind must be one of .*'uvicorn-hup'"),
        ({"seconds": 0.5}, "seconds must be"),
        ({"connections": 0}, "connections must be"),
        ({"path": "json"}, "path must start with '/'"),
    ],
)
def test_bad_input_is_refused_naming_what_is_allowed(kwargs, expected):
    with pytest.raises(ValueError, match=expected):
        restart_under_load(**kwargs)
