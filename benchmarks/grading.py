"""Figure: time to grade a class, 30 learners x every notebook, with `python -m helpers.grade`'s machinery.

The learners' notebooks are the course's own, answered with the worked solutions (the slowest honest case:
every check runs to the end). Goal from issue 27: <= 300 s on this 2-core machine (issue 15 had asked 10 minutes).

    python -m benchmarks.grading [--learners 30] [--jobs N]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from helpers.coursework import grade
from helpers.coursework.cells import role_of, with_coursework_metadata
from helpers.coursework.exercises import EXERCISES

from ._common import Figure, table

GOAL_S = 300.0
LEARNERS = 30


def write_class(root: Path, learners: int) -> int:
    """Write `learners` honest submissions of every notebook under `root`; return how many notebooks."""
    names = sorted(grade.course_notebooks(grade.COURSE_ROOT))
    for name in names:
        nb = with_coursework_metadata(nbformat.read(grade.COURSE_ROOT / "notebooks" / name, as_version=4), name)
        for cell in nb.cells:
            role, ex = role_of(cell)
            if role == "answer":
                cell.source = EXERCISES[ex].solution
        for n in range(learners):
            folder = root / f"learner{n:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, folder / name)
    return len(names)


def measure(quick: bool = False, learners: int | None = None, jobs: int | None = None) -> list[Figure]:
    """Grade a class of honest learners; one figure for the whole class, with the per-notebook median."""
    learners = learners or (2 if quick else LEARNERS)
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        root = Path(tmp) / "submitted"
        count = write_class(root, learners)
        t0 = time.perf_counter()
        grades = grade.grade_all(root, Path(tmp) / "out", jobs=jobs, quiet=False)
        seconds = time.perf_counter() - t0
        with open(Path(tmp) / "out" / "grades.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    full = sum(r["total"] == r["max"] for r in rows)
    misses = [
        f"{g.learner}/{g.notebook} {e.id}: {e.message[:160]}" for g in grades for e in g.exercises if not e.passed
    ] + [f"{g.learner}/{g.notebook} flag: {f}" for g in grades for f in g.flags]
    per_notebook: dict[str, list[float]] = {}
    for g in grades:
        per_notebook.setdefault(g.notebook, []).append(g.seconds)
    details = {
        "loadavg_1m_after": round(os.getloadavg()[0], 2),
        "learners": learners,
        "notebooks": count,
        "jobs": jobs or os.cpu_count(),
        "full_marks_rows": full,
        "rows": len(rows),
        "misses": misses,
        "median_seconds_per_notebook": {k: sorted(v)[len(v) // 2] for k, v in per_notebook.items()},
    }
    # Scaled to 30 learners when fewer were graded, so a quick run still says whether the goal is in reach.
    projected = seconds * LEARNERS / learners
    note = (
        ""
        if full == len(rows)
        else (f"only {full} of {len(rows)} honest rows got full marks; first: {misses[0] if misses else '?'}")
    )
    if learners != LEARNERS:
        note = (note + "; " if note else "") + f"measured on {learners} learners, scaled to {LEARNERS}"
    return [
        Figure(
            "grading.class",
            f"grade {LEARNERS} learners x {count} notebooks",
            round(projected, 1),
            "s",
            f"<= {GOAL_S:.0f} s",
            projected <= GOAL_S and full == len(rows),
            details,
            note,
        )
    ]


def main(argv: list[str] | None = None) -> int:
    """Measure on the command line's class size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=LEARNERS)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    print(table(measure(learners=args.learners, jobs=args.jobs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
