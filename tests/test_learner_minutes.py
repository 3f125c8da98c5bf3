"""Every notebook takes a learner 60 minutes or less: reading, running and the exercises.

The estimate: every word the learner reads (prose, code and the stored outputs) at 200 words a minute,
plus the notebook's Run All time (stored by tools/build_notebooks.py), plus 5 minutes per exercise.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from helpers.runner.course import notebook_names, notebook_path

WORDS_PER_MINUTE = 200
MINUTES_PER_EXERCISE = 5
LIMIT_MINUTES = 60
WORD = re.compile(r"[\w'’-]+")
EXERCISE = re.compile(r"^#{2,4} Exercise \d\d\.\d", re.M)


def _output_text(output: dict) -> str:
    if "text" in output:
        return output["text"]
    data = output.get("data", {})
    if data.get("text/html", "").lstrip().startswith("<img"):
        return ""  # a figure: its plain text is the alt a screen reader speaks, not words a sighted learner reads
    return data.get("text/plain", "")


def learner_minutes(nb: nbformat.NotebookNode) -> dict[str, float]:
    """Return the minutes a learner spends reading, running and on the exercises of `nb`, and their total."""
    words = 0
    for cell in nb.cells:
        words += len(WORD.findall(cell.source))
        for output in cell.get("outputs", []):
            words += len(WORD.findall(_output_text(output)))
    exercises = sum(len(EXERCISE.findall(c.source)) for c in nb.cells if c.cell_type == "markdown")
    run_seconds = nb.metadata.get("run_all_seconds")
    if run_seconds is None:
        raise ValueError("the notebook has no run_all_seconds: rebuild it with python -m tools.build_notebooks")
    minutes = {
        "reading": words / WORDS_PER_MINUTE,
        "running": run_seconds / 60,
        "exercises": exercises * MINUTES_PER_EXERCISE,
    }
    minutes["total"] = sum(minutes.values())
    return minutes


def test_the_estimate_counts_words_outputs_run_time_and_exercises():
    nb = nbformat.v4.new_notebook(metadata={"run_all_seconds": 120})
    nb.cells = [
        nbformat.v4.new_markdown_cell("### Exercise 02.1: predict\n" + "word " * 195),
        nbformat.v4.new_code_cell("x = 1", outputs=[nbformat.v4.new_output("stream", text="two words " * 100)]),
    ]
    got = learner_minutes(nb)
    assert got["reading"] == pytest.approx((4 + 195 + 2 + 200) / 200)
    assert (got["running"], got["exercises"]) == (2, 5)
    assert got["total"] == pytest.approx(got["reading"] + 7)


def test_a_figures_alt_text_is_not_counted_as_reading():
    figure = nbformat.v4.new_output(
        "display_data", data={"text/html": '<img src="data:image/png;base64,AA" alt="a b c">', "text/plain": "a b c"}
    )
    nb = nbformat.v4.new_notebook(metadata={"run_all_seconds": 0})
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=[figure])]
    assert learner_minutes(nb)["reading"] == pytest.approx(1 / 200)  # the code's one word


def test_a_notebook_never_built_says_how_to_build_it():
    with pytest.raises(ValueError, match="tools.build_notebooks"):
        learner_minutes(nbformat.v4.new_notebook())


@pytest.mark.parametrize("name", notebook_names())
def test_a_learner_needs_at_most_an_hour(name):
    minutes = learner_minutes(nbformat.read(notebook_path(name), as_version=4))
    parts = ", ".join(f"{k} {v:.0f} min" for k, v in minutes.items())
    assert minutes["total"] <= LIMIT_MINUTES, f"{name}: {parts}; trim or split it"
