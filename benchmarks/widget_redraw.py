"""Figure 5: what a widget redraw costs: simulate 200 requests and draw the timeline; median and p95 ms.

python -m benchmarks.widget_redraw [--repeat 30]
"""

from __future__ import annotations

import sys

from ._common import Figure, median, percentile, run_alone

GOAL_MEDIAN_MS = 100.0
N_REQUESTS = 200


def widget_redraws(repeat: int) -> tuple[list[float], list[float], list[float]]:
    """Move a slider, then the time cursor, of notebook 02's explorer `repeat` times; return each one's seconds.

    Each slider change runs the widget's own path: two simulations (WSGI and event loop) of
    200 requests, the timeline plot, and its PNG for the Output widget; each cursor move
    (what a Play step does) redraws the cursor line and encodes the PNG. Also returns each slider
    change's CPU time in this thread: on a busy machine the wall time includes waiting for a core.
    """
    import time

    import matplotlib

    matplotlib.use("Agg")
    from helpers.concurrency.sim_widget import CURSOR_STEPS, SimulationExplorer

    explorer = SimulationExplorer(n=N_REQUESTS, io_ms=100, cpu_ms=5, workers=1, threads=4)
    times, cursor, cpu = [], [], []
    for i in range(repeat + 1):
        started = time.thread_time()
        explorer.io_ms.value = 100 + (i % 2) * 10  # a change, so the widget redraws
        cpu.append(time.thread_time() - started)
        times.append(explorer.redraw_seconds)
        explorer.cursor.value = (i * 7) % CURSOR_STEPS + 1  # always a new position
        cursor.append(explorer.cursor_seconds)
    return times[1:], cursor[1:], cpu[1:]  # the first is a warm-up (font cache, imports)


def breakdown(repeat: int) -> dict[str, float]:
    """Time a redraw's steps apart: both simulations, building the plot, the widget's render, a full render."""
    import time

    from helpers.concurrency.sim_widget import TimelineCanvas, figure_output
    from helpers.concurrency.simulation import simulate
    from helpers.concurrency.timeline_plot import plot_timeline

    steps: dict[str, list[float]] = {
        "simulate": [],
        "plot_timeline": [],
        "widget render + PNG": [],
        "full render + PNG": [],
    }
    canvas = TimelineCanvas()
    common = {"n": N_REQUESTS, "cpu": 0.005}
    for i in range(repeat + 1):
        io = 0.1 + (i % 2) * 0.01
        t0 = time.perf_counter()
        results = [simulate("wsgi", workers=1, threads=4, io=io, **common), simulate("async", io=io, **common)]
        t1 = time.perf_counter()
        fig = plot_timeline(results, cursor=0.5)
        t2 = time.perf_counter()
        canvas.show(fig)
        t3 = time.perf_counter()
        figure_output(plot_timeline(results, cursor=0.5))
        t4 = time.perf_counter()
        if i:  # the first is a warm-up, and the widget's first render is a full one
            for key, dt in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3 - (t2 - t1))):
                steps[key].append(dt * 1000)
    return {k: median(v) for k, v in steps.items()}


def measure(repeat: int = 30, quick: bool = False) -> list[Figure]:
    """Time `repeat` widget redraws after one warm-up; one Figure with the median and p95."""
    label = f"5. widget redraw, {N_REQUESTS} requests (median)"
    repeat = 5 if quick else repeat
    seconds, cursor_seconds, cpu_seconds = widget_redraws(repeat)
    times, cursor = [t * 1000 for t in seconds], [t * 1000 for t in cursor_seconds]
    cpu = [t * 1000 for t in cpu_seconds]
    med, p95 = median(times), percentile(times, 95)
    parts = breakdown(max(3, repeat // 5))
    return [
        Figure(
            "widget_redraw",
            label,
            med,
            "ms",
            f"< {GOAL_MEDIAN_MS:g} ms",
            med < GOAL_MEDIAN_MS,
            details={
                "p95_ms": p95,
                "times_ms": times,
                "breakdown_median_ms": parts,
                "cursor_median_ms": median(cursor),
                "cursor_p95_ms": percentile(cursor, 95),
                "cursor_times_ms": cursor,
                "cpu_median_ms": median(cpu),
                "cpu_p95_ms": percentile(cpu, 95),
            },
            note=(
                f"p95 {p95:.0f} ms over {repeat} slider changes of notebook 02's SimulationExplorer "
                f"(CPU time in the thread: median {median(cpu):.0f} ms, p95 {percentile(cpu, 95):.0f} ms); "
                f"a cursor move (Play step): median {median(cursor):.0f} ms, "
                f"p95 {percentile(cursor, 95):.0f} ms; median split: "
                + ", ".join(f"{k} {v:.0f} ms" for k, v in parts.items())
            ),
        )
    ]


if __name__ == "__main__":
    sys.exit(run_alone(measure, __doc__))
