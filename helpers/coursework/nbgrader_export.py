"""Write the course as an nbgrader source tree: one assignment per notebook, solutions between nbgrader's markers.

    python -m helpers.release --nbgrader COURSE_DIR [NN ...]   # every notebook, or those starting NN

COURSE_DIR becomes an nbgrader course directory: `nbgrader_config.py` and `source/<notebook>/<notebook>.ipynb`.
Each answer cell keeps the scaffold a learner needs (the released cell as it is) and adds the worked solution
between `### BEGIN SOLUTION` and `### END SOLUTION`; `nbgrader generate_assignment` replaces that part with
`# YOUR CODE HERE`, so a released answer cell still says `answer = ...` and what to put there. Each check cell
becomes an nbgrader grade cell, `check("NN.k", answer, strict=True)`: it shows the same feedback, and raises on
a wrong or blank answer, which nbgrader counts as the lost mark, with no environment variable to set.

Under nbgrader the checks run in the learner's own kernel, as nbgrader runs every grade cell: none of
`python -m helpers.grade`'s isolation applies (see README, Instructors).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from pathlib import Path

import nbformat

from helpers.coursework.cells import find_roles, with_coursework_metadata
from helpers.coursework.checks import solution_code
from helpers.coursework.release import COURSE_ROOT
from helpers.runner.course import notebook_names

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_PLAIN_CHECK = re.compile(r"""\bcheck\(\s*["']\d\d\.\d+["']\s*,\s*answer\s*\)""")
CODE_STUB = "# YOUR CODE HERE"
# nbgrader reads this file from the course directory; the stub keeps the scaffold's `answer = ...` in charge.
CONFIG = f'''\
"""nbgrader's settings for the course's assignments (written by python -m helpers.release --nbgrader)."""

c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "django-flask-fastapi-compared"
# Replace each solution with a comment, not `raise NotImplementedError()`: the scaffold above it binds
# `answer = ...`, so a blank answer gets the check's "not answered yet" and its instructions.
c.ClearSolutions.code_stub = {{"python": {CODE_STUB!r}}}
# The serving notebook's loads run for minutes: give every cell room.
c.ExecutePreprocessor.timeout = 600
'''


def nbgrader_notebook(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """Return the nbgrader source version of a course notebook: solutions in markers, strict grade cells."""
    nb = with_coursework_metadata(copy.deepcopy(nb), name)
    for i, (role, exercise) in find_roles(nb).items():
        cell = nb.cells[i]
        if role == "answer":
            solution = solution_code(exercise).strip("\n")
            cell.source = f"{cell.source.rstrip()}\n\n{BEGIN}\n{solution}\n{END}"
        elif role == "check":
            # Only the call changes: a check cell may import `check` first (00's does).
            strict, found = _PLAIN_CHECK.subn(f'check("{exercise}", answer, strict=True)', cell.source)
            if found != 1:
                raise ValueError(f"{name}: the check cell of {exercise} should call check({exercise!r}, answer) once")
            cell.source = strict
        cell.outputs = []
        cell.execution_count = None
    return nb


def export(out: Path, notebooks: Iterable[str] | None = None, course: Path = COURSE_ROOT) -> list[Path]:
    """Write an nbgrader course directory into `out` (new or empty); return the source notebooks written."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: give a new folder for the nbgrader course")
    found = notebook_names()
    wanted = list(notebooks or [])
    chosen = [course / "notebooks" / n for n in found if not wanted or any(n.startswith(w) for w in wanted)]
    unknown = [w for w in wanted if not any(n.startswith(w) for n in found)]
    if unknown:
        raise ValueError(f"no course notebook starts with {', '.join(unknown)}; the notebooks are: {', '.join(found)}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    written = []
    for path in chosen:
        assignment = out / "source" / path.stem
        assignment.mkdir(parents=True)
        target = assignment / path.name
        nbformat.write(nbgrader_notebook(nbformat.read(path, as_version=4), path.name), target)
        written.append(target)
    return written
