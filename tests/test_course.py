"""The notebooks as files: order, titles, navigation, stored outputs, exercises."""

from __future__ import annotations

import re

import nbformat
import pytest

from helpers.coursework.exercises import EXERCISES
from tests.conftest import COURSE_NOTEBOOKS
from tools import course

MIN_EXERCISES: dict[str, int] = {}  # every notebook: at least three


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(course.NOTEBOOK_DIR / name, as_version=4)


def test_every_notebook_file_is_in_the_course_list():
    on_disk = {p.name for p in course.NOTEBOOK_DIR.glob("*.ipynb")}
    assert on_disk <= {n for n, _ in course.NOTEBOOKS}, "add new notebooks to tools/course.py"
    assert "00_start_here.ipynb" in on_disk


def test_navigation_and_contents_are_current():
    assert course.stale_navigation() == [], "run: python -m tools.build_notebooks --nav-only"


def test_stale_navigation_is_detected(tmp_path, monkeypatch):
    nb = read("00_start_here.ipynb")
    monkeypatch.setattr(course, "NOTEBOOK_DIR", tmp_path)
    nb.cells[1].source = nb.cells[1].source.replace("Contents", "Index")
    nbformat.write(nb, tmp_path / "00_start_here.ipynb")
    assert course.stale_navigation() == ["00_start_here.ipynb"]


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_notebook_opens_with_title_nav_and_learning_goals(name):
    nb = read(name)
    assert nb.cells[0].source.startswith("# ")
    assert nb.cells[1].source.startswith(course.NAV_MARK)
    assert nb.cells[-1].source.startswith(course.NAV_MARK)
    assert any("you will" in c.source.lower() for c in nb.cells[:4] if c.cell_type == "markdown")


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_notebook_is_stored_fully_executed_without_errors(name):
    code = [c for c in read(name).cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "re-run with python -m tools.build_notebooks"
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "outputs must come from one top-to-bottom run"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_notebook_checks_registered_exercises(name):
    sources = "\n".join(c.source for c in read(name).cells if c.cell_type == "code")
    ids = re.findall(r'check\("(\d\d\.\d+)"', sources)
    assert len(set(ids)) >= MIN_EXERCISES.get(name, 3)
    assert all(i in EXERCISES and i.startswith(name[:2]) for i in ids)


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_markdown_has_one_sentence_per_line(name):
    for cell in read(name).cells:
        if cell.cell_type != "markdown" or "```" in cell.source:
            continue
        for line in cell.source.splitlines():
            # ". X" inside a line means two sentences share it.
            assert not re.search(r"[a-z)\]`*]\. [A-Z]", line), f"{name}: split this line: {line!r}"


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_nbval_markers_are_cell_tags_not_comments_in_the_learners_code(name):
    code = [c for c in read(name).cells if c.cell_type == "code"]
    assert not [c.source for c in code if "NBVAL_" in c.source], "the build script turns these comments into tags"


def test_the_build_moves_an_ignore_comment_into_a_tag():
    from tools.build_notebooks import IGNORE_OUTPUT_TAG, with_nbval_tags

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nprint(1)")])
    cell = with_nbval_tags(with_nbval_tags(nb)).cells[0]
    assert cell.source == "print(1)" and cell.metadata.tags == [IGNORE_OUTPUT_TAG]


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_the_planned_title_is_the_notebooks_own_h1(name):
    """course.NOTEBOOKS names a notebook before it exists; once it does, the two must agree."""
    assert dict(course.NOTEBOOKS)[name] == course.title_of(name)


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_stored_outputs_hold_no_link_to_a_server_that_is_gone(name):
    """Opened without running, a notebook must not offer links to the build's long-gone ports."""
    for cell in read(name).cells:
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html", "")
            assert not re.search(r'href="(http://127\.0\.0\.1:\d+|[^"]*/proxy/\d+)', html), (name, html[:200])


EXERCISE_ID = re.compile(r"^#{2,4} Exercise (\d\d\.\d)\b", re.M)
PREDICT = re.compile(r"^#{2,4} Exercise (\d\d\.\d)\b[^\n]*predict, then run", re.M | re.I)


def _hidden(cell) -> bool:
    return bool(cell.metadata.get("jupyter", {}).get("outputs_hidden"))


def _outside_other_exercises(cells: list, exercise: str) -> list:
    """Return the code cells of `cells` that belong to no exercise: not `exercise`'s check, nor a later exercise's
    prompt, answer and check (a prediction placed before another's reveal: its options are not the reveal)."""
    kept, inside = [], None
    for c in cells:
        heading = EXERCISE_ID.search(c.source) if c.cell_type == "markdown" else None
        if heading and heading.group(1) != exercise:
            inside = heading.group(1)
        elif c.cell_type == "code" and inside is None and f'check("{exercise}"' not in c.source:
            kept.append(c)
        elif c.cell_type == "code" and inside is not None and f'check("{inside}"' in c.source:
            inside = None
    return kept


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_a_predictions_answer_is_hidden_until_its_cell_runs(name):
    """The first output after a predict-then-run answer cell is stored collapsed; JupyterLab shows it on a run."""
    cells = read(name).cells
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        for exercise in PREDICT.findall(cell.source):
            answer = next(j for j in range(i + 1, len(cells)) if cells[j].source.lstrip().startswith("answer ="))
            shown = [c for c in _outside_other_exercises(cells[answer + 1 :], exercise) if c.get("outputs")]
            assert shown and _hidden(shown[0]), f"{name}: the output after {exercise}'s answer cell shows the answer"
    tagged = [c for c in cells if "reveals-prediction" in c.metadata.get("tags", [])]
    assert all(_hidden(c) and c.get("outputs") for c in tagged), "tagged cells are stored with a collapsed output"


def test_the_build_collapses_the_outputs_of_tagged_cells_only():
    from tools.build_notebooks import PREDICTION_TAG, with_predictions_hidden

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1"), nbformat.v4.new_code_cell("2")])
    nb.cells[0].metadata["tags"] = [PREDICTION_TAG]
    first, second = with_predictions_hidden(nb).cells
    assert first.metadata["jupyter"]["outputs_hidden"] is True and first.metadata["collapsed"] is True
    assert "jupyter" not in second.metadata and "collapsed" not in second.metadata
    nbformat.validate(nb)


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_exercise_ids_follow_the_order_they_appear_in(name):
    from helpers.coursework.exercises import exercise_ids

    shown = [m for c in read(name).cells if c.cell_type == "markdown" for m in EXERCISE_ID.findall(c.source)]
    assert shown == exercise_ids(name[:2]), f"{name}: exercises appear as {shown}"
