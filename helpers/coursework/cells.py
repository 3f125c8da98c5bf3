"""Which cell of a notebook is which for coursework: answer cells, check cells, read-only cells.

The build writes this into every notebook (nbgrader-like metadata), so the grader can find each exercise's
answer even when cells were moved, and JupyterLab keeps learners from editing or deleting the other code cells.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only annotations need it: the checks import this module in every kernel, and nbformat is slow
    import nbformat

COURSE_ID = "django-flask-fastapi-compared"
# A code cell the learner is invited to change (not an exercise): left editable and not compared at grading.
LEARNER_EDITS_TAG = "learner-edits"

_BINDS_ANSWER = re.compile(r"^(answer\s*=|(async\s+)?def\s+answer\b|class\s+answer\b)", re.MULTILINE)
_CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\d\d\.\d+)["']\s*,\s*answer\b""")
_CELL_KEYS = ("nbgrader", "editable", "deletable")


def checked_exercise(source: str) -> str | None:
    """Return the exercise id a check cell checks (`check("02.1", answer)`), or None."""
    match = _CHECK_CALL.search(source)
    return match.group(1) if match else None


def binds_answer(source: str) -> bool:
    """Tell whether a cell binds `answer` at the top level."""
    return bool(_BINDS_ANSWER.search(source))


def find_roles(nb: nbformat.NotebookNode) -> dict[int, tuple[str, str | None]]:
    """Map each code cell's index to (role, exercise id), reading only the sources.

    A check cell calls `check("NN.k", answer)`; its answer cell is the nearest code cell before it that
    binds `answer`, with no other check in between (a predict-then-run exercise runs cells in between).
    """
    roles: dict[int, tuple[str, str | None]] = {}
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for pos, i in enumerate(code):
        exercise = checked_exercise(nb.cells[i].source)
        if exercise:
            roles[i] = ("check", exercise)
            for j in reversed(code[:pos]):
                if j in roles:  # an earlier exercise's cell: this check has no answer cell of its own
                    break
                if binds_answer(nb.cells[j].source):
                    roles[j] = ("answer", exercise)
                    break
    for i in code:
        if i not in roles:
            tags = nb.cells[i].metadata.get("tags", [])
            roles[i] = ("free", None) if LEARNER_EDITS_TAG in tags else ("locked", None)
    return roles


def role_of(cell: dict[str, Any]) -> tuple[str | None, str | None]:
    """Return the (role, exercise id) the build wrote into a cell's metadata, or (None, None)."""
    meta = cell.get("metadata", {}).get("course", {})
    if not isinstance(meta, dict):
        return None, None
    return meta.get("role"), meta.get("exercise")


def with_coursework_metadata(nb: nbformat.NotebookNode, filename: str) -> nbformat.NotebookNode:
    """Mark answer cells (grade ids) and lock every other code cell; idempotent, so every build can run it."""
    nb.metadata["course"] = {"id": COURSE_ID, "notebook": filename}
    for i, (role, exercise) in find_roles(nb).items():
        cell = nb.cells[i]
        for key in _CELL_KEYS:
            cell.metadata.pop(key, None)
        cell.metadata.pop("course", None)
        if role == "free":
            continue
        cell.metadata["course"] = {"role": role, **({"exercise": exercise} if exercise else {})}
        key = (exercise or "").replace(".", "_")
        if role == "answer":
            # nbgrader's schema (version 3): a solution cell, editable, graded through its check.
            cell.metadata["nbgrader"] = {
                "grade": False,
                "solution": True,
                "locked": False,
                "grade_id": f"answer_{key}",
                "schema_version": 3,
            }
            cell.metadata["deletable"] = False
        else:
            grade_id = f"check_{key}" if role == "check" else f"locked_{cell.get('id', i)}"
            cell.metadata["nbgrader"] = {
                "grade": role == "check",
                "solution": False,
                "locked": True,
                "grade_id": grade_id,
                "schema_version": 3,
                **({"points": 1} if role == "check" else {}),
            }
            cell.metadata["editable"] = False  # JupyterLab honours both keys
            cell.metadata["deletable"] = False
    return nb
