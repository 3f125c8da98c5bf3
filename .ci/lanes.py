"""Run CI's tests in lanes side by side (two pinned to a core each, one unpinned), then the tests that need the machine alone.

    python .ci/lanes.py            # every step (what .ci/run does after the README's install)
    python .ci/lanes.py --plan     # print the lanes and their steps, run nothing
    python .ci/lanes.py --collect  # print the test ids each default-Python step selects, one per line

Every step is the README's test command, `python -m pytest`, with a selection: the unit tests,
the end-to-end grading runs (DEFAULT_ONLY), the notebooks (strict nbval plus the course's plugin: Run All
twice, no leak, loopback only, peak memory), or the tests that need the machine to themselves: the claims
that need several cores (tests/alone), then the browser and JupyterHub, one JupyterLab per core. On the
default Python the selections together are exactly what `python -m pytest` collects (tests/test_ci_lanes.py
checks it). Every other supported Python runs every notebook, Run All once (ONCE); the newest of them runs the
unit tests and the job tests too (NEWEST_UNITS). The grading runs, the "alone" tests (one Chromium, one hub) and the browser run on
the default Python only.

Lanes run at the same time. The first two are each pinned to one core, so one pinned lane's load never
lands on the other's core; a notebook step pinned to a core is also the proof that the course runs on
one core. Two notebook steps prove Run All passes on a busy machine: one shares its pinned core with a
spinning process, as on a shared Binder node; the third lane's runs unpinned while the two pinned lanes
keep both cores busy, load that lands on any core. Each step reports how many cores were busy while it
ran (from /proc/stat). The "alone", "claims" and "browser" steps run last, unpinned,
with no lane running: tests/alone measures claims that need every core, then the claims about measured
times that need a core of their own (CLAIMS), then the browser tests drive real JupyterLabs, which never
wait for a lane. Each step's time and the 15 slowest tests are printed at the end,
then one line with the totals. Exit status 1 if any step failed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPIN = "while True: pass"
VENV_LOCK = threading.Lock()

# The instructor's grading runs, end to end: the grader runs on the instructor's Python, tested on the default
# one (Binder's), in a step of their own. Every other Python still runs the grader's own unit tests (the replay,
# the judge, the sandbox, the checks and their wrong answers); these files grade whole classes in kernels and cost
# about 350 s of test time.
DEFAULT_ONLY = ["tests/coursework/test_grading.py", "tests/coursework/test_nbgrader.py"]
UNITS = ["tests", "--ignore=tests/browser", "--ignore=tests/hub", "--ignore=tests/alone"]
UNITS += [f"--ignore={f}" for f in DEFAULT_ONLY]
# The background-job tests (real Redis, RQ and django-tasks workers, about 170 s of test time) run as a step of
# their own, so the default Python's unit tests can be split over the two pinned lanes and they end together.
JOBS = ["tests/jobs"]
UNITS += [f"--ignore={f}" for f in JOBS]
# Claims about measured times that each need a core they don't share with a lane of tests: on two cores with three
# lanes, two xdist workers and a third lane's spill-over share each core, and these failed there one at a time, run
# after run (a locked checkout's floor against a naive one, a job after the response ten times sooner, a tie of two
# overlapping servers, a framework's overhead under a quarter of a wait). They run after the lanes, on the default
# Python, as tests/alone does; the claims that hold on any busy core stay in the units.
CLAIMS = [
    "tests/test_measured_claims.py",
    "tests/test_slow_dependency.py",
    "tests/test_database_claims.py",
    "tests/jobs/test_runs.py",
]
UNITS += [f"--ignore={f}" for f in CLAIMS]
JOBS += [f"--ignore={f}" for f in CLAIMS if f.startswith("tests/jobs/")]
NOTEBOOKS = ["notebooks"]
ALONE = ["tests/alone"]  # claims that need every core: first after the lanes, on the quietest machine
BROWSER = ["tests/browser", "tests/hub"]  # a real JupyterLab (and a hub) in Chromium, with no lane beside them
SELECTIONS = {
    "units": UNITS,
    "grading": DEFAULT_ONLY,
    "jobs": JOBS,
    "claims": CLAIMS,
    "notebooks": NOTEBOOKS,
    "alone": ALONE,
    "browser": BROWSER,
}
# The unit tests spend about 40 % of their time waiting (on servers, sleeps and kernels): two pytest-xdist
# workers on the step's one core fill those waits (measured on one pinned core: 440 s -> 267 s). A test file
# stays on one worker, so its module fixtures (a grading run, a server) are built once and its tests keep
# their order. The notebooks too run on two workers, a notebook each at a time: the notebooks of production
# (06, 07) mostly wait on servers, jobs and databases, so two kernels share the step's one core, which makes the
# one-core and busy proofs harder, not easier, and a notebook's cells still run in order in one kernel. The browser tests
# run after the lanes on three workers (a JupyterLab and a Chromium each), each test sent where a worker is free
# (worksteal): they spend most of their time waiting for the notebooks they run, and one file, the notebooks run
# in JupyterLab, holds 500 s of them, which a file per worker left on one worker (measured on two cores: two
# workers a file each, 443-498 s; three workers, worksteal, 416 s, with 1.4 of the 2 cores busy).
WORKERS = {
    "units": ["-n", "2", "--dist", "loadfile"],
    "grading": ["-n", "2", "--dist", "loadfile"],
    "jobs": ["-n", "2", "--dist", "loadfile"],
    "claims": ["-n", "2", "--dist", "loadfile"],
    "notebooks": ["-n", "2", "--dist", "loadfile"],
    "browser": ["-n", "3", "--dist", "worksteal"],
}
# Run All twice, on the default Python only. The second Run All proves that re-running never leaks a thread, a
# process or a socket: the course's own machinery (helpers.serving, helpers.services), the same code on every
# Python, and on the default Python it runs pinned to a core beside two busy lanes. Every other Python runs each
# notebook once under strict nbval (its busy proofs) and still checks that helpers.stop_all() leaves nothing
# behind. A second run there cost each lane about 300 s (notebooks 06 and 07: 185 s and 140 s), half its notebooks.
ONCE = ["--nbval-course-runs=1"]
# The unit tests run on the default Python (3.11, Binder's) and on the newest other one (3.13), the two ends of
# the supported range: what the course's helpers use of the standard library and of their dependencies either
# changed between those two or did not; every Python in between runs every notebook (judgement: a third run of
# the unit tests cost CI about 600 s of a lane, a third of what kept it over twenty minutes).
NEWEST_UNITS = True
# Tests of tools that only ever run on the default Python: CI's own lane planner (this file, run by .ci/run's
# python) and the browser harness (harness/, driven by the browser and hub steps, which run on the default Python
# only). The newest Python skips them: 80 s of its unit tests' time (ci41), with nothing of the course in them.
DEFAULT_PYTHON_TOOLS = ["tests/test_ci_lanes.py", "tests/test_harness.py"]


@dataclass
class Step:
    """One pytest run: a selection on one Python, pinned to a core or not, with a busy neighbour or not."""

    selection: str  # a key of SELECTIONS
    python: str = "default"  # "default" (this interpreter) or "3.12", "3.13", ...
    core: int | None = None
    busy: int = 0  # spinning processes beside it: on its core when pinned, anywhere when not
    beside: int = 0  # pinned lanes of tests running beside it (the unpinned lane's steps)
    # filled in by run()
    seconds: float = 0.0
    code: int | None = None
    last: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    report: Path | None = None
    note: str = ""
    cores_busy: float | None = None  # how many of the machine's cores were busy, on average, while it ran

    @property
    def label(self) -> str:
        where = "unpinned" if self.core is None else f"core {self.core}"
        if self.busy:
            where += f", {self.busy} busy" if self.core is None else ", busy"
        if self.beside:
            where += f", beside {self.beside} lanes"
        return f"{self.python} {self.selection} ({where})"


def cpu_times() -> tuple[float, float] | None:
    """Return the machine's (busy, total) CPU time in clock ticks from /proc/stat, or None where there is none."""
    try:
        fields = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle and iowait
    return sum(fields) - idle, sum(fields)


def cores_busy(before: tuple[float, float] | None, after: tuple[float, float] | None, cores: int) -> float | None:
    """Return how many cores were busy on average between two cpu_times() readings."""
    if before is None or after is None or after[1] <= before[1]:
        return None
    return cores * (after[0] - before[0]) / (after[1] - before[1])


def current_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def lanes(cores: list[int], other_pythons: list[str]) -> tuple[list[list[Step]], list[Step]]:
    """Return the lanes that run side by side and the steps that run after them.

    Every other Python runs the notebooks (Run All once, ONCE); the newest also runs the unit tests (NEWEST_UNITS).
    """
    first = cores[0]
    second = cores[1] if len(cores) > 1 else None
    unpinned_busy = Step("notebooks", busy=2)  # the unpinned busy proof, when no third lane can take it
    quiet = [Step("alone"), Step("claims"), Step("browser")]  # after the lanes, each by itself
    newest = other_pythons[-1:] if NEWEST_UNITS else other_pythons

    def units_of(version: str, **where) -> list[Step]:
        if version not in newest:
            return []
        return [Step("units", python=version, **where), Step("jobs", python=version, **where)]

    if second is None or not other_pythons:
        # One core, or no other Python: everything in one lane, the busy proofs on the default Python.
        lane_a = [Step("notebooks", core=first), Step("units", core=first), Step("jobs", core=first)]
        lane_a += [Step("grading", core=first)]
        lane_a += [Step("notebooks", core=first, busy=1)]
        for version in other_pythons:
            lane_a += [Step("notebooks", python=version, core=first), *units_of(version, core=first)]
        return [lane_a], [unpinned_busy, *quiet]
    # The default Python's notebooks run pinned to a core and undisturbed: the one-core proof. The first other
    # Python's notebooks share the other core with a spinning process: the pinned busy proof. The default Python's
    # unit tests, its grading runs and its job tests follow, split over the pinned lanes so that they end together.
    version, *further = other_pythons
    lane_a = [Step("notebooks", core=first), Step("grading", core=first), Step("jobs", core=first)]
    lane_b = [Step("notebooks", python=version, core=second, busy=1), Step("units", core=second)]
    if not further:
        lane_b += units_of(version, core=second)
        return [lane_a, lane_b], [unpinned_busy, *quiet]
    # Every further Python runs in a third lane, unpinned, beside the two pinned lanes: its notebooks are the
    # unpinned busy proof, with load on every core from two lanes of tests (and lane b's spinner) rather than
    # from spinners that do no work. The pinned lanes wait on servers and kernels a good part of the time
    # (one notebook run used 57 % of its core); the third lane fills those waits.
    lane_c = [Step("notebooks", python=v, beside=2) for v in further]
    lane_c += [u for v in further for u in units_of(v, beside=2) if u.selection == "units"]
    # Their job tests join the first lane, which ends soonest (ci31: lanes of 701, 724 and 772 s), pinned as it is.
    lane_a += [Step("jobs", python=v, core=first) for v in further if units_of(v)]
    return [lane_a, lane_b, lane_c], quiet


def load_pythons():
    """Import .ci/pythons.py (finding interpreters, building their venvs) as a module."""
    spec = importlib.util.spec_from_file_location("ci_pythons", ROOT / ".ci" / "pythons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def interpreter(step: Step, logs: Path) -> str:
    """Return the interpreter for `step`, building the venv of another Python if needed."""
    if step.python == "default":
        return sys.executable
    pythons = load_pythons()
    found = pythons.find_interpreter(step.python)
    if found is None:
        raise LookupError(f"Python {step.python} is not installed")
    # Two lanes may reach the same Python at once: one builds its venv, the other waits and reuses it.
    with VENV_LOCK:
        venv, install_s = pythons.ensure_venv(step.python, found[0], found[1], logs / f"py{step.python}-install.log")
    step.note = f"Python {found[1]}, " + (f"venv built in {install_s:.0f} s" if install_s else "venv reused")
    return str(venv / "bin" / "python")


def pytest_command(exe: str, step: Step, report: Path, basetemp: Path) -> list[str]:
    """Return the README's test command with the step's selection, a JUnit report and its own temp folder."""
    # Each step gets its own --basetemp: pytest prunes old numbered temp folders, which would pull
    # a folder from under a step running at the same time.
    return [
        exe,
        "-m",
        "pytest",
        *SELECTIONS[step.selection],
        *(ONCE if step.python != "default" and step.selection == "notebooks" else []),
        *(
            [f"--ignore={f}" for f in DEFAULT_PYTHON_TOOLS]
            if step.python != "default" and step.selection == "units"
            else []
        ),
        *workers(step),
        "-q",
        f"--junitxml={report}",
        f"--basetemp={basetemp}",
    ]


def workers(step: Step) -> list[str]:
    """Return the pytest-xdist options of `step`: none for a browser step on a one-core machine."""
    if step.selection == "browser" and len(usable_cores()) < 2:
        return []
    return WORKERS.get(step.selection, [])


def pin(core: int | None):
    """Return a preexec_fn that pins the child (and so everything it starts) to `core`, or None."""
    if core is None:
        return None
    return lambda: os.sched_setaffinity(0, {core})


def read_report(path: Path) -> tuple[dict[str, int], list[tuple[float, str]]]:
    """Return the pass/fail/skip counts and (seconds, test id) of every test in a JUnit report."""
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    times = []
    if not path.exists():
        return counts, times
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            counts["failed"] += 1
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
        times.append((float(case.get("time", 0)), f"{case.get('classname', '')}::{case.get('name', '')}"))
    return counts, times


def run(step: Step, logs: Path, lock: threading.Lock) -> None:
    """Run one step to the end; record its exit code, time, counts and pytest's last line."""
    name = step.label.replace(" ", "_").replace("(", "").replace(")", "").replace(",", "")
    log, step.report = logs / f"{name}.log", logs / f"{name}.xml"
    t0, ticks0 = time.perf_counter(), cpu_times()
    spinners: list[subprocess.Popen] = []
    try:
        exe = interpreter(step, logs)
        env = dict(os.environ)
        if step.python != "default":
            env["PYTHONPATH"] = str(ROOT)
            # The browser and hub tests run on the default Python only.
            env.pop("COURSE_REQUIRE_BROWSER", None)
            env.pop("COURSE_REQUIRE_HUB", None)
        if step.selection == "alone" and len(usable_cores()) >= 2:
            env["COURSE_REQUIRE_CORES"] = "1"  # tests/alone's multi-core claims must run, not skip
        spinners = [subprocess.Popen([sys.executable, "-c", SPIN], preexec_fn=pin(step.core)) for _ in range(step.busy)]
        with lock:
            print(f"--- start: {step.label}", flush=True)
        with log.open("w") as out:
            done = subprocess.run(
                pytest_command(exe, step, step.report, logs / f"{name}-tmp"),
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=pin(step.core),
                timeout=3600,
            )
        step.code = done.returncode
    except (LookupError, RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
        step.code, step.note = 1, f"{type(exc).__name__}: {exc}"
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait(10)
    step.seconds = time.perf_counter() - t0
    step.cores_busy = cores_busy(ticks0, cpu_times(), os.cpu_count() or 1)
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()] if log.exists() else []
    step.last = lines[-1] if lines else "(no output)"
    step.counts, _ = read_report(step.report)
    with lock:
        verdict = "passed" if step.code == 0 else f"FAILED (exit {step.code})"
        print(
            f"--- {verdict} in {step.seconds:.0f} s: {step.label}: {step.last}" + details(step),
            flush=True,
        )
        if step.code and lines:
            print("\n".join(lines[-80:]), flush=True)


def details(step: Step) -> str:
    """Return the bracketed notes after a step's line: its Python and venv, and how busy the machine was."""
    notes = [step.note] if step.note else []
    if step.cores_busy is not None:
        notes.append(f"{step.cores_busy:.1f} of {os.cpu_count() or 1} cores busy")
    return f" [{'; '.join(notes)}]" if notes else ""


def run_lanes(side_by_side: list[list[Step]], after: list[Step], logs: Path) -> list[Step]:
    """Run the lanes at the same time (each lane's steps in order), then the steps that run alone."""
    lock = threading.Lock()
    threads = [
        threading.Thread(target=lambda lane=lane: [run(s, logs, lock) for s in lane], name="lane")
        for lane in side_by_side
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for step in after:
        run(step, logs, lock)
    return [s for lane in side_by_side for s in lane] + after


def summary(steps: list[Step], wall: float) -> str:
    """Return each step's time, the 15 slowest tests, and one closing line with the totals."""
    lines = ["", "Steps (lanes ran side by side; then the alone, claims and browser steps, each by itself):"]
    for step in steps:
        verdict = "passed" if step.code == 0 else f"FAILED (exit {step.code})"
        lines.append(f"  {step.seconds:6.0f} s  {verdict:18} {step.label}: {step.last}" + details(step))
    slowest = sorted(
        ((sec, f"[{s.python}] {test}") for s in steps if s.report for sec, test in read_report(s.report)[1]),
        reverse=True,
    )[:15]
    lines += ["", "15 slowest tests:"] + [f"  {sec:7.1f} s  {test}" for sec, test in slowest]
    total = {k: sum(s.counts.get(k, 0) for s in steps) for k in ("passed", "failed", "skipped")}
    lines += [
        "",
        f"all steps in {wall:.0f} s",
        f"{total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped",
    ]
    return "\n".join(lines)


def usable_cores() -> list[int]:
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]


def other_pythons() -> tuple[list[str], list[str]]:
    """Return the supported Pythons other than this one that this machine has, and those it lacks."""
    pythons = load_pythons()
    others = [v for v in pythons.supported_versions() if v != current_python()]
    found = [v for v in others if pythons.find_interpreter(v) is not None]
    return found, [v for v in others if v not in found]


def collect(selection: str) -> list[str]:
    """Return the test ids `python -m pytest` selects with `selection` ("" for the whole suite)."""
    args = SELECTIONS.get(selection, [])
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "--collect-only", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode not in (0, 5):
        raise RuntimeError(f"collecting {selection or 'the whole suite'} failed:\n{done.stdout[-3000:]}")
    return [line for line in done.stdout.splitlines() if "::" in line]


def main(argv: list[str] | None = None) -> int:
    """Run (or print) the lanes; exit 1 if any step failed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plan", action="store_true", help="print the lanes and steps, run nothing")
    parser.add_argument("--collect", action="store_true", help="print the ids each default-Python step selects")
    args = parser.parse_args(argv)
    found, missing = other_pythons()
    side_by_side, after = lanes(usable_cores(), found)
    # A supported Python the machine lacks is said, never passed over in silence.
    skipped = [f"skipped {v}: not installed" for v in missing]
    if args.collect:
        for selection in sorted(
            {s.selection for lane in side_by_side for s in lane if s.python == "default"} | {s.selection for s in after}
        ):
            print("\n".join(collect(selection)))
        return 0
    if args.plan:
        for i, lane in enumerate(side_by_side):
            print(f"lane {i + 1}: " + " -> ".join(s.label for s in lane))
        print("then alone: " + " -> ".join(s.label for s in after))
        print("\n".join(skipped))
        return 0
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="course-ci-lanes-") as tmp:
        steps = run_lanes(side_by_side, after, Path(tmp))
        print("\n".join(skipped + [summary(steps, time.perf_counter() - t0)]), flush=True)
    return 1 if any(s.code for s in steps) else 0


if __name__ == "__main__":
    sys.exit(main())
