"""What every benchmark module shares: a Figure record, statistics, the table and the JSON file."""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import socket
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Figure:
    """One measured figure: its value, the goal it is held to, and whether it met it."""

    key: str  # e.g. "server_start.fastapi"
    label: str  # what a reader sees in the table
    value: float | None  # None when it could not be measured (see note)
    unit: str
    goal: str  # the goal in words, e.g. ">= 10x"
    met: bool | None  # None when there is no goal or no value
    details: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def median(values: Iterable[float]) -> float:
    """Return the median of `values` (at least one)."""
    values = list(values)
    if not values:
        raise ValueError("values must not be empty")
    return statistics.median(values)


def percentile(values: Sequence[float], p: float) -> float:
    """Return the `p`-th percentile (0..100) by linear interpolation."""
    if not values:
        raise ValueError("values must not be empty")
    if not 0 <= p <= 100:
        raise ValueError(f"p must be in 0..100, got {p!r}")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run `fn` and return (seconds, its result)."""
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def free_port() -> int:
    """Return a loopback port that was free a moment ago (for subprocess servers)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> dict[str, Any]:
    """Describe the machine and the load on it, so noisy figures can be read in context."""
    info: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        info["loadavg_1m"] = os.getloadavg()[0]
    except OSError:
        pass
    return info


def fmt_value(f: Figure) -> str:
    """Format a figure's value with its unit."""
    if f.value is None:
        return "n/a"
    v = f.value
    text = f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return f"{text} {f.unit}".strip()


def table(figures: Sequence[Figure]) -> str:
    """Return the figures as an aligned text table: figure, value, goal, verdict."""
    rows = [("figure", "value", "goal", "verdict")]
    for f in figures:
        verdict = {True: "met", False: "MISSED", None: "-"}[f.met]
        rows.append((f.label, fmt_value(f), f.goal, verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"- {f.label}: {f.note}" for f in figures if f.note]
    if notes:
        lines += ["", "Notes:"] + notes
    return "\n".join(lines)


def write_json(figures: Sequence[Figure], extra: dict[str, Any] | None = None) -> Path:
    """Write the figures to benchmarks/results/<UTC time>.json and latest.json; return the path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    doc = {"when": stamp, "machine": machine(), **(extra or {}), "figures": [asdict(f) for f in figures]}
    path = RESULTS_DIR / f"{stamp}.json"
    text = json.dumps(doc, indent=2, default=str)
    path.write_text(text)
    (RESULTS_DIR / "latest.json").write_text(text)
    return path


def run_alone(measure: Callable[..., Sequence[Figure]], doc: str | None, argv: list[str] | None = None) -> int:
    """Run one module's `measure` from its command line (`--repeat`, defaulting to its own) and print the table."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=inspect.signature(measure).parameters["repeat"].default)
    print(table(measure(parser.parse_args(argv).repeat)))
    return 0
