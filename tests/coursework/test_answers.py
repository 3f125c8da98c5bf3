"""Stale answers named (issue 26, point 3): a check that would judge a leftover `answer` says which cell to run.

The kernel is a real IPython shell in a child process, so the hooks, execution counts and errors are IPython's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from types import SimpleNamespace

import pytest

from helpers.coursework.answers import AnswerTrail
from helpers.runner.course import ROOT

# Runs each cell in one IPython shell and prints, per cell, its execution count and what it printed.
KERNEL = """
import contextlib, io, json, sys
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
shown = []
for source in json.loads(sys.stdin.read()):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        result = shell.run_cell(source, store_history=True)
    shown.append({"count": result.execution_count, "out": out.getvalue()})
print(json.dumps(shown))
"""


def run_cells(*cells: str) -> list[str]:
    """Run `cells` one after another in a fresh IPython shell; return what each printed."""
    with tempfile.TemporaryDirectory(prefix="course-ipython-") as profile:
        done = subprocess.run(
            [sys.executable, "-c", KERNEL],
            input=json.dumps(cells),
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            # IPython keeps a profile and a history database: in a folder of its own, not the learner's home.
            env={**os.environ, "PYTHONPATH": str(ROOT), "IPYTHONDIR": profile},
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return [cell["out"] for cell in json.loads(done.stdout.strip().splitlines()[-1])]


@pytest.fixture(scope="module")
def session() -> list[str]:
    """One learner's session in notebook 02's order (02.1, then 02.5), with the mishaps the issue describes."""
    return run_cells(
        "from helpers import check",  # [1] the first import installs the trail
        "answer = 0.2",  # [2] 02.1's answer cell
        'check("02.1", answer)',  # [3]
        'check("02.5", answer)',  # [4] 02.5's answer cell skipped: the answer is 02.1's
        "answer = (2, undefined)",  # [5] 02.5's answer cell raises
        'check("02.5", answer)',  # [6] the case: judged the answer left over from the exercise before
        "answer = (2, 25)",  # [7] fixed and run again
        'check("02.5", answer)',  # [8]
        'check("02.5", answer)',  # [9] the same check again is fine
        'answer = 0.2\ncheck("02.1", answer)',  # [10] an answer and its check in one cell
        'check("02.5", answer)',  # [11]
        'mine = (2, 25)\ncheck("02.5", mine)',  # [12] another variable: the trail is about `answer` only
    )


def test_an_answer_checked_for_one_exercise_is_named_when_checked_for_another(session):
    assert session[2].startswith("✅ Correct: exercise 02.1")
    shown = session[3]
    assert shown.startswith("⚠️ Not checked yet: exercise 02.5")
    assert "still holds your answer to exercise 02.1, set by the cell run as [2]" in shown
    assert "Run the answer cell of exercise 02.5" in shown and "Hint" not in shown
    assert "tuple of two ints" not in shown  # the leftover was not judged


def test_a_failed_answer_cell_is_named_instead_of_judging_the_leftover(session):
    shown = session[5]
    assert shown.startswith("⚠️ Not checked yet: exercise 02.5")
    assert "the cell run as [5]" not in shown and "(run as [5]) raised NameError" in shown
    assert "Fix that cell" in shown and "answer cell of exercise 02.5" in shown


def test_a_fresh_answer_is_judged_as_usual(session):
    assert session[7].startswith("✅ Correct: exercise 02.5") and session[8].startswith("✅ Correct: exercise 02.5")


def test_an_answer_set_and_checked_in_one_cell_counts_for_that_exercise(session):
    assert session[9].startswith("✅ Correct: exercise 02.1")
    assert "still holds your answer to exercise 02.1, set by the cell run as [10]" in session[10]


def test_another_variable_is_judged_as_given(session):
    assert session[11].startswith("✅ Correct: exercise 02.5")


def test_run_all_of_blank_answers_is_not_stale():
    shown = run_cells(
        "from helpers import check", "answer = ...", 'check("02.1", answer)', "answer = ...", 'check("02.5", answer)'
    )
    assert shown[2].startswith("❌ Not answered yet: exercise 02.1")
    assert shown[4].startswith("❌ Not answered yet: exercise 02.5")


def test_installed_by_a_check_cell_that_imports_it():
    # Notebook 02's first check cell imports the checks itself, after the answer cell ran: no stale verdict there,
    # and the next exercise's skipped answer cell is still noticed.
    shown = run_cells(
        "answer = 0.2",
        'from helpers.coursework.checks import check\ncheck("02.1", answer)',
        'check("02.5", answer)',
    )
    assert shown[1].startswith("✅ Correct: exercise 02.1")
    assert "still holds your answer to exercise 02.1" in shown[2]


# -- the trail on its own, without a kernel ------------------------------------------------------------------------


def cell(trail: AnswerTrail, source: str, count: int, set_to: object = None, error: Exception | None = None) -> None:
    """Play one cell through the trail's hooks: optionally set `answer`, optionally raise."""
    trail.pre_run_cell()
    if set_to is not None:
        trail.namespace["answer"] = set_to
    info = SimpleNamespace(raw_cell=source)
    trail.post_run_cell(SimpleNamespace(info=info, execution_count=count, error_before_exec=None, error_in_exec=error))


def test_a_cell_that_sets_the_same_interned_value_again_is_a_new_answer():
    trail = AnswerTrail({})
    cell(trail, 'answer = "server"', 1, "server")
    trail.record_check("00.1", trail.namespace["answer"])
    cell(trail, 'answer = "server"', 2, "server")  # same object: the source still says it was set
    assert trail.problem("08.1", trail.namespace["answer"]) is None


def test_a_syntax_error_in_an_answer_cell_is_a_failure():
    trail = AnswerTrail({})
    cell(trail, "answer = 1", 1, 1.5)
    trail.record_check("02.1", 1.5)
    trail.pre_run_cell()
    trail.post_run_cell(
        SimpleNamespace(
            info=SimpleNamespace(raw_cell="answer = (1,"),
            execution_count=2,
            error_before_exec=SyntaxError("'(' was never closed"),
            error_in_exec=None,
        )
    )
    assert "(run as [2]) raised SyntaxError" in trail.problem("02.2", 1.5)
    cell(trail, "answer = 0.54", 3, 0.54)
    assert trail.problem("02.2", 0.54) is None
