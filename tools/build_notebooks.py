"""Refresh navigation and re-run notebooks top to bottom in a fresh kernel, storing outputs.

    python -m tools.build_notebooks            # every notebook
    python -m tools.build_notebooks 00 02      # notebooks whose names start with these
    python -m tools.build_notebooks --nav-only # navigation cells only, no execution (all notebooks)
    python -m tools.build_notebooks --check    # exit 1 if navigation is stale

Every build also writes the coursework metadata (answer cells' grade ids, read-only cells): see
helpers/coursework/cells.py.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import nbformat

from helpers.coursework.cells import with_coursework_metadata
from helpers.coursework.checks import GRADING_ENV
from helpers.runner.kernel import run_notebook
from helpers.serving.durations import QUICK_ENV
from helpers.serving.servers import ServerLink
from tools.course import NOTEBOOK_DIR, NOTEBOOKS, stale_navigation, with_navigation

IGNORE_OUTPUT_TAG = "nbval-ignore-output"


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Run `nb` top to bottom in a fresh kernel in `cwd` (helpers.runner.kernel), then tag its link cells."""
    return with_link_tags(run_notebook(nb, cwd, timeout=timeout))


def with_link_tags(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Tag cells that show a server link and store each link as "run this notebook to start NAME"; live, it is a link."""
    for cell in nb.cells:
        shown = [o for o in cell.get("outputs", []) if o.get("metadata", {}).get("helpers", {}).get("server_link")]
        if not shown:
            continue
        for output in shown:
            output["data"], output["metadata"] = ServerLink.stored_bundle(output["metadata"]["helpers"]["server_link"])
        tags = cell.metadata.setdefault("tags", [])
        if IGNORE_OUTPUT_TAG not in tags:
            tags.append(IGNORE_OUTPUT_TAG)
    return nb


PREDICTION_TAG = "reveals-prediction"


def with_predictions_hidden(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Store the outputs of cells tagged `reveals-prediction` collapsed: the learner predicts before seeing them."""
    # JupyterLab opens such a cell with its output hidden and shows it again when the cell runs;
    # nbval still compares the stored output, so the check is not lost.
    for cell in nb.cells:
        if cell.cell_type == "code" and PREDICTION_TAG in cell.metadata.get("tags", []):
            cell.metadata.setdefault("jupyter", {})["outputs_hidden"] = True
            cell.metadata["collapsed"] = True
    return nb


_IGNORE_COMMENT = "# NBVAL_IGNORE_OUTPUT"


def with_nbval_tags(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Turn nbval's `# NBVAL_IGNORE_OUTPUT` comment into the cell tag, which learners don't see in the code."""
    # The tag is the one convention: authors may still type the comment while writing;
    # the build moves it into metadata so the learner's code stays clean.
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines = cell.source.splitlines()
        if any(line.strip() == _IGNORE_COMMENT for line in lines):
            cell.source = "\n".join(line for line in lines if line.strip() != _IGNORE_COMMENT).strip("\n")
            tags = cell.metadata.setdefault("tags", [])
            if IGNORE_OUTPUT_TAG not in tags:
                tags.append(IGNORE_OUTPUT_TAG)
    return nb


def build(name: str, run: bool = True) -> float:
    """Refresh the navigation, nbval tags and coursework metadata of notebook `name`, optionally re-run it."""
    path = NOTEBOOK_DIR / name
    nb = with_nbval_tags(with_navigation(nbformat.read(path, as_version=4), name))
    # Answer cells get their grade ids, other code cells are locked: the grader and JupyterLab read these.
    nb = with_predictions_hidden(with_coursework_metadata(nb, name))
    t0 = time.perf_counter()
    if run:
        nb = execute(nb, NOTEBOOK_DIR)
        # How long Run All took, rounded up to 10 s so a rebuild rarely changes it: part of a learner's minutes
        # (tests/test_learner_minutes.py).
        nb.metadata["run_all_seconds"] = 10 * math.ceil((time.perf_counter() - t0) / 10)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """Build the notebooks named on the command line (all by default)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefixes", nargs="*", help="notebook name prefixes, e.g. 00 02")
    parser.add_argument("--nav-only", action="store_true", help="refresh navigation, don't execute")
    parser.add_argument("--check", action="store_true", help="exit 1 if any navigation cell is stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_navigation()
        for name in stale:
            print(f"stale navigation: {name} (run python -m tools.build_notebooks --nav-only)")
        return 1 if stale else 0
    os.environ.pop(GRADING_ENV, None)  # stored outputs show the learner's view
    os.environ.pop(QUICK_ENV, None)  # and the full load runs (10 s x 3), never CI's shortened ones
    names = [n for n, _ in NOTEBOOKS if (NOTEBOOK_DIR / n).exists()]
    if args.prefixes:
        names = [n for n in names if any(n.startswith(p) for p in args.prefixes)]
        if not names:
            print(f"no notebook starts with {args.prefixes}", file=sys.stderr)
            return 2
    # With prefixes, only those files are written, so notebooks being edited
    # elsewhere are never clobbered; a full build refreshes them all.
    for name in names:
        seconds = build(name, run=not args.nav_only)
        print(f"{name}: {'navigation' if args.nav_only else 'executed'} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
