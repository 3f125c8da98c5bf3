"""Run a notebook in a fresh kernel started in its folder, cell by cell, as JupyterLab's Run All does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from helpers.runner import probe

KERNEL_NAME = "python3"


def notebook_client(nb: nbformat.NotebookNode, cwd: Path, timeout: float = 600, **options: Any) -> NotebookClient:
    """Return a client that runs `nb` in a fresh python3 kernel started in `cwd` (no timings stored)."""
    options.setdefault("record_timing", False)  # timings in metadata would change every run
    return NotebookClient(
        nb, timeout=timeout, kernel_name=KERNEL_NAME, resources={"metadata": {"path": str(cwd)}}, **options
    )


def run_all(client: NotebookClient) -> None:
    """Run every cell of the client's notebook in order in its started kernel; raise on a cell's error."""
    for index, cell in enumerate(client.nb.cells):
        # As JupyterLab does when a cell runs again: its old outputs, and the displays in them, are
        # gone. nbclient clears the outputs but keeps its map of their display ids, which a server
        # link updates: without this, a second run would update the first run's outputs.
        client.clear_display_id_mapping(index)
        client.execute_cell(cell, index)


def run_code(client: NotebookClient, code: str) -> str:
    """Run `code` in the client's kernel as a throwaway cell; return what it printed to stdout."""
    cell = nbformat.v4.new_code_cell(code)
    # nbclient files outputs by the cell's index in client.nb: run it as a cell after the last, then drop it,
    # so it never writes into a cell of the notebook.
    client.nb.cells.append(cell)
    try:
        client.execute_cell(cell, len(client.nb.cells) - 1)
    finally:
        if client.nb.cells and client.nb.cells[-1] is cell:
            client.nb.cells.pop()
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def snapshot(client: NotebookClient) -> dict:
    """Return what the client's kernel owns now: threads, child processes, listening sockets."""
    return probe.parse(run_code(client, probe.SNAPSHOT))


def kernel_pid(km: Any) -> int:
    """Return the process id of the kernel a jupyter_client KernelManager runs (nbclient's or nbval's)."""
    return km.provisioner.pid


def execute_blocking(kc: Any, code: str, timeout: float) -> tuple[str, str | None]:
    """Run `code` through a blocking kernel client (nbval's); return its stdout and its error, if any."""
    stdout: list[str] = []
    error: list[str] = []

    def collect(msg: dict) -> None:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream" and content.get("name") == "stdout":
            stdout.append(content["text"])
        elif kind == "error":
            error.append(f"{content['ename']}: {content['evalue']}")

    # execute_interactive reads only this request's messages, so output that a server thread
    # prints later under another cell's header is not mistaken for this one's.
    reply = kc.execute_interactive(
        code, timeout=timeout, output_hook=collect, store_history=False, allow_stdin=False, stop_on_error=False
    )
    if reply["content"]["status"] == "error" and not error:
        error.append(f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")
    return "".join(stdout), (error[0] if error else None)


def run_notebook(nb: nbformat.NotebookNode, cwd: Path, timeout: float = 600, **options: Any) -> nbformat.NotebookNode:
    """Run every cell of `nb` in a fresh kernel started in `cwd`, then stop every server it left running."""
    client = notebook_client(nb, cwd, timeout=timeout, **options)
    with client.setup_kernel():
        run_all(client)
        # Stopping every server turns the links shown earlier into "not running" notes,
        # so a stored notebook never holds a dead link (and nothing outlives the kernel).
        run_code(client, "import helpers\nhelpers.stop_all()")
    return nb
