"""The code passes the project's formatter and linter (ruff, configured once in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from helpers.runner.course import ROOT


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module", autouse=True)
def ruff_installed():
    if ruff("--version").returncode:
        pytest.fail("ruff is not installed: pip install -r tests/requirements.txt")


def test_the_linter_finds_nothing():
    done = ruff("check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout[-4000:]


def test_the_formatter_would_change_nothing():
    done = ruff("format", "--no-cache", "--check", ".")
    assert done.returncode == 0, done.stdout[-4000:]


def test_the_linter_fails_on_a_file_that_breaks_a_rule(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nimport sys\nprint(sys.argv)\n")  # os unused
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(bad)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "F401" in done.stdout
