"""Show a measured claim as a verdict, "As expected" or "Not this time", and never raise on it.

A learner's machine is shared: Binder gives a fraction of a CPU, a class hub puts many kernels
on one node. A timing measured there can miss a claim that holds on a quiet machine, so a cell
shows what it saw and why it may differ, and the claim itself is asserted by the course's tests
under conditions they control.

    watch = watch_cpu()          # before measuring
    ...                          # measure
    verdict("Threads overlap their waits", held=span < 0.3, seen=f"{span:.2f} s", during=watch)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psutil

from helpers.concurrency.cpu_capacity import usable_cores

# Other programs using at least this many cores' worth of CPU while a cell measured: "busy".
BUSY_CORES = 0.5


def _tree_cpu_seconds() -> float:
    """Return the CPU seconds this process and its live children used, reaped children included."""
    me = psutil.Process()
    total = 0.0
    for proc in [me, *me.children(recursive=True)]:
        try:
            t = proc.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue  # it ended while we looked: its time went to its parent's children_* fields
        total += t.user + t.system + t.children_user + t.children_system
    return total


def _machine_busy_seconds() -> float | None:
    """Return the CPU seconds all programs on the machine have used since boot, or None if unknown."""
    try:
        t = psutil.cpu_times()
    except (OSError, NotImplementedError):  # pragma: no cover - every supported OS has it
        return None
    idle = t.idle + getattr(t, "iowait", 0.0)
    return sum(t) - idle


class CpuWatch:
    """Record how much CPU other programs took from the moment it was made until now."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self._tree = _tree_cpu_seconds()
        self._machine = _machine_busy_seconds()

    def others_cores(self) -> float | None:
        """Return how many cores' worth of CPU other programs used while this watch ran, or None."""
        wall = time.perf_counter() - self.started
        machine = _machine_busy_seconds()
        if machine is None or self._machine is None or wall <= 0:
            return None
        ours = _tree_cpu_seconds() - self._tree
        # Children that ended and were never waited for drop out of both counts: "about", not exact.
        return max(0.0, (machine - self._machine - ours) / wall)


def watch_cpu() -> CpuWatch:
    """Start watching how busy the rest of the machine is; pass the result to `verdict(during=...)`."""
    return CpuWatch()


@dataclass(frozen=True)
class Verdict:
    """One measured claim: whether it held this time, what was seen, and why it may not have held."""

    claim: str
    held: bool
    seen: str
    why: str = ""
    others_cores: float | None = None
    cores: int = 1

    def text(self) -> str:
        """Return the claim on one line and the verdict on the next, in words (not only colour or marks)."""
        if self.held:
            return f"Claim: {self.claim}\n  As expected: {self.seen}"
        reasons = []
        if self.others_cores is not None:
            others = f"other programs used about {self.others_cores:.1f} of the {self.cores} cores"
            if self.others_cores >= BUSY_CORES:
                reasons.append(f"while it ran, {others} this kernel may use, so the measurement shared the CPU")
            else:
                reasons.append(f"while it ran, {others}, so the machine was not the cause")
        if self.why:
            reasons.append(self.why)
        reasons.append("re-run the cell (on a quiet machine it holds; the course's tests check it)")
        return f"Claim: {self.claim}\n  Not this time: {self.seen}. Why: {'; '.join(reasons)}."

    def __str__(self) -> str:
        return self.text()


def judge(claim: str, held: object, seen: str, *, why: str = "", during: CpuWatch | None = None) -> Verdict:
    """Return the verdict on `claim`; `held` is the measured test, `seen` the figures, `why` a likely cause."""
    if not isinstance(claim, str) or not claim.strip():
        raise ValueError(f"claim must be a sentence saying what should hold, got {claim!r}")
    if not isinstance(seen, str) or not seen.strip():
        raise ValueError(f"seen must say what was measured (figures and units), got {seen!r}")
    if not isinstance(why, str):
        raise TypeError(f"why must be a sentence (str) giving a likely cause of a miss, got {type(why).__name__}")
    if during is not None and not isinstance(during, CpuWatch):
        raise TypeError(f"during must be what watch_cpu() returned, or None, got {type(during).__name__}")
    others = during.others_cores() if during is not None else None
    return Verdict(
        claim.strip().rstrip("."), bool(held), seen.strip().rstrip("."), why.strip().rstrip("."), others, usable_cores()
    )


def verdict(claim: str, held: object, seen: str, *, why: str = "", during: CpuWatch | None = None) -> None:
    """Print the verdict on a measured claim: "As expected" with the figures, or "Not this time" and why."""
    print(judge(claim, held, seen, why=why, during=during).text())
