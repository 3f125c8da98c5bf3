"""Draw simulated (or measured) request timelines as Gantt charts on one time axis."""
from __future__ import annotations

import io
from typing import Iterable, Sequence

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .simulation import SimResult

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
    "queued": "queued (waiting for a thread or the loop)",
}
MEASURED = "#009E73"
PREDICTED = "#CC79A7"


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
                    color=colour, alpha=0.9, linewidth=0)


def plot_timeline(
    results: SimResult | Sequence[SimResult],
    *,
    cursor: float | None = None,
    title: str | None = None,
    max_rows: int = 8,
    width: float = 10.0,
) -> Figure:
    """Draw each result as a Gantt panel (rows = threads or the loop) on one shared time axis."""
    if isinstance(results, SimResult):
        results = [results]
    results = list(results)
    if not results or not all(isinstance(r, SimResult) for r in results):
        raise TypeError("results must be a SimResult or a non-empty sequence of them")
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or not 1 <= max_rows <= 64:
        raise ValueError(f"max_rows must be an int in [1, 64], got {max_rows!r}")
    if cursor is not None and (isinstance(cursor, bool) or not isinstance(cursor, (int, float)) or cursor < 0):
        raise ValueError(f"cursor must be a time in seconds >= 0 or None, got {cursor!r}")

    layouts = []
    for r in results:
        shown = min(len(r.rows), max_rows)
        extra = ["queued"] + (["awaiting I/O"] if r.mode == "async" else [])
        layouts.append((shown, extra))
    heights = [shown + len(extra) + 0.8 for shown, extra in layouts]
    height = 1.3 + 0.4 * len(results) + 0.3 * sum(heights)
    fig = Figure(figsize=(width, height))
    # Fixed margins in inches, not constrained layout: that would double the redraw time.
    fig.subplots_adjust(left=1.35 / width, right=1 - 1.5 / width, top=1 - 0.75 / height,
                        bottom=0.95 / height, hspace=0.4 * len(results) / sum(heights) * 2)
    axes = fig.subplots(len(results), 1, sharex=True, squeeze=False,
                        gridspec_kw={"height_ratios": heights})[:, 0]
    end = max([r.makespan for r in results] + [cursor or 0, 1e-3]) * 1.03

    for ax, r, (shown, extra) in zip(axes, results, layouts):
        names = r.rows[:shown]
        # One broken_barh call per (row, kind): hundreds of separate calls make redraws slow.
        bars: dict[tuple[int, str], list[tuple[float, float]]] = {}
        for s in r.segments:
            if s.kind == "queued" or s.row >= shown or (r.mode == "async" and s.kind == "waiting"):
                continue  # queues and overlapping awaits are drawn as count rows below
            bars.setdefault((s.row, s.kind), []).append((s.start, s.end - s.start))
        for (row, kind), spans in bars.items():
            y = shown - 1 - row + len(extra)
            ax.broken_barh(spans, (y - 0.35, 0.7), facecolors=COLOURS[kind], edgecolor="white", linewidth=0.3)
        queued = _profile(r.segments, "queued")
        counts = [f"queued: up to {max((d for _, d in queued), default=0)}"]
        _draw_count_row(ax, len(extra) - 1, queued, COLOURS["queued"])
        if r.mode == "async":
            waiting = _profile(r.segments, "waiting")
            _draw_count_row(ax, 0, waiting, COLOURS["waiting"])
            counts.append(f"awaiting: up to {max((d for _, d in waiting), default=0)}")
        ax.set_yticks([shown - 1 - k + len(extra) for k in range(shown)] + list(range(len(extra))))
        ax.set_yticklabels(names + list(reversed(extra)), fontsize=9)
        ax.set_ylim(-0.6, shown + len(extra) - 0.4)
        hidden = len(r.rows) - shown
        more = f" ({hidden} more rows not drawn)" if hidden > 0 else ""
        ax.set_title(f"{r.label}{more}", loc="left", fontsize=10)
        summary = [f"makespan {r.makespan:.2f} s", f"p50 {r.percentile(50):.2f} s", f"p95 {r.percentile(95):.2f} s"]
        ax.text(1.01, 0.5, "\n".join(summary + counts),
                transform=ax.transAxes, va="center", ha="left", fontsize=9, family="monospace")
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlim(0, end)
        if cursor is not None:
            ax.axvline(cursor, color="#000000", linestyle="--", linewidth=1.2)
    axes[-1].set_xlabel("time since the first request arrived (s)")
    kinds = sorted({s.kind for r in results for s in r.segments} | {"queued"}, key=list(COLOURS).index)
    handles = [Patch(color=COLOURS[k], label=LABELS[k]) for k in kinds]
    fig.legend(handles=handles, loc="lower center", ncol=min(4, len(handles)), fontsize=9, frameon=False)
    n = results[0].n
    fig.suptitle(title or f"{n} requests: a blocked worker serves one at a time, the loop interleaves them",
                 fontsize=11)
    return fig


def plot_measured(
    measured: Sequence[tuple[float, float]],
    predicted: SimResult,
    *,
    title: str | None = None,
    width: float = 8.0,
) -> Figure:
    """Draw each measured request (start..end) over the model's prediction for the same request."""
    if not isinstance(predicted, SimResult):
        raise TypeError(f"predicted must be a SimResult, got {type(predicted).__name__}")
    measured = sorted(measured)
    fig = Figure(figsize=(width, 3.6), layout="constrained")
    ax = fig.subplots()
    pred = sorted((r.arrival, r.finish) for r in predicted.requests)
    for k, (s, e) in enumerate(pred):
        ax.plot([s, e], [k + 0.15, k + 0.15], color=PREDICTED, linewidth=3, solid_capstyle="butt",
                label="model" if k == 0 else None)
    # Measured requests in order of finishing, matching the model's order of finishing.
    for k, (s, e) in enumerate(sorted(measured, key=lambda m: m[1])):
        ax.plot([s, e], [k - 0.15, k - 0.15], color=MEASURED, linewidth=3, solid_capstyle="butt",
                label="measured" if k == 0 else None)
    m_span = max((e for _, e in measured), default=0.0)
    ax.axvline(predicted.makespan, color=PREDICTED, linestyle="--", linewidth=1)
    ax.axvline(m_span, color=MEASURED, linestyle=":", linewidth=1.5)
    ax.set_xlabel("time since the load started (s)")
    ax.set_ylabel("request (by finish order)")
    ax.legend(loc="lower right", fontsize=9)
    err = (m_span - predicted.makespan) / predicted.makespan if predicted.makespan else 0.0
    ax.set_title(title or f"{predicted.label}\nmeasured makespan {m_span:.2f} s vs model {predicted.makespan:.2f} s "
                 f"({err:+.0%})", fontsize=10)
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


def show(fig: Figure, path: str | None = None, dpi: int = 80) -> None:
    """Display `fig` as a PNG in the notebook (and save it to `path` if given)."""
    from IPython.display import Image, display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    if path:
        with open(path, "wb") as f:
            f.write(buffer.getvalue())
    display(Image(data=buffer.getvalue(), format="png"))
