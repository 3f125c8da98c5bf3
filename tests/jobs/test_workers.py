"""Job workers as real processes: they start within a deadline, die whole when killed, and leave nothing."""

from __future__ import annotations

import time

import psutil
import pytest

import helpers
from helpers.apps.jobs_queue import enqueue_receipt, receipts_queue
from helpers.jobs import workers
from helpers.jobs.workers import JobWorkerError, django_admin, start_db_worker, start_rq_worker
from helpers.services.base import free_port


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def env(tmp_path):
    return {"RECEIPTS_DB": str(tmp_path / "receipts.sqlite3"), "TASKS_DB": str(tmp_path / "tasks.sqlite3")}


def test_an_rq_worker_killed_mid_job_takes_its_work_horse_with_it(broker, env, monkeypatch):
    worker = start_rq_worker(broker.url, "t-rq", env=env)
    assert worker.running and "rq.cli worker" in worker.command and "Listening on receipts" in worker.log()
    monkeypatch.setenv("RECEIPTS_DB", env["RECEIPTS_DB"])  # the enqueueing side names the same file
    enqueue_receipt(receipts_queue(broker.url), 1)
    end = time.monotonic() + 10
    while len(worker.processes()) < 2 and time.monotonic() < end:  # RQ forks a work horse for the job
        time.sleep(0.02)
    pids = [p.pid for p in worker.processes()]
    assert len(pids) == 2, worker.log_tail()
    worker.kill()
    assert not worker.running and not any(alive(p) for p in pids)
    assert workers.list_workers() == []


def test_a_db_worker_starts_on_a_migrated_database_and_stop_all_stops_it(env):
    assert "Applying django_tasks_database.0001_initial... OK" in django_admin("migrate", env=env)
    worker = start_db_worker("t-db", env=env)
    pids = [p.pid for p in worker.processes()]
    assert pids and workers.list_workers() == [worker]
    assert helpers.stop_all() >= 1
    assert not any(alive(p) for p in pids) and workers.list_workers() == []


def test_starting_twice_under_one_name_replaces_the_first(broker, env):
    first = start_rq_worker(broker.url, "t-rq", env=env)
    second = start_rq_worker(broker.url, "t-rq", env=env)
    assert not alive(first.pid) and workers.list_workers() == [second]
    second.stop()


def test_a_worker_that_cannot_reach_its_broker_fails_with_what_it_said(env):
    with pytest.raises(JobWorkerError, match=r"rq worker 't-rq' exited with code \d+ while starting"):
        start_rq_worker(f"redis://127.0.0.1:{free_port()}/0", "t-rq", env=env)
    assert workers.list_workers() == []


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="redis_url"):
        start_rq_worker("http://127.0.0.1:1", "t-rq")
    with pytest.raises(ValueError, match="name must be"):
        start_db_worker("bad name")
    with pytest.raises(ValueError, match="env must map"):
        start_db_worker("t-db", env={"lower": "x"})
    with pytest.raises(JobWorkerError, match="django-admin nosuchcommand failed"):
        django_admin("nosuchcommand")
