"""Run All twice in one kernel: no error, and no thread or listening socket gained."""
from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import COURSE_NOTEBOOKS, notebook_client, run_json_cell

PROBE = """
import json, os, threading, psutil
print(json.dumps({
    "threads": threading.active_count(),
    # Process-wide pools (asyncio's default executor, asgiref's, anyio's workers) persist by design.
    # ipykernel starts its fd-watcher threads lazily, so they may be missing from the baseline.
    "own_threads": sorted(t.name for t in threading.enumerate() if not t.name.startswith(
        ("ThreadPoolExecutor-", "AnyIO worker thread", "asyncio_")) and "_watch_pipe_fd" not in t.name),
    "listening": len([c for c in psutil.Process(os.getpid()).net_connections("tcp") if c.status == psutil.CONN_LISTEN]),
}))
"""


# Stop what the notebook left running for the learner, then give handler threads a moment to end.
POOLS = ("ThreadPoolExecutor-", "AnyIO worker thread", "asyncio_")
STOP_ALL = """
import threading, time, helpers
helpers.stop_all()
_end = time.monotonic() + 15
while time.monotonic() < _end and len([t for t in threading.enumerate()
        if not t.name.startswith({pools!r}) and "_watch_pipe_fd" not in t.name]) > {baseline}:
    time.sleep(0.05)
"""


def _run_cells(client: NotebookClient, nb: nbformat.NotebookNode) -> None:
    for index, cell in enumerate(nb.cells):
        # As JupyterLab does when a cell runs again: its old outputs, and the displays in them, are gone.
        # (nbclient clears the outputs but not its map of their display ids, which a server link updates.)
        client.clear_display_id_mapping(index)
        client.execute_cell(cell, index)


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_run_all_twice_in_one_kernel_leaks_nothing(name):
    nb, client = notebook_client(name)
    with client.setup_kernel():
        baseline = run_json_cell(client, PROBE)
        _run_cells(client, nb)
        after_first = run_json_cell(client, PROBE)
        _run_cells(client, nb)  # raises CellExecutionError on any error
        after_second = run_json_cell(client, PROBE)
        stop = STOP_ALL.format(pools=POOLS, baseline=len(baseline["own_threads"]))
        client.execute_cell(nbformat.v4.new_code_cell(stop), 0)
        stopped = run_json_cell(client, PROBE)
    assert after_second["listening"] == after_first["listening"]
    # Pool threads (AnyIO's workers for FastAPI's def routes, executors) grow on demand up to a bound
    # and persist by design: compare the threads the course starts itself, which must not grow.
    assert len(after_second["own_threads"]) <= len(after_first["own_threads"]), after_second["own_threads"]
    # And once its servers are stopped, the kernel is back to where it started.
    assert stopped["listening"] == baseline["listening"]
