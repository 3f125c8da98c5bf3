"""How many cores this kernel may use, and how much CPU it actually gets right now (machines are shared)."""

from __future__ import annotations

import os
import subprocess
import sys

from helpers.numbers import require_number

# A spinner burns `seconds` of its own CPU time, then prints the wall-clock seconds that took.
_SPIN = (
    "import sys, time\n"
    "s = float(sys.argv[1]); w0 = time.perf_counter(); end = time.thread_time() + s\n"
    "while time.thread_time() < end: pass\n"
    "print(time.perf_counter() - w0)"
)


def usable_cores() -> int:
    """Return the cores this process may run on (its CPU affinity), which can be fewer than os.cpu_count()."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def free_cores(processes: int | None = None, seconds: float = 0.3) -> float:
    """Return how many cores' worth of CPU `processes` spinning processes get together, right now.

    A CPU quota (containers, Binder) or other busy programs give less than the core count.
    """
    processes = usable_cores() if processes is None else processes
    require_number("processes", processes, 1, 64, integer=True)
    require_number("seconds", seconds, 0.01, 5, unit="seconds")
    spinners = [
        subprocess.Popen([sys.executable, "-S", "-c", _SPIN, str(seconds)], stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    walls = []
    for spinner in spinners:
        out, _ = spinner.communicate(timeout=120)
        walls.append(float(out.strip()))
    # Each spinner got seconds/wall of a core; together they got the sum.
    return min(float(processes), sum(seconds / w for w in walls))


def judge_cpu_bound(cores_used: list[float], cores: int, capacity: float, during: object = None) -> list:
    """Return notebook 03's verdicts on CPU-bound requests, from the cores used by its four set-ups, in order:
    1 process, 1 process x 4 threads, one process per core, two per core."""
    from helpers.verdicts import judge

    if len(cores_used) != 4:
        raise ValueError(f"cores_used needs the four set-ups' figures, got {len(cores_used)}")
    _one_thread, four_threads, per_core, twice = cores_used
    return [
        judge(
            "Threads share one GIL: one process with 4 threads computes on at most one core (under 1.2 cores used)",
            four_threads < 1.2,
            f"it used {four_threads:.2f} cores",
            during=during,
        ),
        judge(
            "Processes beyond the cores only take turns: twice as many processes as cores use no more than the cores",
            twice < cores + 0.3,
            f"{2 * cores} processes used {twice:.2f} of the {cores} core(s)",
            during=during,
        ),
        judge(
            "Processes compute side by side: one per core uses over 1.15 times what 4 threads do",
            per_core > 1.15 * four_threads,
            f"{per_core:.2f} cores against {four_threads:.2f}",
            why=f"only {capacity:.1f} cores' worth of CPU were free when the capacity cell ran, and processes share "
            "what is free",
            during=during,
        ),
    ]
