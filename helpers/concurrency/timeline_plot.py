"""Draw simulated (or measured) request timelines as Gantt charts: one panel per server."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import transforms
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.path import Path
from matplotlib.ticker import MaxNLocator

from helpers import palette
from helpers.concurrency.simulation import SimResult
from helpers.display import set_alt
from helpers.numbers import require_number

# Okabe-Ito colours (helpers.palette), distinct for colour-blind readers.
COLOURS = {
    "running": palette.VERMILLION,  # CPU work
    "waiting": palette.SKY,  # waiting on I/O without holding anything shared
    "blocked": palette.BLACK,  # waiting on I/O while holding the event loop
    "queued": palette.ORANGE,  # waiting for a thread, the GIL or the loop
}
LABELS = {
    "running": "running (CPU)",
    "waiting": "waiting on I/O",
    "blocked": "blocked on I/O, holding the loop",
    "queued": "queued for a thread, the GIL or the loop",
}
MEASURED = palette.GREEN
PREDICTED = palette.PURPLE
CURSOR = palette.PURPLE  # no bar has it, so the cursor shows over black and blue alike
# gids that mark what changes with the data (bars, counts, summaries) and the time cursor, so a
# widget can keep the rest of the picture (labels, ticks, legend) rendered between redraws.
DYNAMIC = "timeline-data"
CURSOR_GID = "timeline-cursor"
MAX_LANES = 12  # up to this many requests, each gets a lane of its own
OWN_AXIS_RATIO = 3.0  # runs further apart than this get a time axis each
LAG_TITLE = "A blocking handler stalls the loop's heartbeat; an awaiting one does not"


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


def _draw_count_row(ax: Axes, y: float, steps: list[tuple[float, int]], colour: str) -> None:
    """Fill a row with a step profile scaled to its tallest point."""
    if not steps:
        return
    top = max(d for _, d in steps) or 1
    xs = [steps[0][0]] + [t for t, _ in steps]
    ys = [0] + [d for _, d in steps]
    ax.fill_between(
        xs,
        [y - 0.4] * len(xs),
        [y - 0.4 + 0.8 * v / top for v in ys],
        step="post",
        color=colour,
        alpha=0.9,
        linewidth=0,
        gid=DYNAMIC,
    )


def nice_end(t: float) -> float:
    """Return the first of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of ten) that is >= t."""
    if not t > 0:
        raise ValueError(f"t must be a time in seconds > 0, got {t!r}")
    scale = 10.0 ** math.floor(math.log10(t))
    return next(m * scale for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * scale >= t * (1 - 1e-9))


def own_time_axes(results: Sequence[SimResult]) -> bool:
    """Tell whether the runs differ so much that each needs its own time axis to be seen at all."""
    spans = [r.makespan for r in results if r.makespan > 0]
    return len(spans) > 1 and max(spans) > OWN_AXIS_RATIO * min(spans)


def _what_it_does(r: SimResult) -> str:
    """Return, for the title, what this server does with its requests under these settings."""
    if r.mode == "async":
        return "the awaiting loop overlaps all their waits"
    if r.mode == "blocking":
        return "a loop that blocks serves one at a time"
    if r.slots == 1:
        return "one worker thread serves one at a time"
    holder = f"a {r.slots}-thread pool" if r.mode == "threadpool" else f"{r.slots} worker threads"
    return f"{holder} hold{'s' * (r.mode == 'threadpool')} up to {r.slots} at a time"


def _title(results: Sequence[SimResult]) -> str:
    """Return a title that says what to notice, true to each server's settings."""
    said = list(dict.fromkeys(_what_it_does(r) for r in results))
    return f"{results[0].n} requests: " + "; ".join(said)


TIE = 1.1  # makespans within 10% of each other are called a tie in words


def describe_timeline(results: SimResult | Sequence[SimResult], title: str | None = None) -> str:
    """Return the text alternative of plot_timeline's figure: each server's times, and which finished first."""
    results = [results] if isinstance(results, SimResult) else list(results)
    if not results or not all(isinstance(r, SimResult) for r in results):
        raise TypeError("results must be a SimResult or a non-empty sequence of them")
    said = [
        f"{r.label}: all {r.n} requests done after {r.makespan:.2f} s; half within {r.percentile(50):.2f} s, "
        f"95% within {r.percentile(95):.2f} s."
        for r in results
    ]
    text = f"{(title or _title(results)).rstrip('.')}. Timeline of each request, one panel per server. " + " ".join(
        said
    )
    if len(results) > 1:
        fast, slow = min(results, key=lambda r: r.makespan), max(results, key=lambda r: r.makespan)
        if fast.makespan > 0 and slow.makespan / fast.makespan >= TIE:
            text += (
                f" '{fast.label}' finished them {slow.makespan / fast.makespan:.1f} times sooner than '{slow.label}'."
            )
        else:
            text += " All finished within 10% of each other's time."
    return text


# Sizes in inches and points: at dpi 80 a 10.4-inch figure is 832 px, the width of a notebook
# output in JupyterLab at 1280x800, and 11 pt text is about 12 px on screen.
FONT = 11.0
ROW_IN = 0.34  # height of one thread's row
LANE_IN = 0.24  # height of one request's lane
HEADER_IN = 0.42  # panel title and summary above each panel
AXIS_IN = 0.5  # tick labels and the axis label under a panel with its own time axis
TOP_IN = 0.5  # the figure title
BOTTOM_IN = 1.0  # tick labels, the axis label and the legend
LEFT_IN = 1.6  # row labels
RIGHT_IN = 0.95  # "max N" beside the count rows, "+N rows not drawn"


@dataclass(frozen=True)
class _Layout:
    """What one panel shows: its lanes (requests, or threads and the loop), count rows, and time axis."""

    by_request: bool
    lanes: tuple[str, ...]  # top to bottom
    counts: tuple[str, ...]  # count rows under the lanes, top to bottom
    hidden: int  # rows not drawn
    end: float  # where its time axis ends
    label: str  # the panel's heading

    @property
    def rows(self) -> int:
        return len(self.lanes) + len(self.counts)

    @property
    def height(self) -> float:
        return (LANE_IN if self.by_request else ROW_IN) * self.rows


def _layout(r: SimResult, max_rows: int, lanes: str, end: float) -> _Layout:
    """Return what the panel of `r` shows."""
    if lanes == "requests" or (lanes == "auto" and 0 < r.n <= MAX_LANES):
        return _Layout(True, tuple(f"request {i + 1}" for i in range(r.n)), (), 0, end, r.label)
    shown = min(len(r.rows), max_rows)
    counts = ("awaiting I/O", "queued") if r.mode == "async" else ("queued",)
    return _Layout(False, tuple(r.rows[:shown]), counts, len(r.rows) - shown, end, r.label)


def _layouts(
    results: list[SimResult], cursor: float | None, max_rows: int, lanes: str, time_axis: str
) -> list[_Layout]:
    """Return each panel's layout; runs far apart get a time axis each when `time_axis` is "auto"."""
    own = time_axis == "own" or (time_axis == "auto" and own_time_axes(results))
    if own:
        ends = [nice_end(max(r.makespan, 1e-3) * 1.03) for r in results]
    else:
        ends = [nice_end(max([r.makespan for r in results] + [cursor or 0, 1e-3]) * 1.03)] * len(results)
    return [_layout(r, max_rows, lanes, end) for r, end in zip(results, ends)]


def _validate(
    results: SimResult | Sequence[SimResult],
    cursor: float | None,
    max_rows: int,
    width: float,
    lanes: str,
    time_axis: str,
) -> list[SimResult]:
    if isinstance(results, SimResult):
        results = [results]
    if isinstance(results, (str, bytes)) or not isinstance(results, Sequence):
        raise TypeError(f"results must be a SimResult or a non-empty sequence of them, got {type(results).__name__}")
    results = list(results)
    if not results or not all(isinstance(r, SimResult) for r in results):
        raise TypeError("results must be a SimResult or a non-empty sequence of them")
    require_number("max_rows", max_rows, 1, 64, integer=True)
    if cursor is not None:
        require_number("cursor", cursor, 0, unit="a time in seconds")
    require_number("width", width, 6, 30, unit="inches")
    if lanes not in ("auto", "requests", "threads"):
        raise ValueError(f"lanes must be 'auto', 'requests' or 'threads', got {lanes!r}")
    if time_axis not in ("auto", "shared", "own"):
        raise ValueError(f"time_axis must be 'auto', 'shared' or 'own', got {time_axis!r}")
    return results


def plot_timeline(
    results: SimResult | Sequence[SimResult],
    *,
    cursor: float | None = None,
    title: str | None = None,
    max_rows: int = 8,
    width: float = 10.4,
    lanes: str = "auto",
    time_axis: str = "auto",
) -> Figure:
    """Draw each result as a Gantt panel: one lane per request when there are few, else one per thread.

    `time_axis` "shared" puts every panel on one time axis, "own" gives each its own, and
    "auto" shares it unless the runs differ more than threefold (then each panel says so).
    """
    results = _validate(results, cursor, max_rows, width, lanes, time_axis)
    layouts = _layouts(results, cursor, max_rows, lanes, time_axis)
    own = len(set(lay.end for lay in layouts)) > 1
    below = AXIS_IN if own else 0.0
    height = TOP_IN + BOTTOM_IN + sum(HEADER_IN + lay.height for lay in layouts) + below * (len(layouts) - 1)
    fig = Figure(figsize=(width, height))
    # Fixed margins in inches, not constrained layout: that would double the redraw time.
    mean = sum(lay.height for lay in layouts) / len(layouts)
    fig.subplots_adjust(
        left=LEFT_IN / width,
        right=1 - RIGHT_IN / width,
        top=1 - (TOP_IN + HEADER_IN) / height,
        bottom=BOTTOM_IN / height,
        hspace=(HEADER_IN + below) / mean,
    )
    axes = fig.subplots(
        len(results), 1, sharex=not own, squeeze=False, gridspec_kw={"height_ratios": [lay.height for lay in layouts]}
    )[:, 0]
    for ax, r, lay in zip(axes, results, layouts):
        _draw_frame(ax, fig, lay, own)
        _draw_data(ax, fig, r, lay, width)
        if cursor is not None:
            ax.axvline(cursor, color=CURSOR, linewidth=2, gid=CURSOR_GID)
    if not own:
        axes[-1].set_xlabel("time since the first request arrived (s)", fontsize=FONT)
    kinds = sorted({s.kind for r in results for s in r.segments} | {"queued"}, key=list(COLOURS).index)
    handles = [Patch(color=COLOURS[k], label=LABELS[k]) for k in kinds]
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=len(handles),
        fontsize=FONT,
        frameon=False,
        handlelength=1.2,
        columnspacing=1.2,
        borderaxespad=0.3,
    )
    # Not marked DYNAMIC: it changes only with the number of requests or the servers (a full render).
    fig.suptitle(title or _title(results), fontsize=FONT + 2, y=1 - 0.12 / height, va="top")
    fig.timeline_key = (tuple(layouts), width, tuple(kinds), cursor is None)  # what update_timeline may keep
    return set_alt(fig, describe_timeline(results, title))


def update_timeline(
    fig: Figure,
    results: SimResult | Sequence[SimResult],
    *,
    cursor: float | None = None,
    title: str | None = None,
    max_rows: int = 8,
    lanes: str = "auto",
    time_axis: str = "auto",
) -> bool:
    """Redraw only the data of `fig` (from plot_timeline) for `results`; False if its layout can't show them.

    A widget that calls this on every slider move reuses one figure: no new axes, ticks or
    labels, so much less garbage (and fewer garbage-collection pauses) than a new figure.
    """
    width = fig.get_size_inches()[0]
    results = _validate(results, cursor, max_rows, width, lanes, time_axis)
    layouts = _layouts(results, cursor, max_rows, lanes, time_axis)
    kinds = sorted({s.kind for r in results for s in r.segments} | {"queued"}, key=list(COLOURS).index)
    if getattr(fig, "timeline_key", None) != (tuple(layouts), width, tuple(kinds), cursor is None):
        return False
    for ax, r, lay in zip(fig.axes, results, layouts):
        for artist in [*ax.collections, *ax.texts]:
            if artist.get_gid() == DYNAMIC:
                artist.remove()
        _draw_data(ax, fig, r, lay, width)
        for line in ax.lines:
            if cursor is not None and line.get_gid() == CURSOR_GID:
                line.set_xdata([cursor, cursor])
    fig._suptitle.set_text(title or _title(results))
    set_alt(fig, describe_timeline(results, title))
    return True


def _lane(s, lay: _Layout) -> int | None:
    """Return the lane (0 = top) a segment is drawn in, or None if it is not drawn as a bar."""
    if lay.by_request:
        return s.request
    if s.kind == "queued" or s.row >= len(lay.lanes) or "awaiting I/O" in lay.counts and s.kind == "waiting":
        return None  # queues and overlapping awaits are drawn as count rows below
    return s.row


def _draw_frame(ax: Axes, fig: Figure, lay: _Layout, own_axis: bool) -> None:
    """Draw what stays while the data changes: lane names, count-row names, heading, axis."""
    # Row labels and notes as plain texts, not ticks or titles: those cost a third of a redraw.
    beside = ax.get_yaxis_transform()
    for k, name in enumerate(lay.lanes):
        ax.text(
            -0.012,
            lay.rows - 1 - k,
            name,
            transform=beside,
            ha="right",
            va="center",
            fontsize=FONT - 1 if lay.by_request else FONT,
        )
    for k, name in enumerate(lay.counts):
        ax.text(
            -0.012,
            len(lay.counts) - 1 - k,
            name,
            transform=beside,
            ha="right",
            va="center",
            fontsize=FONT,
            style="italic",
        )
    header = transforms.offset_copy(ax.transAxes, fig, y=4, units="points")
    ax.text(0, 1, lay.label, transform=header, ha="left", va="bottom", fontsize=FONT + 1, fontweight="bold")
    ax.set_yticks([])
    ax.set_ylim(-0.6, lay.rows - 0.4)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)  # grid under the bars, as the widget draws it when it redraws only the data
    ax.tick_params(axis="x", labelsize=FONT)
    ax.set_xlim(0, lay.end)
    if own_axis:
        ax.set_xlabel(f"time (s), this panel's own scale: 0 to {lay.end:g} s", fontsize=FONT)


def _draw_data(ax: Axes, fig: Figure, r: SimResult, lay: _Layout, width: float) -> None:
    """Draw what changes with the data: bars, count rows, the summary and notes (all marked DYNAMIC)."""
    s_per_px = lay.end / ((width - LEFT_IN - RIGHT_IN) * 80)  # seconds per pixel at dpi 80
    half = 0.38 if lay.by_request else 0.35
    # One collection of rectangles per kind: hundreds of separate patches make redraws slow.
    bars: dict[str, list] = {}
    for s in r.segments:
        lane = _lane(s, lay)
        if lane is None or s.end <= s.start:  # nothing to see, and it would make the whole kind look thin
            continue
        y = lay.rows - 1 - lane
        bars.setdefault(s.kind, []).append(
            [(s.start, y - half), (s.start, y + half), (s.end, y + half), (s.end, y - half)]
        )
    for kind, boxes in bars.items():
        # White edges part neighbouring requests, unless the bars are too thin to keep any colour.
        thin = lay.by_request or min(b[2][0] - b[0][0] for b in boxes) < 4 * s_per_px
        # One compound path per kind: a path per bar would make hundreds of objects on every redraw.
        path = Path.make_compound_path_from_polys(np.asarray(boxes, dtype=float))
        ax.add_collection(
            PathCollection(
                [path], facecolors=COLOURS[kind], edgecolors="white", linewidths=0 if thin else 0.3, gid=DYNAMIC
            ),
            autolim=False,
        )
    beside = ax.get_yaxis_transform()
    for k, name in enumerate(lay.counts):
        steps = _profile(r.segments, "waiting" if name == "awaiting I/O" else "queued")
        y = len(lay.counts) - 1 - k
        _draw_count_row(ax, y, steps, COLOURS["waiting" if name == "awaiting I/O" else "queued"])
        ax.text(
            1.012,
            y,
            f"max {max((d for _, d in steps), default=0)}",
            transform=beside,
            ha="left",
            va="center",
            fontsize=FONT,
            gid=DYNAMIC,
        )
    if lay.hidden > 0:  # in the margin: in the header it would run into the summary
        ax.text(
            1.012,
            len(lay.counts) + (0.5 if len(lay.lanes) > 1 else 0),
            f"+{lay.hidden} rows\nnot drawn",
            transform=beside,
            ha="left",
            va="center",
            fontsize=FONT - 1,
            linespacing=1.0,
            gid=DYNAMIC,
        )
    header = transforms.offset_copy(ax.transAxes, fig, y=4, units="points")
    ax.text(
        1,
        1,
        f"makespan {r.makespan:.2f} s   p50 {r.percentile(50):.2f} s   p95 {r.percentile(95):.2f} s",
        transform=header,
        ha="right",
        va="bottom",
        fontsize=FONT,
        gid=DYNAMIC,
    )


def _signed_percent(fraction: float) -> str:
    """Format a relative error as +8.1% or -0.4%, never as -0.0%."""
    text = f"{fraction:+.1%}"
    return "0.0%" if text in ("+0.0%", "-0.0%") else text


def describe_measured(measured: Sequence[tuple[float, float]], predicted: SimResult, title: str | None = None) -> str:
    """Return the text alternative of plot_measured's figure: how long the run took, measured and modelled."""
    m_span = max((e for _, e in measured), default=0.0)
    err = (m_span - predicted.makespan) / predicted.makespan if predicted.makespan else 0.0
    lead = f"{title.rstrip('.')}. " if title else ""
    return (
        f"{lead}{predicted.label}: {len(measured)} measured requests drawn over the model's "
        f"{len(predicted.requests)}, each from its start to its end, in order of finishing. "
        f"The measured run took {m_span:.2f} s, the model predicted {predicted.makespan:.2f} s "
        f"({_signed_percent(err)})."
    )


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
        ax.plot(
            [s, e],
            [k + 1.15, k + 1.15],
            color=PREDICTED,
            linewidth=3,
            solid_capstyle="butt",
            label="model" if k == 0 else None,
        )
    for k, (s, e) in enumerate(sorted(measured, key=lambda m: m[1])):
        ax.plot(
            [s, e],
            [k + 0.85, k + 0.85],
            color=MEASURED,
            linewidth=3,
            solid_capstyle="butt",
            label="measured" if k == 0 else None,
        )
    m_span = max((e for _, e in measured), default=0.0)
    ax.axvline(predicted.makespan, color=PREDICTED, linestyle="--", linewidth=1, label="model makespan")
    ax.axvline(m_span, color=MEASURED, linestyle=":", linewidth=1.5, label="measured makespan")
    ax.set_ylim(0.3, max(len(pred), len(measured), 1) + 0.7)  # rows 1..n, no empty row 0
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    # Each plot fits its own run: say so, as runs side by side can differ twentyfold.
    ax.set_xlabel(f"time since the load started (s), this plot's own scale: 0 to {ax.get_xlim()[1]:.2g} s", fontsize=11)
    ax.set_ylabel("request, in order of finishing", fontsize=11)
    ax.tick_params(labelsize=10)
    # Outside the axes, so it never hides the ends of the bars.
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=10, frameon=False)
    err = (m_span - predicted.makespan) / predicted.makespan if predicted.makespan else 0.0
    ax.set_title(
        title
        or f"{predicted.label}\nmeasured makespan {m_span:.2f} s vs model {predicted.makespan:.2f} s "
        f"({_signed_percent(err)})",
        fontsize=12,
    )
    ax.grid(axis="x", alpha=0.3)
    return set_alt(fig, describe_measured(measured, predicted, title))


def describe_lag(samples: Mapping[str, Sequence[tuple[float, float]]], title: str | None = None) -> str:
    """Return the text alternative of plot_lag's figure: each handler's worst and median heartbeat lag."""
    said = []
    for label, pts in samples.items():
        lags = sorted(lag * 1000 for _, lag in pts)
        if not lags:
            said.append(f"{label}: no heartbeats recorded.")
            continue
        said.append(
            f"{label}: worst lag {lags[-1]:.0f} ms, median {statistics.median(lags):.0f} ms over {len(lags)} heartbeats."
        )
    return f"{(title or LAG_TITLE).rstrip('.')}. Event-loop heartbeat lag over time, a dot per heartbeat. " + " ".join(
        said
    )


def plot_lag(samples: dict[str, Sequence[tuple[float, float]]], *, title: str | None = None) -> Figure:
    """Draw event-loop lag over time, one line per label (e.g. blocking vs awaiting handler)."""
    if not isinstance(samples, dict) or not samples:
        raise TypeError("samples must be a non-empty dict: label -> [(time s, lag s), ...]")
    colours = [palette.BLACK, palette.VERMILLION, palette.BLUE, palette.GREEN]
    fig = Figure(figsize=(8, 3.2), layout="constrained")
    ax = fig.subplots()
    for colour, (label, pts) in zip(colours, samples.items()):
        pts = list(pts)
        xs, ys = [t for t, _ in pts], [lag * 1000 for _, lag in pts]
        # Markers and stems, not a connecting line: between two heartbeats nothing was measured.
        ax.vlines(xs, 0, ys, color=colour, linewidth=1.5)
        ax.plot(xs, ys, marker="o", markersize=4, linestyle="none", color=colour, label=label)
    ax.set_xlabel("time since the load started (s)")
    ax.set_ylabel("heartbeat lag (ms)")
    ax.set_title(title or LAG_TITLE, fontsize=10)
    ax.legend(fontsize=9)
    ax.grid(alpha=0.3)
    return set_alt(fig, describe_lag(samples, title))
