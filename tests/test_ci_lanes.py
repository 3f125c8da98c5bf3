""".ci/lanes.py: its steps on the default Python run every test `python -m pytest` finds, each once, and report right."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "lanes.py"


@pytest.fixture(scope="module")
def lanes():
    spec = importlib.util.spec_from_file_location("ci_lanes", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def selects(args: list[str], test_id: str) -> bool:
    """Tell whether pytest's path arguments and --ignore options in `args` take in `test_id`."""
    path = test_id.split("::")[0]
    paths = [a for a in args if not a.startswith("-")]
    ignored = [a.split("=", 1)[1] for a in args if a.startswith("--ignore=")]
    inside = lambda folder: path == folder or path.startswith(folder.rstrip("/") + "/")  # noqa: E731
    return any(inside(p) for p in paths) and not any(inside(i) for i in ignored)


@pytest.fixture(scope="module")
def whole(lanes):
    """Every test id `python -m pytest` collects (collected once: a collection takes seconds)."""
    return lanes.collect("")


def test_the_default_pythons_steps_together_run_exactly_the_whole_suite(lanes, whole):
    side_by_side, after = lanes.lanes([0, 1], ["3.12", "3.13"])
    selections = [s.selection for lane in side_by_side for s in lane if s.python == "default"]
    selections += [s.selection for s in after if s.python == "default"]
    assert len(whole) > 1000, f"python -m pytest --collect-only found only {len(whole)} tests"
    # Each test is selected by exactly one of the default Python's steps: none left out, none run twice.
    for test_id in whole:
        chosen = [s for s in selections if selects(lanes.SELECTIONS[s], test_id)]
        assert len(chosen) == 1, (test_id, chosen)
    # And pytest agrees with that reading of the selections, on the smallest of them.
    alone = lanes.collect("alone")
    assert alone and sorted(alone) == sorted(t for t in whole if selects(lanes.SELECTIONS["alone"], t))


def busy_proofs(side_by_side, after) -> tuple[bool, bool]:
    """Tell whether the notebooks run pinned beside a spinner, and unpinned beside two spinners or two pinned lanes."""
    steps = [s for lane in side_by_side for s in lane] + after
    notebooks = [s for s in steps if s.selection == "notebooks"]
    pinned = any(s.core is not None and s.busy >= 1 for s in notebooks)
    unpinned = any(s.core is None and s.busy >= 2 for s in notebooks)
    for lane in side_by_side:
        others = [other for other in side_by_side if other is not lane]
        pinned_others = [o for o in others if all(s.core is not None for s in o)]
        # An unpinned lane's notebooks, run while two pinned lanes of tests keep both cores busy.
        if any(s.selection == "notebooks" and s.core is None and s.beside >= 2 for s in lane):
            unpinned |= len(pinned_others) >= 2 and lane[0].selection == "notebooks"
    return pinned, unpinned


def test_every_other_python_runs_the_notebooks_the_newest_the_units_and_they_pass_busy_pinned_and_unpinned(lanes):
    side_by_side, after = lanes.lanes([0, 1], ["3.12", "3.13"])
    steps = [s for lane in side_by_side for s in lane] + after
    chosen = {v: {s.selection for s in steps if s.python == v} for v in ("default", "3.12", "3.13")}
    assert chosen["default"] >= {"notebooks", "units", "jobs", "grading"}
    assert chosen["3.12"] == {"notebooks"} and chosen["3.13"] == {"notebooks", "units", "jobs"}
    notebooks_on_one_core = [s for s in steps if s.selection == "notebooks" and s.core is not None]
    assert any(not s.busy for s in notebooks_on_one_core)  # and the one-core proof, undisturbed
    assert busy_proofs(side_by_side, after) == (True, True)
    assert [s.selection for s in after] == ["alone", "claims", "browser"]
    assert all(s.core is None and not s.busy for s in after)


def test_only_the_default_python_grades_whole_classes(lanes, tmp_path):
    """The end-to-end grading runs (DEFAULT_ONLY) run once, on the default Python; each exists, so a rename shows."""
    assert lanes.DEFAULT_ONLY and all((lanes.ROOT / f).is_file() for f in lanes.DEFAULT_ONLY)
    for python in ("default", "3.13"):
        command = lanes.pytest_command("python", lanes.Step("units", python=python), tmp_path / "r.xml", tmp_path)
        assert all(f"--ignore={f}" in command for f in lanes.DEFAULT_ONLY), command
    side_by_side, after = lanes.lanes([0, 1], ["3.12", "3.13"])
    grading = [s for s in [*(s for lane in side_by_side for s in lane), *after] if s.selection == "grading"]
    assert [s.python for s in grading] == ["default"]
    command = lanes.pytest_command("python", grading[0], tmp_path / "r.xml", tmp_path)
    assert all(f in command for f in lanes.DEFAULT_ONLY), command
    notebooks = lanes.pytest_command("python", lanes.Step("notebooks", python="3.12"), tmp_path / "r.xml", tmp_path)
    assert not any(arg.startswith("--ignore=tests/coursework") for arg in notebooks)


def test_the_newest_python_skips_only_the_tests_of_tools_that_run_on_the_default_one(lanes, tmp_path):
    assert lanes.DEFAULT_PYTHON_TOOLS and all((lanes.ROOT / f).is_file() for f in lanes.DEFAULT_PYTHON_TOOLS)
    skipped = {f"--ignore={f}" for f in lanes.DEFAULT_PYTHON_TOOLS}
    for python, skips in (("default", False), ("3.13", True)):
        units = lanes.pytest_command("python", lanes.Step("units", python=python), tmp_path / "r.xml", tmp_path)
        assert skipped.issubset(units) == skips, units
    notebooks = lanes.pytest_command("python", lanes.Step("notebooks", python="3.13"), tmp_path / "r.xml", tmp_path)
    assert not skipped & set(notebooks)


def test_only_the_default_python_runs_each_notebook_twice(lanes, tmp_path):
    """Run All twice (the no-leak proof) on the default Python; once, with stop_all() still checked, elsewhere."""
    for python, once in (("default", False), ("3.12", True), ("3.13", True)):
        command = lanes.pytest_command("python", lanes.Step("notebooks", python=python), tmp_path / "r.xml", tmp_path)
        assert ("--nbval-course-runs=1" in command) == once, command
        units = lanes.pytest_command("python", lanes.Step("units", python=python), tmp_path / "r.xml", tmp_path)
        assert "--nbval-course-runs=1" not in units, units


@pytest.mark.parametrize("others", [[], ["3.12"]])
def test_with_fewer_pythons_both_busy_proofs_still_run(lanes, others):
    side_by_side, after = lanes.lanes([0, 1], others)
    assert busy_proofs(side_by_side, after) == (True, True)
    assert [s.selection for s in after[-3:]] == ["alone", "claims", "browser"]


def test_lanes_side_by_side_never_pin_to_the_same_core(lanes):
    side_by_side, _ = lanes.lanes([0, 1], ["3.12", "3.13"])
    cores = [{s.core for s in lane} for lane in side_by_side]
    pinned = [c for c in cores if c != {None}]
    # Two lanes pinned, one core each and not the same one; the third pinned nowhere.
    assert len(pinned) == 2 and all(len(c) == 1 for c in pinned) and len(set.union(*pinned)) == 2
    assert cores.count({None}) == 1


def test_every_step_says_how_busy_the_machine_was(lanes):
    # Two /proc/stat readings: 300 of 400 ticks busy on a two-core machine is 1.5 cores.
    assert lanes.cores_busy((100.0, 1000.0), (400.0, 1400.0), 2) == pytest.approx(1.5)
    assert lanes.cores_busy(None, (1.0, 2.0), 2) is None
    step = lanes.Step("notebooks", python="3.13", beside=2, note="Python 3.13.0, venv reused", cores_busy=1.93)
    assert step.label == "3.13 notebooks (unpinned, beside 2 lanes)"
    assert lanes.details(step) == f" [Python 3.13.0, venv reused; 1.9 of {lanes.os.cpu_count()} cores busy]"
    busy, total = lanes.cpu_times()
    assert 0 < busy < total


def test_with_one_core_and_one_python_everything_still_runs(lanes):
    side_by_side, after = lanes.lanes([0], [])
    steps = [s for lane in side_by_side for s in lane] + after
    assert {s.selection for s in steps} == {"units", "jobs", "grading", "notebooks", "alone", "claims", "browser"}
    assert busy_proofs(side_by_side, after) == (True, True)
    # One core with two other Pythons: they run too, in the one lane.
    side_by_side, after = lanes.lanes([0], ["3.12", "3.13"])
    assert {(s.python, s.selection) for s in side_by_side[0]} >= {("3.13", "units"), ("3.13", "notebooks")}


def test_the_summary_lists_slowest_tests_and_closes_with_the_totals(lanes, tmp_path):
    report = tmp_path / "r.xml"
    report.write_text(
        '<testsuites><testsuite><testcase classname="t" name="slow" time="9.5"/>'
        '<testcase classname="t" name="bad" time="1"><failure message="x"/></testcase>'
        '<testcase classname="t" name="skip" time="0"><skipped/></testcase></testsuite></testsuites>'
    )
    step = lanes.Step("units", core=0, seconds=12.0, code=1, last="1 failed", report=report)
    step.counts, _ = lanes.read_report(report)
    text = lanes.summary([step], 12.0)
    assert "9.5 s  [default] t::slow" in text and "FAILED (exit 1)" in text
    assert text.splitlines()[-1] == "1 passed, 1 failed, 1 skipped"


def test_the_tests_run_on_two_workers_each_file_on_one_and_the_browser_on_three(lanes, tmp_path, monkeypatch):
    monkeypatch.setattr(lanes, "usable_cores", lambda: [0, 1])
    side_by_side, after = lanes.lanes([0, 1], ["3.12", "3.13"])
    for step in [s for lane in side_by_side for s in lane] + after:
        command = lanes.pytest_command("python", step, tmp_path / "r.xml", tmp_path / "t")
        assert command[:3] == ["python", "-m", "pytest"]
        workers = command[command.index("-n") + 1 : command.index("--dist") + 2] if "-n" in command else None
        # The multi-core claims stay in one process: they need the machine to themselves. The browser's tests
        # mostly wait on notebooks, and one file holds most of them: three workers, each test where one is free.
        if step.selection == "alone":
            assert workers is None, command
        elif step.selection == "browser":
            assert workers == ["3", "--dist", "worksteal"], command
        else:
            assert workers == ["2", "--dist", "loadfile"], (step.label, command)


def test_on_one_core_the_browser_tests_run_in_one_process(lanes, tmp_path, monkeypatch):
    monkeypatch.setattr(lanes, "usable_cores", lambda: [0])
    command = lanes.pytest_command("python", lanes.Step("browser"), tmp_path / "r.xml", tmp_path / "t")
    assert "-n" not in command and "tests/browser" in command
