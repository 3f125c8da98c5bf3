"""Run test files with pytest in a process of its own, from a notebook, and time each file's tests."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # the folder that holds the helpers package
EXAMPLES = ROOT / "helpers" / "apps" / "shelf_tests"


@dataclass
class SuiteRun:
    """What pytest reported for one test file."""

    path: Path
    passed: int
    failed: int
    seconds: float  # the file's tests, set-up and tear-down included, as pytest timed them


@dataclass
class Runs:
    """One pytest process: each file's result, the whole process's time, and what it printed."""

    suites: dict[str, SuiteRun]
    wall_seconds: float  # starting Python, importing the frameworks, collecting and running everything
    output: str


def run_suites(paths: list[str | Path], timeout: float = 120) -> Runs:
    """Run `pytest -q PATHS` in one fresh process with the course on its path; report each file."""
    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.is_file() or not path.name.startswith("test_"):
            raise ValueError(f"each path must be a test file (test_*.py), got {str(path)!r}")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "PYTHONDONTWRITEBYTECODE": "1",
        # Only the plugins a fresh project would have: the course's (nbval, playwright...) cost seconds to load.
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    with tempfile.TemporaryDirectory(prefix="course-pytest-") as tmp:
        report = Path(tmp) / "report.xml"
        # -o addopts= and -p no:cacheprovider: the course's own pytest settings and cache stay out of it.
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            "--rootdir",
            str(paths[0].parent),
            "-W",
            "ignore::DeprecationWarning",
            f"--junitxml={report}",
            *map(str, paths),
        ]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=paths[0].parent, env=env, capture_output=True, text=True, timeout=timeout)
        wall = time.perf_counter() - t0
        cases = ET.parse(report).getroot().iter("testcase") if report.exists() else []
        suites = {p.stem: SuiteRun(p, 0, 0, 0.0) for p in paths}
        for case in cases:
            # junit names the class after the module path: "test_flask_bookshelf" or "test_django_bookshelf.BookshelfTests"
            stem = next((s for s in suites if s in case.get("classname", "")), None)
            if stem is None:
                continue
            suite = suites[stem]
            suite.seconds += float(case.get("time", 0))
            if case.find("failure") is not None or case.find("error") is not None:
                suite.failed += 1
            elif case.find("skipped") is None:
                suite.passed += 1
    return Runs(suites, wall, done.stdout + done.stderr)
