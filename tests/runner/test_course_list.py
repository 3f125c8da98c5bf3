"""The course's notebook list: one definition, matching the notebooks folder, read by the grader and the build."""

from __future__ import annotations

import pytest

from helpers.coursework.grade import course_notebooks
from helpers.runner.course import NOTEBOOK_DIR, ROOT, notebook_names, notebook_path


def test_every_notebook_in_the_folder_is_in_the_list_and_the_other_way_round():
    on_disk = sorted(p.name for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
    assert on_disk == sorted(notebook_names())


def test_the_grader_reads_the_same_list():
    assert list(course_notebooks(ROOT)) == notebook_names()


def test_an_unknown_notebook_is_refused_with_the_list():
    assert notebook_path("00_start_here.ipynb") == NOTEBOOK_DIR / "00_start_here.ipynb"
    with pytest.raises(ValueError, match="00_start_here.ipynb"):
        notebook_path("99_nothing.ipynb")
