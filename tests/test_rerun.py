"""Run All twice in one kernel: no error, and no thread or listening socket gained."""
from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from helpers.course import NOTEBOOK_DIR, NOTEBOOKS

EXISTING = [n for n, _ in NOTEBOOKS if (NOTEBOOK_DIR / n).exists()]

PROBE = """
import json, os, threading, psutil
print(json.dumps({
    "threads": threading.active_count(),
    "listening": len([c for c in psutil.Process(os.getpid()).net_connections("tcp") if c.status == psutil.CONN_LISTEN]),
}))
"""


def _run_cells(client: NotebookClient, nb: nbformat.NotebookNode) -> None:
    for index, cell in enumerate(nb.cells):
        client.execute_cell(cell, index)


def _probe(client: NotebookClient) -> dict[str, int]:
    cell = nbformat.v4.new_code_cell(PROBE)
    client.execute_cell(cell, 0)
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    return json.loads(text.strip().splitlines()[-1])


@pytest.mark.parametrize("name", EXISTING)
def test_run_all_twice_in_one_kernel_leaks_nothing(name):
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    with client.setup_kernel():
        _run_cells(client, nb)
        after_first = _probe(client)
        _run_cells(client, nb)  # raises CellExecutionError on any error
        after_second = _probe(client)
    assert after_second["listening"] == after_first["listening"]
    assert after_second["threads"] <= after_first["threads"]
