"""One way to run a notebook: a fresh kernel in the notebook's folder, Run All as JupyterLab does, probes and code."""

from __future__ import annotations

import nbformat

from helpers.runner import kernel

# Cell 0 shows a display with a fixed id (as a server link does), after a line printed on the first run
# only; cell 1 updates it. JupyterLab forgets a cell's old displays when it runs again; a runner that
# kept them would update index 1 of cell 0's outputs on the second run, which no longer exists.
DISPLAY = [
    "from IPython.display import display, update_display\n"
    "n = globals().get('n', 0) + 1\n"
    "if n == 1:\n    print('first run')\n"
    "_ = display('shown', display_id='link')",
    "update_display(f'updated by run {n}', display_id='link')",
]


def test_run_all_twice_updates_only_the_displays_of_the_current_run(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in DISPLAY])
    client = kernel.notebook_client(nb, tmp_path, timeout=60)
    with client.setup_kernel():
        kernel.run_all(client)
        first = nb.cells[0].outputs
        kernel.run_all(client)
        cwd = kernel.run_code(client, "import os; print(os.getcwd())").strip()
        snap = kernel.snapshot(client)
        assert kernel.kernel_pid(client.km) > 0
    assert [o.get("data", {}).get("text/plain") for o in nb.cells[0].outputs] == ["'updated by run 2'"]
    assert first is not nb.cells[0].outputs
    assert cwd == str(tmp_path)
    assert "MainThread" in snap["threads"] and snap["children"] == []


def test_run_notebook_stops_what_it_started(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "from helpers import serve\nfrom helpers.apps import hello_flask\n"
                "s = serve(hello_flask.create_app(), 'runner-test')\nprint(s.get('/').status_code)"
            )
        ]
    )
    kernel.run_notebook(nb, tmp_path, timeout=120)
    assert nb.cells[0].outputs[0]["text"].strip() == "200"
