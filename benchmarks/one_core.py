"""Figure 8: every notebook under strict nbval on one CPU core, alone and sharing it; run time and peak memory.

Binder gives a learner a fraction of one core and at most 2 GB. Each notebook runs under
`pytest --nbval` (strict, with the course's sanitize file) in its own pytest process pinned
to core 0, so its kernel and every server the kernel starts are pinned too. "alone" has the
core to itself (other programs on the machine may still use it); "busy" shares it with a
spinning process pinned to the same core, as on a shared Binder node. While a notebook runs,
the resident memory of its kernel's process tree (the kernel plus any server processes it
starts) is sampled with psutil; the peak is held to the 1.5 GB goal (Binder stops a kernel
at 2 GB). RSS is summed over the tree, which counts pages shared between forked workers
more than once: an upper bound.

    python -m benchmarks.one_core                      # both modes, every notebook
    python -m benchmarks.one_core --modes busy --notebooks 04 --check   # exit 1 if nbval fails
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from helpers.runner.memory import MEMORY_GOAL_MB, TreeMemory

from ._common import ROOT, Figure, table

CORE = 0
MODES = ("alone", "busy")
SPIN = "while True: pass"


def pin(core: int = CORE) -> None:
    """Pin the calling process (and so its children) to one core: `taskset -c CORE` without the tool."""
    os.sched_setaffinity(0, {core})


@contextmanager
def busy_core(core: int = CORE) -> Iterator[subprocess.Popen]:
    """Keep `core` busy with a spinning Python process for the duration; stop it by PID after."""
    spinner = subprocess.Popen([sys.executable, "-c", SPIN], preexec_fn=lambda: pin(core))
    try:
        yield spinner
    finally:
        spinner.kill()
        spinner.wait(10)


def nbval_command(notebook: Path, basetemp: Path) -> list[str]:
    """Return the strict nbval command the README's test command runs for one notebook."""
    return [
        sys.executable,
        "-m",
        "pytest",
        str(notebook.relative_to(ROOT)),
        "-q",
        "-p",
        "no:randomly",
        f"--basetemp={basetemp}",
    ]


def run_pinned(notebook: Path, basetemp: Path, timeout: float = 900) -> dict:
    """Run strict nbval on `notebook` pinned to one core; return passed, seconds, peak MiB and pytest's last line."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        nbval_command(notebook, basetemp),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=pin,
    )
    with TreeMemory(proc.pid, include_root=False) as memory:  # the kernel and its servers, not pytest
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for child in psutil.Process(proc.pid).children(recursive=True):
                child.kill()
            proc.kill()
            out, _ = proc.communicate()
            out += f"\ntimed out after {timeout} s"
    seconds = time.perf_counter() - t0
    lines = [line for line in out.splitlines() if line.strip()]
    failed = [line for line in lines if line.startswith("FAILED")]
    return {
        "passed": proc.returncode == 0,
        "seconds": seconds,
        "peak_mb": memory.peak_bytes / 2**20,
        "samples": memory.samples,
        "last": lines[-1] if lines else "(no output)",
        "failed": failed,
        "output": out if proc.returncode else "",
    }


def measure(
    quick: bool = False, modes: tuple[str, ...] = MODES, notebooks: list[str] | None = None, show_failures: bool = True
) -> list[Figure]:
    """Run every chosen notebook pinned to one core in each mode; one Figure per run and per mode total."""
    import tempfile

    from helpers.runner.course import NOTEBOOK_DIR, NOTEBOOKS

    if not hasattr(os, "sched_setaffinity"):
        return [Figure("one_core", "8. one core", None, "", "", None, note="skipped: no sched_setaffinity here")]
    names = [n for n, _ in NOTEBOOKS if not notebooks or n[:2] in notebooks]
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="one-core-") as tmp:
        for mode in modes:
            total, failed = 0.0, []
            for name in names:
                print(f"  one core, {mode}: {name}", file=sys.stderr, flush=True)
                basetemp = Path(tmp) / f"{mode}-{name[:2]}"
                if mode == "busy":
                    with busy_core():
                        run = run_pinned(NOTEBOOK_DIR / name, basetemp)
                else:
                    run = run_pinned(NOTEBOOK_DIR / name, basetemp)
                total += run["seconds"]
                if not run["passed"]:
                    failed.append(name)
                    if show_failures:
                        print(run["output"][-4000:], file=sys.stderr, flush=True)
                figures.append(
                    Figure(
                        f"one_core.{mode}.{name[:2]}.peak_memory",
                        f"8. {name[:2]} on one core, {mode}: peak memory",
                        run["peak_mb"],
                        "MiB",
                        f"<= {MEMORY_GOAL_MB:g} MiB",
                        run["peak_mb"] <= MEMORY_GOAL_MB,
                        details={
                            "seconds": run["seconds"],
                            "nbval_passed": run["passed"],
                            "samples": run["samples"],
                            "failed_cells": run["failed"],
                        },
                        note=(
                            f"{run['seconds']:.1f} s; strict nbval "
                            + ("passed" if run["passed"] else "FAILED: " + "; ".join(run["failed"])[:300])
                        ),
                    )
                )
            figures.append(
                Figure(
                    f"one_core.{mode}.total",
                    f"8. course on one core, {mode}: strict nbval run time",
                    total,
                    "s",
                    "every notebook passes",
                    not failed,
                    details={"failed": failed, "notebooks": len(names)},
                    note="all passed strict nbval" if not failed else f"strict nbval failed: {', '.join(failed)}",
                )
            )
    return figures


def main(argv: list[str] | None = None) -> int:
    """Print the figures; with --check, exit 1 if strict nbval failed in any run."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--notebooks", nargs="+", help="two-digit numbers, e.g. 02 04 (default: all)")
    parser.add_argument("--check", action="store_true", help="exit 1 if strict nbval failed anywhere")
    args = parser.parse_args(argv)
    figures = measure(modes=tuple(args.modes), notebooks=args.notebooks)
    print(table(figures))
    failed = [f for f in figures if f.key.endswith(".total") and f.met is False]
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
