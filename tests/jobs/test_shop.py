"""A Shop runs one way for real: Flask + RQ and Django's tasks keep jobs waiting, send them once a worker runs."""

from __future__ import annotations

import psutil
import pytest

from helpers.apps.receipts import SECONDS
from helpers.jobs.shop import WAYS, Shop

WAIT = 2 * SECONDS + 3  # two receipts, one worker, and a margin for a busy machine


def gone(pids: list[int]) -> bool:
    return not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in pids)


def test_flask_jobs_wait_in_redis_through_the_web_process_death_and_a_worker_sends_them(broker):
    with Shop("flask-rq", redis=broker, name="t-flask") as shop:
        shop.start_web()  # no job worker yet
        shop.order(1), shop.order(2)
        assert shop.waiting() == 2 and shop.sent() == []
        shop.kill_web()
        assert not shop.web.running and shop.waiting() == 2  # Redis holds them, not the web process
        shop.start_worker()
        assert shop.wait_for(2, WAIT) == [1, 2] and shop.waiting() == 0
        pids = [p.pid for p in shop.worker.processes()]
        folder = shop.folder
    assert gone(pids) and not folder.exists()


def test_django_tasks_wait_in_the_database_and_a_failed_one_is_not_retried():
    with Shop("django-tasks", name="t-django") as shop:
        shop.start_web()
        shop.order(1), shop.order(2, fail=1)
        assert shop.waiting() == 2  # two READY rows
        shop.start_worker()
        # The good one is sent; the failing one ran once and stays FAILED: Django's tasks have no retry.
        assert shop.wait_for(1, WAIT) == [1]
        shop.wait_for(2, 0.5)
        assert shop.attempts() == {1: 1, 2: 1} and shop.sent() == [1]
        assert shop.waiting() == 0 and shop.running_jobs() == 0
        assert WAYS["django-tasks"].retries == 0


def test_a_job_worker_killed_mid_job_leaves_that_job_marked_running_and_a_new_one_sends_the_rest():
    with Shop("django-tasks", name="t-django-kill") as shop:
        shop.start()
        shop.order(1), shop.order(2)
        assert shop.wait_running(10) == 1  # the worker took the first job
        shop.kill_worker()
        assert shop.running_jobs() == 1 and shop.waiting() == 1 and shop.sent() == []
        shop.start_worker()
        assert shop.wait_for(2, SECONDS + 3) == [2]
        assert shop.running_jobs() == 1  # the dead worker's job: django-tasks-db does not recover it


def test_a_shop_refuses_what_it_cannot_run():
    with pytest.raises(ValueError, match="way must be one of"):
        Shop("celery")
    with pytest.raises(ValueError, match="needs a Redis"):
        Shop("flask-rq")
    with Shop("fastapi-background", name="t-bg") as shop, pytest.raises(ValueError, match="no job worker"):
        shop.start_worker()
