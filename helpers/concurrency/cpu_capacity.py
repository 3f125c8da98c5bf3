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
