"""Strict nbval plus the course's guarantees, in nbval's own kernel: one execution of a notebook checks them all.

Enabled with `-p helpers.runner.nbval_plugin --nbval-course` (pyproject.toml's addopts). For each
notebook nbval collects, three items are added around its cells, all in the same kernel:

1. `course: before Run All` adds the outbound audit hook (helpers.runner.audit), reads what the
   kernel owns, and starts sampling the memory of its process tree;
2. nbval's cells run and are compared with the stored outputs, as usual (the first Run All);
3. `course: Run All again` runs every cell a second time, as a learner who re-runs the notebook
   does: no cell may raise, and the threads, child processes and listening sockets of the kernel's
   whole tree may not grow; then `helpers.stop_all()` must bring it back to where it started.
   With `--nbval-course-runs=1` the item is `course: stop_all after Run All`: no second run, only
   the check that `helpers.stop_all()` brings the kernel back (CI's other Pythons, .ci/lanes.py);
4. `course: loopback only, memory` fails on any connection or lookup beyond loopback, any bind or
   listening socket off loopback, and a peak memory of the tree above the course's 1.5 GB goal.

The peak memory and the time of each Run All are printed in pytest's summary.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from helpers.runner import audit, probe
from helpers.runner.kernel import execute_blocking, kernel_pid
from helpers.runner.memory import MEMORY_GOAL_MB, TreeMemory

OPTION = "nbval_course"
PROBE_TIMEOUT = 120.0  # a probe is quick; the budget is for a machine that is very busy


def pytest_configure(config: pytest.Config) -> None:
    """Run the serving notebook's load runs quick in every test session (COURSE_QUICK=1), unless set already."""
    import os

    from helpers.serving.durations import QUICK_ENV

    # Tests check the cells' plumbing; the full-length runs (10 s x 3 per set-up) belong to the stored
    # notebook, which tools/build_notebooks.py runs with the variable removed. Kernels, servers and the
    # browser's JupyterLab started by the tests inherit it.
    os.environ.setdefault(QUICK_ENV, "1")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --nbval-course to nbval's options."""
    parser.getgroup("nbval").addoption(
        "--nbval-course",
        action="store_true",
        dest=OPTION,
        help="also run each notebook a second time in nbval's kernel and check leaks, loopback and memory",
    )
    parser.getgroup("nbval").addoption(
        "--nbval-course-memory-mb",
        type=float,
        default=MEMORY_GOAL_MB,
        dest="nbval_course_memory_mb",
        help=f"the peak memory goal of a notebook's kernel and its processes, in MiB (default {MEMORY_GOAL_MB:g})",
    )
    parser.getgroup("nbval").addoption(
        "--nbval-course-runs",
        type=int,
        choices=(1, 2),
        default=2,
        dest="nbval_course_runs",
        help="Run All each notebook twice (default: 2), or once, still checking that stop_all() cleans up (1)",
    )
    parser.getgroup("nbval").addoption(
        "--nbval-course-settle",
        type=float,
        default=15.0,
        dest="nbval_course_settle",
        help="seconds to wait, after stop_all(), for threads and processes to end (default 15)",
    )


class NotebookRun:
    """What the course's items learn about one notebook's kernel, shared between them."""

    def __init__(self) -> None:
        self.baseline: dict | None = None
        self.after_first: dict | None = None
        self.after_second: dict | None = None
        self.memory: TreeMemory | None = None
        self.started = time.perf_counter()
        self.seconds: list[float] = []
        self.peak_mb: float | None = None


def _kernel(item: pytest.Item) -> Any:
    kernel = item.parent.kernel
    if kernel is None or not kernel.is_alive():
        raise RuntimeError("nbval's kernel is not running: an earlier cell killed it or timed out")
    return kernel


def _run(item: pytest.Item, code: str, timeout: float = PROBE_TIMEOUT) -> str:
    stdout, error = execute_blocking(_kernel(item).kc, code, timeout)
    if error:
        raise CourseCheckFailed(f"the course's probe raised {error}")
    return stdout


class CourseCheckFailed(Exception):
    """A guarantee of the course failed for a notebook; the message says which and what was seen."""


class CourseItem(pytest.Item):
    """One of the course's checks, run in the kernel of the nbval notebook it belongs to."""

    def __init__(self, *, step: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.step = step

    @property
    def run_state(self) -> NotebookRun:
        state = getattr(self.parent, "_course_run", None)
        if state is None:
            state = self.parent._course_run = NotebookRun()
        return state

    def runtest(self) -> None:
        if self.parent.timed_out:
            pytest.skip("a cell timed out: the kernel was interrupted, so nothing more is checked")
        getattr(self, f"_{self.step}")()

    def _before(self) -> None:
        state = self.run_state
        _run(self, audit.INSTALL)
        state.baseline = probe.parse(_run(self, probe.SNAPSHOT))
        state.memory = TreeMemory(kernel_pid(_kernel(self).km)).start()
        state.started = time.perf_counter()

    def _again(self) -> None:
        state = self.run_state
        state.seconds.append(time.perf_counter() - state.started)
        if state.baseline is None:
            raise CourseCheckFailed("the item before Run All did not run, so there is nothing to compare with")
        state.after_first = probe.parse(_run(self, probe.SNAPSHOT))
        timeout = float(self.config.option.nbval_cell_timeout or 600)
        t0 = time.perf_counter()
        errors = []
        again = self.config.getoption("nbval_course_runs") == 2
        for number, cell in enumerate(c for c in self.parent.nb.cells if c.cell_type == "code" and again):
            tags = cell.metadata.get("tags", [])
            if "nbval-skip" in tags:
                continue
            _, error = execute_blocking(_kernel(self).kc, cell.source, timeout)
            if error and "raises-exception" not in tags:
                errors.append(f"code cell {number} raised {error}")
                break  # as Run All does: it stops at the first error
        if again:
            state.seconds.append(time.perf_counter() - t0)
        settle = self.config.getoption("nbval_course_settle")
        first = state.after_first
        state.after_second = probe.parse(
            _run(self, probe.settle_code(len(first["threads"]), len(first["children"]), wait=settle))
        )
        stopped = probe.parse(_run(self, probe.stop_all_code(len(state.baseline["threads"]), wait=settle)))
        problems = errors + [
            f"the second Run All gained: {p}" for p in probe.grown(state.after_first, state.after_second)
        ]
        problems += [f"after helpers.stop_all(), still running: {p}" for p in probe.grown(state.baseline, stopped)]
        if problems:
            title = "Run All twice in one kernel" if again else "Run All, then helpers.stop_all()"
            raise CourseCheckFailed(f"{title}:\n  " + "\n  ".join(problems))

    def _audit(self) -> None:
        state = self.run_state
        seen = json.loads(_run(self, audit.REPORT).strip().splitlines()[-1])
        state.peak_mb = state.memory.stop() if state.memory else None
        listeners = {
            tuple(pair) for snap in (state.after_first, state.after_second) if snap for pair in snap["listening"]
        }
        problems = [f"{kind} beyond loopback: {host}" for kind, host in seen["outbound"]]
        problems += [f"bound off loopback: {host}" for _, host in seen["binds"]]
        problems += [
            f"listening off loopback: {ip}:{port}" for ip, port in sorted(listeners) if not audit.is_loopback(ip)
        ]
        goal = self.config.getoption("nbval_course_memory_mb")
        if state.peak_mb is not None and state.peak_mb > goal:
            problems.append(f"peak memory of the kernel's process tree {state.peak_mb:.0f} MiB > goal {goal:g} MiB")
        if problems:
            raise CourseCheckFailed("loopback only, memory within the goal:\n  " + "\n  ".join(problems))

    def teardown(self) -> None:
        if self.step == "audit" and self.run_state.memory is not None:
            self.run_state.memory.stop()

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CourseCheckFailed):
            return f"{self.parent.path.name}: {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"{self.parent.path.name}::{self.name}"


AUDIT_ITEMS = pytest.StashKey[list]()
STEPS = (
    ("before", "course: before Run All"),
    ("again", "course: Run All again"),
    ("audit", "course: loopback only, memory"),
)
ONCE = "course: stop_all after Run All"  # the "again" item's name with --nbval-course-runs=1


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the course's items around each notebook's nbval cells (the same parent, so the same kernel)."""
    if not config.getoption(OPTION, False):
        return
    from nbval.plugin import IPyNbCell

    result: list[pytest.Item] = []
    index = 0
    while index < len(items):
        item = items[index]
        if not isinstance(item, IPyNbCell):
            result.append(item)
            index += 1
            continue
        end = index
        while end < len(items) and isinstance(items[end], IPyNbCell) and items[end].parent is item.parent:
            end += 1
        names = dict(STEPS)
        if config.getoption("nbval_course_runs") == 1:
            names["again"] = ONCE
        before, again, audit_ = (CourseItem.from_parent(item.parent, name=names[step], step=step) for step, _ in STEPS)
        result += [before, *items[index:end], again, audit_]
        index = end
    config.stash[AUDIT_ITEMS] = [i for i in result if isinstance(i, CourseItem) and i.step == "audit"]
    items[:] = result


SUMMARY_KEY = "course_notebook_lines"  # where an xdist worker hands its notebooks' lines to the controller
WORKER_LINES = pytest.StashKey[list[str]]()


def _summary_lines(config: pytest.Config) -> list[str]:
    """Return one line per notebook this process ran: its Run All times and peak memory."""
    lines = []
    for item in config.stash.get(AUDIT_ITEMS, []):
        state = getattr(item.parent, "_course_run", None)
        if state is None or state.peak_mb is None:
            continue
        runs = " + ".join(f"{s:.1f} s" for s in state.seconds)
        lines.append(
            f"{item.parent.path.name}: Run All {runs}; peak memory {state.peak_mb:.0f} MiB "
            f"(goal {config.getoption('nbval_course_memory_mb'):g} MiB)"
        )
    return lines


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In a pytest-xdist worker, hand the notebooks' lines to the controller, which prints them."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None and session.config.getoption(OPTION, False):
        output[SUMMARY_KEY] = _summary_lines(session.config)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """Collect, in the controller, the lines a pytest-xdist worker handed over."""
    lines = getattr(node, "workeroutput", {}).get(SUMMARY_KEY, [])
    node.config.stash.setdefault(WORKER_LINES, []).extend(lines)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Print each notebook's Run All times and peak memory (from every xdist worker, when there are some)."""
    if not config.getoption(OPTION, False):
        return
    lines = sorted(_summary_lines(config) + config.stash.get(WORKER_LINES, []))
    if lines:
        terminalreporter.write_sep("-", "notebooks: run time and peak memory of the kernel's process tree")
        for line in lines:
            terminalreporter.write_line(line)
