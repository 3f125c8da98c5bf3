"""`import helpers` is light: a server process of `helpers.apps.X:app` imports no IPython, ipywidgets or matplotlib."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

import helpers
from helpers.serving.processes import ROOT, ServerProcess, start_gunicorn
from tests.gunicorn_modules_hook import MARK

HEAVY = ("IPython", "ipywidgets", "matplotlib")  # what a notebook needs and a server process must not load

# Modules that run in server or client processes: the apps notebooks 02, 03, 06, 07 and 08 start as processes.
PROCESS_MODULES = [
    "helpers",
    "helpers.apps.serving_flask",
    "helpers.apps.serving_django",
    "helpers.apps.serving_fastapi",
    "helpers.apps.serving_django_project",
    "helpers.apps.concurrency_flask",
    "helpers.apps.concurrency_django",
    "helpers.apps.concurrency_fastapi",
    "helpers.apps.fanout_flask",
    "helpers.apps.fanout_django",
    "helpers.apps.fanout_fastapi",
    "helpers.apps.hello_fastapi",
    "helpers.apps.deploy_flask",
    "helpers.apps.deploy_fastapi",
    "helpers.apps.stock_flask",
    "helpers.apps.stock_fastapi_async",
    "helpers.apps.stock_fastapi_sync",
    "helpers.apps.stock_fastapi_sync_limited",
    "helpers.apps.stock_django.wsgi",
    "helpers.concurrency.loadgen_client",
    "helpers.concurrency.checkout_race",
    "helpers.concurrency.django_async_orm",
]

# Imports each module in turn and prints the heavy modules each one added: a fresh interpreter, as a server has.
IMPORT_EACH = f"""
import importlib, json, sys
heavy = lambda: {{m for m in sys.modules if m.split(".")[0] in {HEAVY!r}}}
added = {{}}
for name in {PROCESS_MODULES!r}:
    before = heavy()
    importlib.import_module(name)
    added[name] = sorted(heavy() - before)
print(json.dumps(added))
"""


def run_python(code: str) -> object:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_modules_run_in_server_processes_import_nothing_heavy():
    added = run_python(IMPORT_EACH)
    assert added == {name: [] for name in PROCESS_MODULES}


def worker_reports(server: ServerProcess) -> list[str]:
    """Return the lines the hook of tests/gunicorn_modules_hook.py wrote to the server's log, oldest first."""
    return [line for line in server.stderr_tail(lines=1_000_000).splitlines() if line.startswith(MARK)]


def test_a_gunicorn_worker_of_serving_flask_imports_no_ipython(monkeypatch):
    """Read the modules a real worker has loaded, from the worker itself, after it served a request.

    The server is the one notebook 03 starts: `helpers.apps.serving_flask:app` under the course's
    `start_gunicorn`, nothing added to the app or its import string. Only gunicorn's settings change,
    through its GUNICORN_CMD_ARGS environment variable (the helper passes the kernel's environment on):
    a `post_request` hook in tests/gunicorn_modules_hook.py makes the worker print its `sys.modules`
    to its stderr, which the helper keeps as the server's log. Python's import profiler
    (PYTHONPROFILEIMPORTTIME) was tried and is not reliable here: it does not list modules imported
    through importlib.import_module, which is how gunicorn imports the app.
    """
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--config python:tests.gunicorn_modules_hook")
    with start_gunicorn("helpers.apps.serving_flask:app", "t-light", workers=1, ready_path="/json") as server:
        assert server.get("/json").json()["framework"] == "Flask"
        # The hook runs once the answer is sent: wait for the line of this request (the start's probe wrote one).
        end = time.monotonic() + 10
        while len(reports := worker_reports(server)) < 2 and time.monotonic() < end:
            time.sleep(0.05)
    assert len(reports) >= 2, "the worker's hook never reported"
    modules = json.loads(reports[-1][len(MARK) :])
    assert {"flask", "gunicorn.workers.sync", "helpers", "helpers.apps.serving_flask"} <= set(modules)
    assert [m for m in modules if m.split(".")[0] in HEAVY] == []


def test_the_short_names_import_on_first_use():
    code = """
import json, sys
import helpers
loaded_by_import = sorted(m for m in ("helpers.coursework.checks", "helpers.display", "helpers.serving.servers",
                                      "helpers.serving.logs", "IPython") if m in sys.modules)
unlisted = sorted(set(helpers.__all__) - set(dir(helpers)))  # dir() lists the short names before they load
from helpers import Table, check, serve, stop_all
import helpers.coursework.checks, helpers.display, helpers.serving.registry, helpers.serving.servers
print(json.dumps({"loaded_by_import": loaded_by_import, "unlisted": unlisted,
                  "same": [check is helpers.coursework.checks.check, serve is helpers.serving.servers.serve,
                           stop_all is helpers.serving.registry.stop_all, Table is helpers.display.Table]}))
"""
    assert run_python(code) == {"loaded_by_import": [], "unlisted": [], "same": [True, True, True, True]}
    # Every short name resolves, and a typo still fails as on any module.
    assert all(getattr(helpers, name) is not None for name in helpers.__all__)
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        helpers.no_such_name  # noqa: B018
