"""Django's tasks app (django-tasks with its database backend): an order stores a task, db_worker runs it.

The project configures Django's settings for its own process, so it runs in fresh processes here, as
under gunicorn, never in the test session's Django.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from helpers.apps import receipts
from helpers.jobs.workers import DJANGO_SETTINGS, ROOT, django_admin

CLIENT = """
import json, django
django.setup()
from django.test import Client
from django_tasks_db.models import DBTaskResult
c = Client()
queued, inline, get = c.post("/orders/1?fail=1"), c.post("/orders/2/inline"), c.get("/orders/3")
row = DBTaskResult.objects.get()
print(json.dumps({"queued": [queued.status_code, queued.json()], "inline": inline.status_code, "get": get.status_code,
                  "row": [str(row.id), row.status, row.task_path, row.args_kwargs]}))
"""


@pytest.fixture
def env(tmp_path, monkeypatch):
    env = {
        "RECEIPTS_DB": str(tmp_path / "receipts.sqlite3"),
        "TASKS_DB": str(tmp_path / "tasks.sqlite3"),
        "RECEIPT_SECONDS": "0.01",
    }
    monkeypatch.setenv("RECEIPTS_DB", env["RECEIPTS_DB"])
    django_admin("migrate", env=env)
    return env


def test_an_order_stores_a_ready_task_and_inline_sends_at_once(env):
    full = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": DJANGO_SETTINGS, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", CLIENT], cwd=ROOT, env=full, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    status, body = seen["queued"]
    task_id, state, path, args = seen["row"]
    assert status == 202 and body == {"order": 1, "receipt": "queued", "task": task_id}
    assert state == "READY" and path == "helpers.apps.jobs_django.tasks.send_receipt"
    assert args == {"args": [1, 1], "kwargs": {}}  # stored as JSON
    assert seen["inline"] == 201 and seen["get"] == 405
    assert receipts.receipts_sent() == [2]  # only the inline one so far

    # The worker in batch mode runs what is ready, then exits: the task fails once and is not tried again.
    django_admin("db_worker", "--batch", "--no-startup-delay", env=env)
    assert receipts.attempts() == {1: 1, 2: 1} and receipts.receipts_sent() == [2]
