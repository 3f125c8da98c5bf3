"""Run the test suite N times in a row and report passes per run and every test that ever failed.

    python -m benchmarks.flakiness -n 5 [--busy [N]] [-- PYTEST_ARGS...]

`--busy N` runs N CPU-bound processes (`--busy` alone: one), unpinned, beside the suite
for its whole length, stopped by PID at the end: the contention of a shared Binder node or
class hub, to shake out tests that only pass on an idle machine. Extra arguments after
`--` go to pytest (e.g. `-- tests/` to leave out the notebooks). Exit status
is 1 if any run had a failure. A flaky test is to be fixed at its cause,
never retried.
"""

from __future__ import annotations

import argparse
import collections
import json
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from ._common import RESULTS_DIR, ROOT

SPIN = "while True: pass"


def parse_junit(path: Path) -> dict[str, list[str] | int]:
    """Return passed/failed/skipped counts, the ids of failed tests and why each failed, from a JUnit XML file."""
    root = ET.parse(path).getroot()
    failed, passed, skipped, why = [], 0, 0, {}
    for case in root.iter("testcase"):
        test_id = f"{case.get('classname', '')}::{case.get('name', '')}"
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        if problem is not None:
            failed.append(test_id)
            # The cause of a flake is the point of running this: keep the message and the traceback's end.
            why[test_id] = (problem.get("message", "") + "\n" + (problem.text or "")[-1500:]).strip()
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return {"passed": passed, "failed": failed, "skipped": skipped, "why": why}


def run_once(pytest_args: list[str], timeout: float) -> dict:
    """Run pytest once with a JUnit report; return counts, failed ids and seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "junit.xml"
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", f"--junitxml={xml}", *pytest_args]
        t0 = time.perf_counter()
        try:
            # Started in the background, this process may have SIGINT ignored, and the suite's Ctrl-C tests
            # would inherit that: give pytest the disposition a terminal gives it.
            proc = subprocess.run(
                cmd,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=timeout,
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            )
            code, tail = proc.returncode, proc.stdout[-2000:]
        except subprocess.TimeoutExpired:
            code, tail = -1, f"timed out after {timeout} s"
        seconds = time.perf_counter() - t0
        result = parse_junit(xml) if xml.exists() else {"passed": 0, "failed": ["<no report>"], "skipped": 0, "why": {}}
    return {**result, "exit_code": code, "seconds": seconds, "tail": tail if code not in (0,) else ""}


def main(argv: list[str] | None = None) -> int:
    """Run the suite N times and print one line per run and a summary."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=5, help="how many runs (default 5)")
    parser.add_argument(
        "--busy",
        type=int,
        nargs="?",
        const=1,
        default=0,
        metavar="N",
        help="run N CPU-bound processes beside the suite, unpinned (--busy alone: 1)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run before giving up")
    parser.add_argument("pytest_args", nargs="*", help="arguments for pytest (after --)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("-n must be >= 1")
    if args.busy < 0:
        parser.error("--busy takes how many CPU-bound processes to run, 0 or more")
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(args.busy)]
    runs = []
    try:
        for i in range(args.n):
            r = run_once(args.pytest_args, args.timeout)
            runs.append(r)
            print(
                f"run {i + 1}/{args.n}: {r['passed']} passed, {len(r['failed'])} failed, "
                f"{r['skipped']} skipped in {r['seconds']:.0f} s"
                + (f"; failed: {', '.join(r['failed'])}" if r["failed"] else ""),
                flush=True,
            )
    finally:
        for spinner in spinners:
            spinner.terminate()
            spinner.wait(10)
    failures = collections.Counter(t for r in runs for t in r["failed"])
    clean = sum(1 for r in runs if not r["failed"] and r["exit_code"] == 0)
    print(
        f"\n{clean}/{args.n} runs fully green{f' ({args.busy} CPU-bound processes beside it)' if args.busy else ''}; "
        f"pytest args: {' '.join(args.pytest_args) or '(whole suite)'}"
    )
    for test, count in failures.most_common():
        print(f"  failed {count}/{args.n}: {test}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (RESULTS_DIR / f"flakiness-{stamp}.json").write_text(
        json.dumps(
            {"n": args.n, "busy": args.busy, "pytest_args": args.pytest_args, "runs": runs, "failures": dict(failures)},
            indent=2,
        )
    )
    return 0 if clean == args.n else 1


if __name__ == "__main__":
    sys.exit(main())
