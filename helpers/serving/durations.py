"""How long the course's load runs last: one place, read from the environment at each call.

A learner and the stored notebook get the full durations: runs of at least 10 s, repeated 3 times,
long enough to trust a median and its spread. CI sets `COURSE_QUICK=1` to run the same cells in a
fraction of the time: the figures are then too short to trust, and only the cells' plumbing is checked.

    from helpers.serving.durations import durations
    budget = durations()
    run_load(url, "/json", seconds=budget.seconds, ...)   # repeated budget.repeats times
    hold_setup(setup, list(budget.waiting_steps), wait_s=budget.hold_s)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

QUICK_ENV = "COURSE_QUICK"
_YES = ("1", "true", "yes", "on")
_NO = ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class Durations:
    """How long one load run lasts, how many times it is repeated, and whether this is CI's quick mode."""

    seconds: float
    repeats: int
    quick: bool
    waiting_steps: tuple[int, ...] = (1000, 2500, 5000)  # connections held at each step (helpers.concurrency.waiting)
    hold_s: float = 60.0  # how long each held request waits: longer than all the steps take together

    def describe(self) -> str:
        """Return the durations in words, for a cell to print beside its figures."""
        runs = f"{self.repeats} run{'s' if self.repeats != 1 else ''} of {self.seconds:g} s each"
        if self.quick:
            return f"{runs} ({QUICK_ENV} is set: too short to trust, for checking the cells only)"
        return runs


# The course's fairness rule: >= 10 s of load, >= 3 repeats, median and spread (shared/COURSE.md).
FULL = Durations(seconds=10.0, repeats=3, quick=False)
# CI runs every notebook on every Python: a second per run, once, keeps the serving notebook's run short.
QUICK = Durations(seconds=1.0, repeats=1, quick=True, waiting_steps=(300, 1200), hold_s=20.0)


def is_quick(environ: Mapping[str, str] | None = None) -> bool:
    """Tell whether COURSE_QUICK asks for quick runs; raise on a value that is neither yes nor no."""
    value = (os.environ if environ is None else environ).get(QUICK_ENV, "").strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    # A typo in CI's settings must not silently run the full 10-second loads (or the reverse).
    raise ValueError(f"{QUICK_ENV} must be one of {', '.join(repr(v) for v in _YES + _NO[1:])} or unset, got {value!r}")


def durations(environ: Mapping[str, str] | None = None) -> Durations:
    """Return the durations for this process: QUICK when COURSE_QUICK is set to a yes, FULL otherwise."""
    return QUICK if is_quick(environ) else FULL
