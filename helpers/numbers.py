"""Check the numbers a caller passes, and summarise latencies: one rule and one percentile for the course."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any


def require_number(
    name: str,
    value: Any,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    integer: bool = False,
    low_open: bool = False,
    unit: str = "",
) -> None:
    """Raise a ValueError naming `name`, the allowed range and what was given, unless `value` fits."""
    # bool is an int subclass: True would pass as 1, which is never what a caller meant
    ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type:
        raise ValueError(f"{name} must be {_allowed(low, high, integer, low_open, unit)}, got {value!r}")
    too_low = value <= low if low_open else value < low
    if not math.isfinite(value) or too_low or value > high:
        raise ValueError(f"{name} must be {_allowed(low, high, integer, low_open, unit)}, got {value!r}")


def _allowed(low: float, high: float, integer: bool, low_open: bool, unit: str) -> str:
    kind = "an int" if integer else (f"{unit} (a number)" if unit else "a number")
    if low == -math.inf and high == math.inf:
        return kind
    if high == math.inf:
        return f"{kind} {'>' if low_open else '>='} {low:g}"
    return f"{kind} in {'(' if low_open else '['}{low:g}, {high:g}]"


def percentile(values: Iterable[float], p: float) -> float:
    """Return the p-th percentile of `values` by nearest rank (0.0 when there are none)."""
    require_number("p", p, 0, 100)
    ordered = sorted(values)
    if not ordered:
        return 0.0
    # nearest rank: the smallest value with at least p % of the values at or below it
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]
