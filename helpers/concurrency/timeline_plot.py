"""Draw simulated (or measured) request timelines as Gantt charts on one time axis."""
from __future__ import annotations

import math
from typing import Iterable, Sequence

from matplotlib import transforms
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from helpers.concurrency.simulation import SimResult

# Okabe-Ito colours, distinct for colour-blind readers.
COLOURS = {
    "running": "#D55E00",  # vermillion: CPU work
    "waiting": "#56B4E9",  # sky blue: waiting on I/O without holding anything shared
    "blocked": "#000000",  # black: waiting on I/O while holding the event loop
    "queued": "#E69F00",  # orange: waiting for a thread, the GIL or the loop
}
LABELS = {
    "running": "running (CPU)",
    "waiting": "waiting on I/O",
    "blocked": "blocked on I/O, holding the loop",
    "queued": "queued for a thread or the loop",
}
MEASURED = "#009E73"
PREDICTED = "#CC79A7"
# gids that mark what changes with the data (bars, counts, summaries) and the time cursor, so a
# widget can keep the rest of the picture (labels, ticks, legend) rendered between redraws.
DYNAMIC = "timeline-data"
CURSOR_GID = "timeline-cursor"
CURSOR = "#CC79A7"  # reddish purple: no bar has it, so the cursor shows over black and blue alike


def _profile(segments: Iterable, kind: str) -> list[tuple[float, int]]:
    """Return (time, how many segments of `kind` are open) steps."""
    events = []
    for s in segments:
        if s.kind == kind and s.end > s.start:
            events += [(s.start, 1), (s.end, -1)]
    steps, depth = [], 0
    for t, d in sorted(events, key=lambda e: (e[0], e[1])):
        depth += d
        steps.append((t, depth))
    return steps


def _draw_count_row(ax, y: float, steps: list[tuple[float, int]], colour: str) -> None:
    """Fill a row with a step profile scaled to its tallest point."""
    if not steps:
        return
    top = max(d for _, d in steps) or 1
    xs = [steps[0][0]] + [t for t, _ in steps]
    ys = [0] + [d for _, d in steps]
    ax.fill_between(xs, [y - 0.4] * len(xs), [y - 0.4 + 0.8 * v / top for v in ys], step="post",
                    color=colour, alpha=0.9, linewidth=0, gid=DYNAMIC)


def nice_end(t: float) -> float:
    """Return the first of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of ten) that is >= t."""
    if not t > 0:
        raise ValueError(f"t must be a time in seconds > 0, got {t!r}")
    scale = 10.0 ** math.floor(math.log10(t))
    return next(m * scale for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * scale >= t * (1 - 1e-9))


def _title(results: Sequence[SimResult]) -> str:
    """Return a title that says what to notice for these modes."""
    said = [f"{results[0].n} requests: a blocked worker thread serves one at a time"]
    notes = {"async": "the event loop overlaps their waits",
             "blocking": "and so does a loop whose handler blocks",
             "threadpool": "a threadpool overlaps as many as it has threads"}
    said += [notes[m] for m in dict.fromkeys(r.mode for r in results) if m in notes]
    return ", ".join(said)


# Sizes in inches and points: at dpi 80 a 10.4-inch figure is 832 px, the width of a notebook
# output in JupyterLab at 1280x800, and 11 pt text is about 12 px on screen.
FONT = 11.0
ROW_IN = 0.34  # height of one row
HEADER_IN = 0.42  # panel title and summary above each panel
TOP_IN = 0.5  # the figure title
BOTTOM_IN = 1.0  # tick labels, the axis label and the legend
LEFT_IN = 1.6  # row labels
RIGHT_IN = 0.95  # "max N" beside the count rows, "+N rows not drawn"


def plot_timeline(
    results: SimResult | Sequence[SimResult],
    *,
    cursor: float | None = None,
    title: str | None = None,
    max_rows: int = 8,
    width: float = 10.4,
) -> Figure:
    """Draw each result as a Gantt panel (rows = threads or the loop) on one shared time axis."""
    if isinstance(results, SimResult):
        results = [results]
    if isinstance(results, (str, bytes)) or not isinstance(results, Sequence):
        raise TypeError(f"results must be a SimResult or a non-empty sequence of them, got {type(results).__name__}")
    results = list(results)
    if not results or not all(isinstance(r, SimResult) for r in results):
        raise TypeError("results must be a SimResult or a non-empty sequence of them")
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or not 1 <= max_rows <= 64:
        raise ValueError(f"max_rows must be an int in [1, 64], got {max_rows!r}")
    if cursor is not None and (isinstance(cursor, bool) or not isinstance(cursor, (int, float)) or cursor < 0):
        raise ValueError(f"cursor must be a time in seconds >= 0 or None, got {cursor!r}")
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not 6 <= width <= 30:
        raise ValueError(f"width must be a number of inches in [6, 30], got {width!r}")

    layouts = []
    for r in results:
        shown = min(len(r.rows), max_rows)
        extra = ["queued"] + (["awaiting I/O"] if r.mode == "async" else [])
        layouts.append((shown, extra))
    rows = [shown + len(extra) for shown, extra in layouts]
    height = TOP_IN + BOTTOM_IN + sum(HEADER_IN + ROW_IN * k for k in rows)
    fig = Figure(figsize=(width, height))
    # Fixed margins in inches, not constrained layout: that would double the redraw time.
    fig.subplots_adjust(left=LEFT_IN / width, right=1 - RIGHT_IN / width, top=1 - (TOP_IN + HEADER_IN) / height,
                        bottom=BOTTOM_IN / height, hspace=HEADER_IN / (ROW_IN * sum(rows) / len(rows)))
    axes = fig.subplots(len(results), 1, sharex=True, squeeze=False, gridspec_kw={"height_ratios": rows})[:, 0]
    end = nice_end(max([r.makespan for r in results] + [cursor or 0, 1e-3]) * 1.03)
    s_per_px = end / ((width - LEFT_IN - RIGHT_IN) * 80)  # seconds per pixel at dpi 80

    for ax, r, (shown, extra) in zip(axes, results, layouts):
        names = r.rows[:shown]
        # One collection of rectangles per kind: hundreds of separate patches make redraws slow.
        bars: dict[str, list] = {}
        for s in r.segments:
            if s.kind == "queued" or s.row >= shown or (r.mode == "async" and s.kind == "waiting"):
                continue  # queues and overlapping awaits are drawn as count rows below
            if s.end <= s.start:
                continue  # nothing to see, and it would make the whole kind look thin
            y = shown - 1 - s.row + len(extra)
            bars.setdefault(s.kind, []).append([(s.start, y - 0.35), (s.start, y + 0.35), (s.end, y + 0.35),
                                                (s.end, y - 0.35)])
        for kind, boxes in bars.items():
            # White edges part neighbouring requests, unless the bars are too thin to keep any colour.
            thin = min(b[2][0] - b[0][0] for b in boxes) < 4 * s_per_px
            ax.add_collection(PolyCollection(boxes, facecolors=COLOURS[kind], edgecolors="white",
                                             linewidths=0 if thin else 0.3, gid=DYNAMIC), autolim=False)
        counts = {"queued": _profile(r.segments, "queued")}
        if r.mode == "async":
            counts["awaiting I/O"] = _profile(r.segments, "waiting")
        # Row labels and notes as plain texts, not ticks or titles: those cost a third of a redraw.
        beside = ax.get_yaxis_transform()
        for k, name in enumerate(names):
            ax.text(-0.012, shown - 1 - k + len(extra), name, transform=beside, ha="right", va="center",
                    fontsize=FONT)
        for y, name in enumerate(reversed(extra)):
            steps = counts[name]
            _draw_count_row(ax, y, steps, COLOURS["queued" if name == "queued" else "waiting"])
            ax.text(-0.012, y, name, transform=beside, ha="right", va="center", fontsize=FONT, style="italic")
            ax.text(1.012, y, f"max {max((d for _, d in steps), default=0)}", transform=beside, ha="left",
                    va="center", fontsize=FONT, gid=DYNAMIC)
        ax.set_yticks([])
        ax.set_ylim(-0.6, shown + len(extra) - 0.4)
        hidden = len(r.rows) - shown
        if hidden > 0:  # in the margin: in the header it would run into the summary
            ax.text(1.012, len(extra) + (0.5 if shown > 1 else 0), f"+{hidden} rows\nnot drawn", transform=beside,
                    ha="left", va="center", fontsize=FONT - 1, linespacing=1.0, gid=DYNAMIC)
        header = transforms.offset_copy(ax.transAxes, fig, y=4, units="points")
        ax.text(0, 1, r.label, transform=header, ha="left", va="bottom", fontsize=FONT + 1,
                fontweight="bold")
        ax.text(1, 1, f"makespan {r.makespan:.2f} s   p50 {r.percentile(50):.2f} s   p95 {r.percentile(95):.2f} s",
                transform=header, ha="right", va="bottom", fontsize=FONT, gid=DYNAMIC)
        ax.grid(axis="x", alpha=0.3)
        ax.set_axisbelow(True)  # grid under the bars, as the widget draws it when it redraws only the data
        ax.tick_params(axis="x", labelsize=FONT)
        ax.set_xlim(0, end)
        if cursor is not None:
            ax.axvline(cursor, color=CURSOR, linewidth=2, gid=CURSOR_GID)
    axes[-1].set_xlabel("time since the first request arrived (s)", fontsize=FONT)
    kinds = sorted({s.kind for r in results for s in r.segments} | {"queued"}, key=list(COLOURS).index)
    handles = [Patch(color=COLOURS[k], label=LABELS[k]) for k in kinds]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=FONT, frameon=False,
               handlelength=1.2, columnspacing=1.2, borderaxespad=0.3)
    fig.suptitle(title or _title(results), fontsize=FONT + 2, y=1 - 0.12 / height, va="top", gid=DYNAMIC)
    return fig


def _signed_percent(fraction: float) -> str:
    """Format a relative error as +8.1% or -0.4%, never as -0.0%."""
    text = f"{fraction:+.1%}"
    return "0.0%" if text in ("+0.0%", "-0.0%") else text


def plot_measured(
    measured: Sequence[tuple[float, float]],
    predicted: SimResult,
    *,
    title: str | None = None,
    width: float = 10.4,
) -> Figure:
    """Draw each measured request (start..end) over the model's prediction for the same request."""
    if not isinstance(predicted, SimResult):
        raise TypeError(f"predicted must be a SimResult, got {type(predicted).__name__}")
    measured = sorted(measured)
    fig = Figure(figsize=(width, 4.0), layout="constrained")
    ax = fig.subplots()
    pred = sorted((r.arrival, r.finish) for r in predicted.requests)
    # Row k+1 is the (k+1)-th request to finish, in the model and in the measurement.
    for k, (s, e) in enumerate(sorted(pred, key=lambda p: p[1])):
        ax.plot([s, e], [k + 1.15, k + 1.15], color=PREDICTED, linewidth=3, solid_capstyle="butt",
                label="model" if k == 0 else None)
    for k, (s, e) in enumerate(sorted(measured, key=lambda m: m[1])):
        ax.plot([s, e], [k + 0.85, k + 0.85], color=MEASURED, linewidth=3, solid_capstyle="butt",
                label="measured" if k == 0 else None)
    m_span = max((e for _, e in measured), default=0.0)
    ax.axvline(predicted.makespan, color=PREDICTED, linestyle="--", linewidth=1, label="model makespan")
    ax.axvline(m_span, color=MEASURED, linestyle=":", linewidth=1.5, label="measured makespan")
    ax.set_ylim(0.3, max(len(pred), len(measured), 1) + 0.7)  # rows 1..n, no empty row 0
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_xlabel("time since the load started (s)", fontsize=11)
    ax.set_ylabel("request, in order of finishing", fontsize=11)
    ax.tick_params(labelsize=10)
    # Outside the axes, so it never hides the ends of the bars.
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=10, frameon=False)
    err = (m_span - predicted.makespan) / predicted.makespan if predicted.makespan else 0.0
    ax.set_title(title or f"{predicted.label}\nmeasured makespan {m_span:.2f} s vs model {predicted.makespan:.2f} s "
                 f"({_signed_percent(err)})", fontsize=12)
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_lag(samples: dict[str, Sequence[tuple[float, float]]], *, title: str | None = None) -> Figure:
    """Draw event-loop lag over time, one line per label (e.g. blocking vs awaiting handler)."""
    if not isinstance(samples, dict) or not samples:
        raise TypeError("samples must be a non-empty dict: label -> [(time s, lag s), ...]")
    palette = ["#000000", "#D55E00", "#0072B2", "#009E73"]
    fig = Figure(figsize=(8, 3.2), layout="constrained")
    ax = fig.subplots()
    for colour, (label, pts) in zip(palette, samples.items()):
        pts = list(pts)
        xs, ys = [t for t, _ in pts], [lag * 1000 for _, lag in pts]
        # Markers and stems, not a connecting line: between two heartbeats nothing was measured.
        ax.vlines(xs, 0, ys, color=colour, linewidth=1.5)
        ax.plot(xs, ys, marker="o", markersize=4, linestyle="none", color=colour, label=label)
    ax.set_xlabel("time since the load started (s)")
    ax.set_ylabel("heartbeat lag (ms)")
    ax.set_title(title or "A blocking handler stalls the loop's heartbeat; an awaiting one does not", fontsize=10)
    ax.legend(fontsize=9)
    ax.grid(alpha=0.3)
    return fig
