"""Links to in-kernel servers follow the server's name: a re-run moves them, a stop turns them into a note."""

from __future__ import annotations

import re

import nbformat
import pytest

from helpers.runner.course import NOTEBOOK_DIR
from helpers.runner.kernel import notebook_client, run_all

SERVE = (
    "from helpers import serve\n"
    "from helpers.apps import hello_flask\n"
    "server = serve(hello_flask.create_app(), 'link-test')\n"
)


def run(cells: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = notebook_client(nb, NOTEBOOK_DIR, timeout=120)
    with client.setup_kernel():  # no stop_all() at the end: the links must show what the cells left running
        run_all(client)
    return nb


def html_of(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)


@pytest.fixture(scope="module")
def rerun_then_stop() -> nbformat.NotebookNode:
    return run(
        [
            SERVE + "first_port = server.port",
            "server.link('/')",
            SERVE + "print(server.port)",
            "server.stop()",
        ]
    )


def test_a_link_shown_before_a_rerun_reaches_the_new_server(rerun_then_stop):
    # Run without the stop: the earlier link must carry the port of the server now running.
    nb = run([SERVE, "server.link('/')", SERVE + "print(server.port)"])
    new_port = nb.cells[2].outputs[0]["text"].strip()
    assert f"127.0.0.1:{new_port}/" in html_of(nb.cells[1])


def test_a_link_to_a_stopped_server_says_which_cell_to_rerun(rerun_then_stop):
    text = html_of(rerun_then_stop.cells[1])
    assert "not running" in text and "re-run the cell that starts it" in text and "link-test" in text
    assert not re.search(r"href=", text), "a stopped server's link must not be clickable"


def test_a_server_repr_holds_no_link_that_could_go_dead():
    nb = run([SERVE + "server"])
    assert "href" not in html_of(nb.cells[0])


def test_a_link_to_a_server_process_follows_it_too():
    start = (
        "from helpers.serving.processes import start_gunicorn\n"
        "proc = start_gunicorn('helpers.apps.serving_flask:app', 'link-proc', workers=1)\n"
    )
    nb = run([start, "proc.link('/')", start + "print(proc.port)"])
    new_port = nb.cells[2].outputs[-1]["text"].strip().splitlines()[-1]
    assert f"127.0.0.1:{new_port}/" in html_of(nb.cells[1])
    nb = run([start, "proc.link('/')", "import helpers\nhelpers.stop_all()"])
    text = html_of(nb.cells[1])
    assert "not running" in text and "link-proc" in text and "href" not in text
