"""The flakiness script reads pytest's JUnit report right, and keeps why a test failed."""

from __future__ import annotations

from benchmarks.flakiness import parse_junit

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="4">
<testcase classname="tests.test_a" name="test_ok" time="0.1"/>
<testcase classname="tests.test_a" name="test_bad" time="0.1"><failure message="AssertionError: 2 != 1">trace ends here</failure></testcase>
<testcase classname="tests.test_b" name="test_setup" time="0.1"><error message="fixture exploded">boom</error></testcase>
<testcase classname="tests.test_b" name="test_skip" time="0.0"><skipped message="no chromium"/></testcase>
</testsuite></testsuites>"""


def test_counts_ids_and_reasons(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(REPORT)
    result = parse_junit(path)
    assert (result["passed"], result["skipped"]) == (1, 1)
    assert result["failed"] == ["tests.test_a::test_bad", "tests.test_b::test_setup"]
    assert "2 != 1" in result["why"]["tests.test_a::test_bad"]
    assert "trace ends here" in result["why"]["tests.test_a::test_bad"]
    assert "fixture exploded" in result["why"]["tests.test_b::test_setup"]


def test_busy_runs_that_many_cpu_bound_processes_beside_each_run_and_stops_them(monkeypatch, tmp_path):
    import os

    import psutil

    from benchmarks import flakiness

    def spinners() -> list[psutil.Process]:
        return [p for p in psutil.Process(os.getpid()).children() if flakiness.SPIN in " ".join(p.cmdline())]

    seen = []

    def fake_run(pytest_args, timeout):
        procs = spinners()
        seen.append((len(procs), [p.cpu_affinity() for p in procs]))
        return {"passed": 1, "failed": [], "skipped": 0, "why": {}, "exit_code": 0, "seconds": 0.0, "tail": ""}

    monkeypatch.setattr(flakiness, "run_once", fake_run)
    monkeypatch.setattr(flakiness, "RESULTS_DIR", tmp_path)
    assert flakiness.main(["-n", "2", "--busy", "2"]) == 0
    every_core = sorted(os.sched_getaffinity(0))
    assert seen == [(2, [every_core, every_core])] * 2  # two spinners, unpinned, during each run
    assert spinners() == []
