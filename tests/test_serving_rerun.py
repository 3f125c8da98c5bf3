"""Run All twice in one kernel on the serving notebook: no process, thread or listening socket gained."""
from __future__ import annotations

from tests.conftest import notebook_client, run_json_cell

NOTEBOOK = "03_serving.ipynb"

# What the kernel owns: its threads, its child processes (servers, workers, load clients)
# and every listening socket among them.
PROBE = """
import json, os, threading, psutil
_me = psutil.Process(os.getpid())
_tree = [_me, *_me.children(recursive=True)]
_listening = set()
for _p in _tree:
    try:
        _listening |= {c.laddr for c in _p.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
    except psutil.NoSuchProcess:
        pass
print(json.dumps({
    "threads": threading.active_count(),
    "children": sorted(" ".join(p.cmdline()[1:4]) for p in _tree[1:] if p.is_running()
                       and p.status() != psutil.STATUS_ZOMBIE),
    "listening": len(_listening),
}))
"""


def test_run_all_twice_leaves_no_server_process_thread_or_socket():
    nb, client = notebook_client(NOTEBOOK)
    with client.setup_kernel():
        baseline = run_json_cell(client, PROBE)
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        after_first = run_json_cell(client, PROBE)
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)  # raises CellExecutionError on any error
        after_second = run_json_cell(client, PROBE)
    # The notebook stops each server after measuring it, and stop_all() at its end.
    assert after_first["children"] == after_second["children"] == baseline["children"]
    assert after_first["listening"] == after_second["listening"] == baseline["listening"]
    assert after_second["threads"] <= after_first["threads"]
