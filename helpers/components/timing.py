"""Time several callables side by side in one run: interleaved repeats, median per callable."""
from __future__ import annotations

import statistics
import time
from typing import Any, Callable, Mapping

from helpers.display import Table


def compare_timings(funcs: Mapping[str, Callable[[], Any]], repeats: int = 5, number: int = 1) -> dict[str, float]:
    """Return the median seconds per call of each callable, timed in interleaved rounds."""
    if not funcs:
        raise ValueError("funcs must name at least one callable")
    if not all(callable(f) for f in funcs.values()):
        raise TypeError("every value of funcs must be callable")
    for name, value in (("repeats", repeats), ("number", number)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 1000:
            raise ValueError(f"{name} must be an int from 1 to 1000, got {value!r}")
    samples: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(repeats):
        # Interleaving rounds spreads the machine's noise evenly over the contenders.
        for name, fn in funcs.items():
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - t0) / number)
    return {name: statistics.median(s) for name, s in samples.items()}


def timing_table(medians: Mapping[str, float], title: str = "", unit: str = "ms") -> Table:
    """Tabulate medians with their ratio to the fastest."""
    scale = {"s": 1.0, "ms": 1e3, "µs": 1e6}
    if unit not in scale:
        raise ValueError(f"unit must be one of {sorted(scale)}, got {unit!r}")
    fastest = min(medians.values())
    rows = [[name, f"{t * scale[unit]:.2f} {unit}", f"{t / fastest:.1f}×"]
            for name, t in sorted(medians.items(), key=lambda kv: kv[1])]
    return Table(rows, ["contender", "median time", "vs fastest"], title=title)


def plot_timings(panels: Mapping[str, Mapping[str, float]], colors: Mapping[str, str], title: str = "",
                 legend: Mapping[str, str] | None = None, dpi: int = 72) -> Any:
    """Draw one horizontal bar panel per group of medians (ms), bars coloured by contender; return the figure."""
    import matplotlib.pyplot as plt

    if not panels:
        raise ValueError("panels must hold at least one group of timings")
    missing = sorted({name for medians in panels.values() for name in medians} - set(colors))
    if missing:
        raise ValueError(f"colors has no colour for {missing}")
    # A modest dpi keeps the PNG small: outputs over 64 KB make pyzmq start a lasting garbage-collector thread.
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.2), dpi=dpi, squeeze=False)
    for ax, (panel, medians) in zip(axes[0], panels.items()):
        names = sorted(medians, key=medians.get, reverse=True)  # barh draws the first name at the bottom: the fastest ends up on top
        ax.barh(names, [medians[n] * 1e3 for n in names], color=[colors[n] for n in names])
        ax.set_title(panel)
        ax.set_xlabel("median time (ms)")
    if legend:
        from matplotlib.patches import Patch

        fig.legend(handles=[Patch(color=c, label=label) for label, c in legend.items()],
                   loc="lower center", ncol=len(legend), frameon=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.08 if legend else 0, 1, 1))
    return fig
