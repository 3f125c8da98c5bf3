"""What the tests, benchmarks and tools share (harness/), checked without a browser."""

from __future__ import annotations

import ast
import os
import re
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from harness import chromium
from harness.cache import cache_dir
from harness.lab import LAB_ARGS, LAB_SETTINGS, WIDGET_MIME, blank_copy, expected_counts, is_ready, write_lab_settings
from harness.processes import NotReady, answers, free_port, start_and_wait, stop_tree, wait_until

ROOT = Path(__file__).resolve().parent.parent

# A tiny HTTP server that says so in its log, then answers 200 on every path.
SERVER = """import http.server, sys
print("serving on", sys.argv[1], flush=True)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), http.server.SimpleHTTPRequestHandler).serve_forever()
"""


def python(code: str, *args: str) -> list[str]:
    """Return the command that runs `code` in this Python."""
    return [sys.executable, "-c", code, *args]


# --- the poll loop ---------------------------------------------------------------------------------------


def test_wait_until_returns_once_ready():
    calls = []
    seconds = wait_until(lambda: calls.append(1) or len(calls) >= 3, "three calls", deadline=10, interval=0.01)
    assert len(calls) == 3 and seconds < 5


def test_start_and_wait_returns_a_server_that_answers(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = start_and_wait(
        python(SERVER, str(port)), answers(url), "the test server", tmp_path / "server.log", deadline=60, cwd=tmp_path
    )
    try:
        assert proc.poll() is None and answers(url)()
        assert not answers(url + "no-such-file")(), "a 404 is not the 200 asked for"
        assert "serving on" in (tmp_path / "server.log").read_text()
    finally:
        stop_tree(proc)
    assert proc.poll() is not None and not answers(url, timeout=0.5)()


def test_a_server_that_never_answers_times_out_with_its_log_and_is_stopped(tmp_path):
    code = "import os, time; print('pid', os.getpid(), 'still starting', flush=True); time.sleep(600)"
    t0 = time.monotonic()
    with pytest.raises(NotReady, match=r"the slow server was not ready within 1\.5 s") as caught:
        start_and_wait(python(code), lambda: False, "the slow server", tmp_path / "slow.log", deadline=1.5)
    assert time.monotonic() - t0 < 30
    message = str(caught.value)
    assert "still starting" in message and str(tmp_path / "slow.log") in message, message
    pid = int(re.search(r"pid (\d+)", message).group(1))
    assert not psutil.pid_exists(pid), "start_and_wait left the process running"


def test_a_process_that_exits_is_noticed_before_the_deadline(tmp_path):
    code = "print('bad config: port is not a number', flush=True); raise SystemExit(3)"
    t0 = time.monotonic()
    with pytest.raises(NotReady, match="the broken server exited with code 3 before it was ready") as caught:
        start_and_wait(python(code), lambda: False, "the broken server", tmp_path / "broken.log", deadline=120)
    assert time.monotonic() - t0 < 60, "it waited for the deadline instead of seeing the exit"
    assert "bad config: port is not a number" in str(caught.value)


def test_an_exited_process_fails_even_if_something_else_answers(tmp_path):
    """Another server on the same port must not pass for one that crashed."""
    proc = subprocess.Popen(python("raise SystemExit(1)"))
    proc.wait(30)
    with pytest.raises(NotReady, match="exited with code 1"):
        wait_until(lambda: True, "the crashed server", deadline=10, proc=proc)


def test_answers_is_false_while_nothing_listens():
    port = free_port()
    assert answers(f"http://127.0.0.1:{port}/", timeout=0.5)() is False


PARENT = (
    "import subprocess, sys, time; c = subprocess.Popen([sys.executable, '-c', sys.argv[1]], "
    "stdout=subprocess.PIPE); c.stdout.readline(); print(c.pid, flush=True); time.sleep(600)"
)


def parent_and_child(child: str) -> tuple[subprocess.Popen, int]:
    """Start a parent that starts `child` (which prints a line once set up); return the parent and the child's PID."""
    proc = subprocess.Popen(python(PARENT, child), stdout=subprocess.PIPE, text=True)
    return proc, int(proc.stdout.readline())


def test_stop_tree_kills_and_reports_what_outlives_its_parent():
    # A child that ignores SIGTERM and never looks at its parent, as a hung kernel.
    proc, child_pid = parent_and_child(
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(600)"
    )
    assert stop_tree(proc, grace=2) == [child_pid]
    assert proc.poll() is not None
    assert not psutil.pid_exists(child_pid) or psutil.Process(child_pid).status() == psutil.STATUS_ZOMBIE


def test_stop_tree_lets_a_child_that_follows_its_parent_exit_on_its_own():
    """A kernel exits a moment after its server (it polls its parent): that is not a process left behind."""
    proc, child_pid = parent_and_child(
        "import os, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "parent = os.getppid(); print('ready', flush=True)\n"
        "while os.getppid() == parent: time.sleep(0.2)\n"
        "time.sleep(1.5)"
    )
    t0 = time.monotonic()
    assert stop_tree(proc, grace=20) == []
    assert time.monotonic() - t0 < 15
    assert not psutil.pid_exists(child_pid) or psutil.Process(child_pid).status() == psutil.STATUS_ZOMBIE


def test_free_port_can_be_bound_on_loopback():
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
    assert 1024 < port < 65536


# --- the cache folder --------------------------------------------------------------------------------------


def test_cache_dir_is_course_ci_cache_when_set(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_CI_CACHE", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "mine"


def test_cache_dir_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_CI_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "course-ci"


def test_cache_dir_defaults_to_the_home_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_CI_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "")  # empty means unset (XDG Base Directory spec)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".cache" / "course-ci"


# --- Chromium ------------------------------------------------------------------------------------------------


def fake_program(folder: Path, name: str) -> Path:
    """Make an executable file called `name` in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_find_chromium_finds_either_debian_name_on_the_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert chromium.find_chromium() is None
    assert "Chromium not found" in chromium.missing_chromium()
    older = fake_program(tmp_path / "old", "chromium-browser")
    monkeypatch.setenv("PATH", str(older.parent))
    assert chromium.find_chromium() == str(older)
    newer = fake_program(tmp_path / "new", "chromium")
    monkeypatch.setenv("PATH", os.pathsep.join([str(older.parent), str(newer.parent)]))
    assert chromium.find_chromium() == str(newer), "Debian's current name comes first"


def test_launching_without_chromium_says_why(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="Chromium not found"):
        with chromium.launch_chromium():
            pass


def test_chromium_runs_headless_and_phones_nowhere():
    args = chromium.CHROMIUM_ARGS
    assert "--headless" in args and "--no-sandbox" in args  # CI runs as root, with no display
    assert {"--disable-background-networking", "--disable-component-update", "--disable-sync"} <= set(args)


# --- JupyterLab's pure parts ---------------------------------------------------------------------------------


def test_write_lab_settings_writes_every_setting_as_json(tmp_path):
    import json

    folder = write_lab_settings(tmp_path / "settings")
    for rel, values in LAB_SETTINGS.items():
        assert json.loads((folder / rel).read_text()) == values
    assert LAB_SETTINGS["@jupyterlab/docmanager-extension/plugin.jupyterlab-settings"]["autosave"] is False


def test_blank_copy_drops_outputs_and_counts_and_expected_counts_reads_the_original(tmp_path):
    view = new_output("display_data", data={WIDGET_MIME: {"model_id": "a" * 32}, "text/plain": "VBox()"})
    nb = new_notebook(
        cells=[
            new_markdown_cell("```mermaid\nflowchart LR\n A --> B\n```\n```mermaid\nA\n```"),
            new_code_cell("w", outputs=[view], execution_count=4),
            new_code_cell("print(1)", outputs=[new_output("stream", text="1\n")], execution_count=5),
        ]
    )
    src = tmp_path / "src.ipynb"
    nbformat.write(nb, src)
    assert expected_counts(src) == {"mermaid": 2, "widgets": 1}
    blank_copy(src, tmp_path / "deep" / "copy.ipynb")
    copy = nbformat.read(tmp_path / "deep" / "copy.ipynb", as_version=4)
    assert [c.get("outputs") for c in copy.cells if c.cell_type == "code"] == [[], []]
    assert [c.execution_count for c in copy.cells if c.cell_type == "code"] == [None, None]
    assert expected_counts(tmp_path / "deep" / "copy.ipynb") == {"mermaid": 2, "widgets": 0}


# The notebook in front as JupyterLab saw it in a hub test on a busy machine, when the old wait
# (tab in front, a cell shown, the kernel indicator reading "idle") let the test go on: the file
# not loaded yet (one placeholder cell) and no kernel. Clear All then cleared the placeholder.
NOT_LOADED = {
    "restored": True,
    "path": "course/notebooks/00_start_here.ipynb",
    "loaded": False,
    "session": False,
    "kernelName": "No Kernel",
    "kernel": None,
    "connection": None,
    "menus": True,
}
READY = {
    **NOT_LOADED,
    "loaded": True,
    "session": True,
    "kernelName": "Python 3 (ipykernel)",
    "kernel": "idle",
    "connection": "connected",
}


def test_a_notebook_is_ready_only_loaded_in_front_with_a_connected_idle_kernel():
    assert is_ready(READY, "course/notebooks/00_start_here.ipynb")
    assert is_ready(READY, "notebooks/00_start_here.ipynb"), "a path inside the server's root folder"
    assert not is_ready(NOT_LOADED, "course/notebooks/00_start_here.ipynb")
    assert not is_ready({**READY, "loaded": False}, "notebooks/00_start_here.ipynb")
    assert not is_ready({**READY, "kernel": "starting", "connection": "connecting"}, "notebooks/00_start_here.ipynb")
    assert not is_ready({**READY, "kernel": "busy"}, "notebooks/00_start_here.ipynb")
    assert not is_ready({**READY, "connection": "disconnected"}, "notebooks/00_start_here.ipynb")
    assert not is_ready({**READY, "session": False}, "notebooks/00_start_here.ipynb")
    assert not is_ready({**READY, "menus": False}, "notebooks/00_start_here.ipynb")
    assert not is_ready({**READY, "restored": False}, "notebooks/00_start_here.ipynb")
    assert not is_ready(READY, "notebooks/01_architecture.ipynb"), "another notebook in front"
    assert not is_ready(READY, "start_here.ipynb"), "only whole path parts match"
    assert not is_ready({**READY, "path": None}, "notebooks/00_start_here.ipynb"), "no document in front"
    assert not is_ready(None, "notebooks/00_start_here.ipynb"), "JupyterLab not started"


def test_the_lab_and_the_hub_expose_jupyterlab_to_the_tests(tmp_path):
    """Without window.jupyterapp, wait_for_kernel would wait for ever."""
    from tests.hub.hub import write_config

    assert "--LabApp.expose_app_in_browser=True" in LAB_ARGS
    config = write_config(tmp_path, "chp", free_port(), "secret").read_text()
    assert "--LabApp.expose_app_in_browser=True" in config


# --- what the package promises -----------------------------------------------------------------------------


def imported_modules(path: Path) -> set[str]:
    """Return the top-level names of every module `path` imports."""
    tree = ast.parse(path.read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return {name.split(".")[0] for name in names}


def test_helpers_never_import_harness_or_tools():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "helpers").rglob("*.py")
        if imported_modules(p) & {"harness", "tools", "tests"}
    ]
    assert not offenders, offenders


def test_nothing_imports_a_private_name_from_harness():
    """What the tests, benchmarks and tools share is public: no `from harness.x import _y`."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        if any(part.startswith(".") for part in path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("harness"):
                offenders += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert not offenders, offenders


def test_a_notebook_gets_twice_its_stored_run_time_in_the_browser_and_never_less_than_the_floor(tmp_path):
    from harness.lab import run_all_timeout

    slow, new = tmp_path / "slow.ipynb", tmp_path / "new.ipynb"
    slow.write_text('{"cells": [], "metadata": {"run_all_seconds": 110}}', encoding="utf-8")
    new.write_text('{"cells": [], "metadata": {}}', encoding="utf-8")
    assert run_all_timeout(slow) == 220 and run_all_timeout(new) == 90 and run_all_timeout(slow, floor=300) == 300
