""".ci/pythons.py: every supported Python is run or reported as skipped, never passed over in silence."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from helpers.envcheck import SUPPORTED_PYTHONS

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "pythons.py"


@pytest.fixture(scope="module")
def pythons():
    spec = importlib.util.spec_from_file_location("ci_pythons", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_tries_every_supported_python(pythons):
    assert pythons.supported_versions() == [f"{a}.{b}" for a, b in SUPPORTED_PYTHONS] == ["3.11", "3.12", "3.13"]


def test_a_missing_python_is_reported_as_skipped(pythons, capsys, tmp_path):
    assert pythons.find_interpreter("3.99", search_root=tmp_path) is None
    assert pythons.main(["--versions", "3.99", "--default-status", "0", "--default-seconds", "1"]) == 0
    out = capsys.readouterr().out
    assert "skipped 3.99: not installed" in out
    assert f"ran {sys.version_info.major}.{sys.version_info.minor} (" in out and "whole suite passed" in out


def test_a_failed_default_run_fails_the_script(pythons, capsys):
    assert pythons.main(["--versions", "3.99", "--default-status", "2"]) == 1
    assert "whole suite FAILED (exit 2)" in capsys.readouterr().out


def test_this_python_is_found_and_never_run_twice(pythons, capsys):
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    found = pythons.find_interpreter(here, search_root=Path(sys.prefix).parent.parent)
    assert found is None or found[1].startswith(here + ".")
    assert pythons.main(["--versions", here]) == 0
    assert "unit tests" not in capsys.readouterr().out  # the default Python had the whole suite already


def test_a_venv_is_rebuilt_when_the_requirements_or_the_interpreter_change(pythons):
    assert pythons.requirements_key("3.12.1") != pythons.requirements_key("3.12.2")
    assert pythons.requirements_key("3.12.1") == pythons.requirements_key("3.12.1")
