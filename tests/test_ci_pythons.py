""".ci/pythons.py: the supported Pythons are all tried, found by version, and get a venv keyed on what they install."""

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


def test_a_missing_python_is_not_found(pythons, tmp_path):
    assert pythons.find_interpreter("3.99", search_root=tmp_path) is None


def test_this_python_is_found_with_its_full_version(pythons):
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    found = pythons.find_interpreter(here, search_root=Path(sys.prefix).parent.parent)
    assert found is None or found[1].startswith(here + ".")


def test_the_venvs_live_in_the_shared_cache_folder(pythons, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_CI_CACHE", str(tmp_path))
    assert pythons.cache_dir() == tmp_path


def test_a_venv_is_rebuilt_when_the_requirements_or_the_interpreter_change(pythons):
    assert pythons.requirements_key("3.12.1") != pythons.requirements_key("3.12.2")
    assert pythons.requirements_key("3.12.1") == pythons.requirements_key("3.12.1")
