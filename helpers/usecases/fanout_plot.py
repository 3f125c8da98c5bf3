"""Draw notebook 08's fan-out timings: sequential vs concurrent backend calls per framework."""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.figure import Figure

from helpers import palette
from helpers.display import set_alt

FRAMEWORK_COLOURS = {"FastAPI": palette.FASTAPI, "Flask": palette.FLASK, "Django (ASGI)": palette.DJANGO}
KINDS = ("sequential", "concurrent")
TITLE = "Concurrent calls take about one wait, sequential ones add up"


def describe_fanout(timings: Mapping[tuple[str, str], float], n: int, delay: float) -> str:
    """Return the text alternative of plot_fanout's figure: each time, and how many waits it amounts to."""
    said = [
        f"{label}, {kind}: {seconds * 1000:.0f} ms ({seconds / delay:.1f} waits)"
        for (label, kind), seconds in timings.items()
    ]
    return (
        f"{TITLE}. Bar chart: one request calls {n} backends that each wait {delay * 1000:.0f} ms, "
        f"{n * delay * 1000:.0f} ms added up. " + "; ".join(said) + "."
    )


def plot_fanout(timings: Mapping[tuple[str, str], float], n: int, delay: float) -> Figure:
    """Draw one bar per (framework, kind) in seconds, next to one wait and `n` waits added up."""
    if not timings:
        raise ValueError("timings must hold at least one (framework, kind) -> seconds entry")
    for (label, kind), seconds in timings.items():
        if label not in FRAMEWORK_COLOURS:
            raise ValueError(f"framework must be one of {sorted(FRAMEWORK_COLOURS)}, got {label!r}")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        if not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError(f"seconds must be a number >= 0, got {seconds!r} for {label} {kind}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1 (backend calls per request), got {n!r}")
    if not isinstance(delay, (int, float)) or not delay > 0:
        raise ValueError(f"delay must be seconds > 0 (one backend wait), got {delay!r}")
    fig = Figure(figsize=(10.4, 4.0), layout="constrained")
    ax = fig.subplots()
    for i, ((label, kind), seconds) in enumerate(timings.items()):
        ax.barh(
            i,
            seconds * 1000,
            color=FRAMEWORK_COLOURS[label],
            hatch="//" if kind == "sequential" else None,
            edgecolor="white",
            label=label if kind == "concurrent" else None,
        )
        ax.text(seconds * 1000 + 8, i, kind, va="center", fontsize=10)
    ax.axvline(n * delay * 1000, color=palette.BLACK, linestyle="--", linewidth=1, label=f"{n} waits added up")
    ax.axvline(delay * 1000, color=palette.ORANGE, linestyle=":", linewidth=1.5, label="one wait")
    ax.set_yticks(range(len(timings)), [label for label, _ in timings], fontsize=10)
    ax.invert_yaxis()
    ax.set_xlabel(f"time for one request that calls {n} backends (ms)", fontsize=11)
    ax.set_title(TITLE, fontsize=12)
    ax.set_xlim(0, max(timings.values()) * 1000 * 1.25)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=10, frameon=False)
    return set_alt(fig, describe_fanout(timings, n, delay))
