"""The coursework metadata the build writes: answer cells found and graded by id, every other code cell locked."""

from __future__ import annotations

import copy

import nbformat
import pytest

from helpers.coursework.cells import COURSE_ID, LEARNER_EDITS_TAG, find_roles, role_of, with_coursework_metadata
from helpers.coursework.exercises import exercise_ids
from helpers.runner.course import NOTEBOOK_DIR

NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_exercise_has_an_answer_cell_with_a_grade_id(name):
    nb = with_coursework_metadata(nbformat.read(NOTEBOOK_DIR / name, as_version=4), name)
    nbformat.validate(nb)
    assert nb.metadata["course"] == {"id": COURSE_ID, "notebook": name}
    answers = {role_of(c)[1]: c for c in nb.cells if role_of(c)[0] == "answer"}
    assert set(answers) == set(exercise_ids(name[:2]))
    for ex, cell in answers.items():
        assert cell.metadata["nbgrader"]["grade_id"] == "answer_" + ex.replace(".", "_")
        assert cell.metadata["nbgrader"]["solution"] is True and "editable" not in cell.metadata
        assert cell.metadata["deletable"] is False
    for cell in nb.cells:
        if cell.cell_type == "code" and role_of(cell)[0] in ("locked", "check"):
            assert cell.metadata["editable"] is False and cell.metadata["deletable"] is False
            assert cell.metadata["nbgrader"]["locked"] is True
    assert all(role_of(c)[0] for c in nb.cells if c.cell_type == "code")  # no code cell left unmarked


@pytest.mark.parametrize("name", NOTEBOOKS[:2])
def test_metadata_is_idempotent(name):
    once = with_coursework_metadata(nbformat.read(NOTEBOOK_DIR / name, as_version=4), name)
    assert with_coursework_metadata(copy.deepcopy(once), name) == once


def test_roles_follow_the_cells_and_a_tagged_cell_stays_free():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("text"),
        nbformat.v4.new_code_cell("answer = ..."),
        nbformat.v4.new_code_cell('check("00.1", answer)'),
        nbformat.v4.new_code_cell("n = 20  # try other values"),
    ]
    nb.cells[4].metadata["tags"] = [LEARNER_EDITS_TAG]
    assert find_roles(nb) == {0: ("locked", None), 2: ("answer", "00.1"), 3: ("check", "00.1"), 4: ("free", None)}
    with_coursework_metadata(nb, "00_x.ipynb")
    assert "editable" not in nb.cells[4].metadata and "nbgrader" not in nb.cells[4].metadata
    # a cell that stops being an answer cell loses its old marks on the next build
    nb.cells[3].source = "print(answer)"
    with_coursework_metadata(nb, "00_x.ipynb")
    assert role_of(nb.cells[2]) == ("locked", None) and nb.cells[2].metadata["editable"] is False


def test_the_build_writes_the_metadata(tmp_path, monkeypatch):
    from tools import build_notebooks

    src = NOTEBOOK_DIR / "00_start_here.ipynb"
    (tmp_path / src.name).write_bytes(src.read_bytes())
    monkeypatch.setattr(build_notebooks, "NOTEBOOK_DIR", tmp_path)
    build_notebooks.build(src.name, run=False)
    nb = nbformat.read(tmp_path / src.name, as_version=4)
    assert {role_of(c)[1] for c in nb.cells if role_of(c)[0] == "answer"} == set(exercise_ids("00"))


def _built_before_the_metadata() -> bool:
    return any("course" not in nbformat.read(NOTEBOOK_DIR / n, as_version=4).metadata for n in NOTEBOOKS)


@pytest.mark.xfail(
    _built_before_the_metadata(),
    strict=True,
    reason="committed notebooks predate the coursework metadata: the lead's rebuild writes it",
)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebooks_carry_the_metadata(name):
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    assert nb == with_coursework_metadata(copy.deepcopy(nb), name), "re-run python -m tools.build_notebooks"


def test_an_answer_bound_by_def_and_a_check_after_a_run_cell_are_found():
    cells = [
        nbformat.v4.new_code_cell(s)
        for s in (
            "x = 1",
            "def answer(n):\n    return ...",
            "print(answer)",
            'check("02.1", answer)',
            "answer = ...",
            'check("02.2", answer)',
            'check("02.3", answer)',
        )
    ]
    roles = find_roles(nbformat.v4.new_notebook(cells=cells))
    assert roles[1] == ("answer", "02.1") and roles[2] == ("locked", None) and roles[4] == ("answer", "02.2")
    assert roles[6] == ("check", "02.3") and roles[0] == ("locked", None)  # no answer cell of its own
