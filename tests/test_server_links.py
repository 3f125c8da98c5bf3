"""Links to in-kernel servers follow the server's name: a re-run moves them, a stop turns them into a note."""

from __future__ import annotations

import copy
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


def test_the_build_stores_each_link_as_run_this_notebook_to_start_it(rerun_then_stop):
    from tools.build_notebooks import IGNORE_OUTPUT_TAG, with_link_tags

    nb = with_link_tags(copy.deepcopy(rerun_then_stop))  # the fixture is shared: leave it as run
    text = html_of(nb.cells[1])
    assert text == "Run this notebook to start <code>link-test</code>: its link appears here."
    assert IGNORE_OUTPUT_TAG in nb.cells[1].metadata["tags"] and "tags" not in nb.cells[0].metadata


def test_every_stored_notebook_invites_the_reader_to_run_it_rather_than_reporting_a_stopped_server():
    from helpers.runner.course import notebook_names, notebook_path

    links = [
        "".join(o["data"]["text/plain"])
        for name in notebook_names()
        for cell in nbformat.read(notebook_path(name), as_version=4).cells
        for o in cell.get("outputs", [])
        if o.get("metadata", {}).get("helpers", {}).get("server_link")
    ]
    assert links and all(t.startswith("Run this notebook to start ") for t in links), links
