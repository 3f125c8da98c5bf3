"""Measure a check's truth once per grading run, and share it between the grader's judges.

Some checks measure their truth on the machine that judges (a server's stops, a rollback, a fan-out), which
takes seconds. The grader judges each learner's notebook in a judge process of its own, so without sharing, a class
of 30 pays for each measurement 30 times. The grader sets COURSE_TRUTHS_DIR to a folder of its own (mode 0700, out of
every sandbox's reach); a function decorated with `shared` then measures once per run, and every judge of that run
reads the same figures: each learner is judged against the same truth. Outside grading (a learner's kernel, the
tests) nothing is shared and every call measures afresh, so "run the check again when the machine is quieter"
still means something.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

TRUTHS_ENV = "COURSE_TRUTHS_DIR"
F = TypeVar("F", bound=Callable[..., Any])


def truths_dir() -> Path | None:
    """Return the folder this grading run shares its truths in, or None outside grading."""
    folder = os.environ.get(TRUTHS_ENV)
    return Path(folder) if folder else None


def shared(fn: F) -> F:
    """Make `fn` (no arguments, JSON-serialisable result) measure once per grading run; a plain call elsewhere."""

    @functools.wraps(fn)
    def wrapper() -> Any:
        folder = truths_dir()
        if folder is None:
            return fn()
        path = folder / f"{fn.__module__}.{fn.__qualname__}.json"
        # One judge measures while the others wait on the lock, then read what it wrote.
        with open(folder / f"{path.name}.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if path.exists():
                return json.loads(path.read_text(encoding="utf-8"))
            value = json.loads(json.dumps(fn()))  # every judge gets the same types: tuples become lists for all
            path.write_text(json.dumps(value), encoding="utf-8")
            return value

    return wrapper  # type: ignore[return-value]
