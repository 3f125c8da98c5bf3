"""Measure every figure of the course in one run; print a table with each goal, write JSON.

    python -m benchmarks                 # figures 1-6, 8 and 11 (a few minutes)
    python -m benchmarks --install       # also figure 7: a fresh venv from requirements.txt (slow)
    python -m benchmarks --only server_start async_efficiency
    python -m benchmarks --quick         # one repetition each: a smoke run, not figures to quote
    python -m benchmarks --only grading  # 30 learners x every notebook through the grader (about 10 minutes)

The JSON goes to benchmarks/results/ (gitignored). Not run by the tests.
Flakiness has its own command: python -m benchmarks.flakiness -n 5 [--busy].
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback

from ._common import Figure, table, write_json

FIGURES = [
    "course_runtime",
    "server_start",
    "model_fidelity",
    "async_efficiency",
    "serving",
    "widget_redraw",
    "framework_overhead",
    "database",
    "grading",
    "one_core",
]


def run(name: str, quick: bool) -> list[Figure]:
    """Measure one module's figures; a failure becomes a row that says why, not a crash."""
    try:
        module = importlib.import_module(f"benchmarks.{name}")
        return module.measure(quick=quick)
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        return [Figure(name, name, None, "", "", False, note=f"failed: {type(exc).__name__}: {exc}")]


def main(argv: list[str] | None = None) -> int:
    """Run the chosen figures, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--install", action="store_true", help="also time a fresh venv install (slow)")
    parser.add_argument("--only", nargs="+", choices=FIGURES + ["install"], help="measure only these")
    parser.add_argument("--quick", action="store_true", help="one repetition each (smoke run)")
    args = parser.parse_args(argv)
    names = args.only or (FIGURES + (["install"] if args.install else []))
    figures: list[Figure] = []
    t0 = time.perf_counter()
    for name in names:
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        figures.extend(run(name, args.quick))
    import helpers

    helpers.stop_all()
    print(table(figures))
    path = write_json(figures, {"seconds": time.perf_counter() - t0, "quick": args.quick, "figures_run": names})
    print(f"\nwritten: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
