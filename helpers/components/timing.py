"""Time several callables side by side in one run: interleaved repeats, median per callable."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

from helpers.display import Table, set_alt
from helpers.numbers import require_number


def compare_timings(
    funcs: Mapping[str, Callable[[], Any]],
    repeats: int = 5,
    number: int = 1,
    clock: Callable[[], float] = time.perf_counter,
    summary: Callable[[list[float]], float] = statistics.median,
) -> dict[str, float]:
    """Return the median seconds per call of each callable, timed in interleaved rounds.

    `clock` and `summary` change what is timed and how the rounds combine: `time.thread_time` and `min` give
    the least CPU time of this thread, which a busy core does not inflate (the tests' claims use that).
    """
    if not funcs:
        raise ValueError("funcs must name at least one callable")
    if not all(callable(f) for f in funcs.values()):
        raise TypeError("every value of funcs must be callable")
    require_number("repeats", repeats, 1, 1000, integer=True)
    require_number("number", number, 1, 1000, integer=True)
    samples: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(repeats):
        # Interleaving rounds spreads the machine's noise evenly over the contenders.
        for name, fn in funcs.items():
            t0 = clock()
            for _ in range(number):
                fn()
            samples[name].append((clock() - t0) / number)
    return {name: summary(s) for name, s in samples.items()}


def timing_table(medians: Mapping[str, float], title: str = "", unit: str = "ms") -> Table:
    """Tabulate medians with their ratio to the fastest."""
    scale = {"s": 1.0, "ms": 1e3, "µs": 1e6}
    if unit not in scale:
        raise ValueError(f"unit must be one of {sorted(scale)}, got {unit!r}")
    fastest = min(medians.values())
    rows = [
        [name, f"{t * scale[unit]:.2f} {unit}", f"{t / fastest:.1f}×"]
        for name, t in sorted(medians.items(), key=lambda kv: kv[1])
    ]
    return Table(rows, ["contender", "median time", "vs fastest"], title=title)


def describe_timings(panels: Mapping[str, Mapping[str, float]], title: str = "") -> str:
    """Return the text alternative of plot_timings' figure: each panel's medians, fastest first, as multiples."""
    said = []
    for panel, medians in panels.items():
        fastest = min(medians, key=medians.get)
        times = [
            f"{name} {t * 1e3:.2f} ms" + (" (fastest)" if name == fastest else f" ({t / medians[fastest]:.1f}x)")
            for name, t in sorted(medians.items(), key=lambda kv: kv[1])
        ]
        said.append(f"{panel}: {', '.join(times)}.")
    lead = f"{title.rstrip('.')}. " if title else ""
    return f"{lead}Bar charts of median times, each panel on its own scale. " + " ".join(said)


def plot_timings(
    panels: Mapping[str, Mapping[str, float]],
    colors: Mapping[str, str],
    title: str = "",
    legend: Mapping[str, str] | None = None,
) -> Any:
    """Draw one labelled bar panel per group of medians (ms), stacked, bars coloured by contender; return the figure."""
    from matplotlib.figure import Figure

    if not panels:
        raise ValueError("panels must hold at least one group of timings")
    missing = sorted({name for medians in panels.values() for name in medians} - set(colors))
    if missing:
        raise ValueError(f"colors has no colour for {missing}")
    # Panels stacked full width, one row per bar, so names and values read at the size of the text around them.
    # A Figure (not pyplot) is never shown twice: the caller shows it once with display.show_figure.
    heights = [len(medians) for medians in panels.values()]
    fig = Figure(figsize=(9, 1.2 + 0.55 * sum(heights) + 0.6 * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights})
    for ax, (panel, medians) in zip(axes[:, 0], panels.items()):
        names = sorted(
            medians, key=medians.get, reverse=True
        )  # barh draws the first name at the bottom: the fastest ends up on top
        values = [medians[n] * 1e3 for n in names]
        bars = ax.barh(names, values, color=[colors[n] for n in names])
        ax.bar_label(bars, fmt="%.2f ms", padding=3, fontsize=11)
        ax.set_title(panel, fontsize=12, loc="left")
        ax.set_xlabel("median time (ms); each panel has its own scale", fontsize=10)
        ax.tick_params(labelsize=11)
        ax.margins(x=0.2)
    if legend:
        from matplotlib.patches import Patch

        fig.legend(
            handles=[Patch(color=c, label=label) for label, c in legend.items()],
            loc="outside lower center",
            ncol=min(len(legend), 3),
            frameon=False,
            fontsize=11,
        )
    if title:
        fig.suptitle(title, fontsize=13)
    return set_alt(fig, describe_timings(panels, title))
