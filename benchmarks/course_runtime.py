"""Figure 1: every notebook executed top to bottom in a fresh kernel; seconds each and in total.

Each notebook runs in its own fresh kernel (as `python -m tools.build_notebooks`
does) but nothing is written back. Its "floor" is what it can't beat: a fresh
kernel's start-up plus, for notebook 02, the makespans its scenarios
demonstrate on real servers (the model's predictions, from helpers.concurrency.scenarios).

    python -m benchmarks.course_runtime [--repeat 1]
"""

from __future__ import annotations

import copy
import os
import sys
import time
from pathlib import Path

import nbformat

from helpers.concurrency.scenarios import SCENARIOS
from helpers.concurrency.simulation import simulate
from helpers.coursework.checks import GRADING_ENV
from helpers.runner.kernel import run_notebook as run_in_fresh_kernel

from ._common import Figure, median, run_alone

GOAL_TOTAL_S = 60.0
BUDGETS_S = {
    "01": 15.0,
    "02": 30.0,
    "04": 20.0,
    "05": 20.0,
    "08": 12.0,
}  # from the course brief and issue 17; 00 has none


def run_notebook(nb: nbformat.NotebookNode, cwd: Path) -> float:
    """Execute a copy of `nb` as the build script does, in a fresh kernel; return wall seconds, start included."""
    t0 = time.perf_counter()
    run_in_fresh_kernel(copy.deepcopy(nb), cwd)
    return time.perf_counter() - t0


def kernel_floor(cwd: Path) -> float:
    """Return the time to start a fresh kernel and run one empty cell."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    return run_notebook(nb, cwd)


def scenario_floor() -> tuple[float, str]:
    """Return the sum of the makespans notebook 02's scenarios demonstrate (the model, no overhead)."""
    total = sum(
        simulate(n=sc.n, io=sc.io_ms / 1000, cpu=sc.cpu_ms / 1000, **sc.model).makespan for sc in SCENARIOS.values()
    )
    return total, f"the model's makespans of its {len(SCENARIOS)} scenarios"


def measure(repeat: int = 1, quick: bool = False) -> list[Figure]:
    """Run every notebook that exists; one Figure per notebook and one for the total."""
    from helpers.runner.course import NOTEBOOK_DIR, NOTEBOOKS

    os.environ.pop(GRADING_ENV, None)  # the learner's view: checks print, never raise
    cwd = NOTEBOOK_DIR
    floor_kernel = median(kernel_floor(cwd) for _ in range(max(1, repeat)))
    scen_floor, scen_how = scenario_floor()
    figures, total, failed = [], 0.0, []
    for name, _ in NOTEBOOKS:
        nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
        try:
            seconds = median(run_notebook(nb, cwd) for _ in range(max(1, repeat)))
        except Exception as exc:  # report and go on: one broken notebook must not hide the rest
            failed.append(name)
            figures.append(
                Figure(
                    f"course_runtime.{name[:2]}",
                    f"1. run time {name}",
                    None,
                    "s",
                    "runs",
                    False,
                    note=f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}",
                )
            )
            continue
        total += seconds
        floor = floor_kernel + (scen_floor if name.startswith("02") else 0.0)
        budget = BUDGETS_S.get(name[:2])
        figures.append(
            Figure(
                f"course_runtime.{name[:2]}",
                f"1. run time {name}",
                seconds,
                "s",
                f"<= {budget:g} s" if budget else "(no budget)",
                (seconds <= budget) if budget else None,
                details={"floor_s": floor},
                note=f"floor {floor:.1f} s" + (f" (+ scenarios: {scen_how})" if name.startswith("02") else ""),
            )
        )
    figures.append(
        Figure(
            "course_runtime.total",
            f"1. course run time, {len(NOTEBOOKS)} notebooks",
            total,
            "s",
            f"< {GOAL_TOTAL_S:g} s",
            total < GOAL_TOTAL_S and not failed,
            details={"failed": failed, "kernel_floor_s": floor_kernel, "repeat": repeat},
            note=(
                f"fresh kernel + empty cell: {floor_kernel:.1f} s per notebook; "
                + (f"failed: {', '.join(failed)}" if failed else "all ran")
            ),
        )
    )
    return figures


if __name__ == "__main__":
    sys.exit(run_alone(measure, __doc__))
