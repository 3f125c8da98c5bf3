"""Running the example test files from a notebook: counts and times per file, and a failing test is counted."""

from __future__ import annotations

import pytest

from helpers.components.test_runs import EXAMPLES, run_suites


def test_the_three_example_suites_pass_with_their_own_isolation():
    runs = run_suites(sorted(EXAMPLES.glob("test_*.py")))
    assert {name: (s.passed, s.failed) for name, s in runs.suites.items()} == {
        "test_django_bookshelf": (3, 0),
        "test_fastapi_bookshelf": (3, 0),
        "test_flask_bookshelf": (3, 0),
    }, runs.output
    assert all(s.seconds > 0 for s in runs.suites.values())
    assert runs.wall_seconds > max(s.seconds for s in runs.suites.values())


def test_a_failing_test_is_counted(tmp_path):
    bad = tmp_path / "test_broken.py"
    bad.write_text("def test_ok():\n    assert True\n\n\ndef test_wrong():\n    assert 1 == 2\n")
    runs = run_suites([bad])
    assert (runs.suites["test_broken"].passed, runs.suites["test_broken"].failed) == (1, 1)
    assert "1 failed" in runs.output


def test_only_test_files_are_run(tmp_path):
    with pytest.raises(ValueError, match="test_"):
        run_suites([tmp_path / "notes.py"])
