"""Figure 5: what a widget redraw costs: simulate 200 requests and draw the timeline; median and p95 ms.

    python -m benchmarks.widget_redraw [--repeat 30]
"""
from __future__ import annotations

import argparse
import sys

from ._common import Figure, median, percentile, table, unavailable

GOAL_MEDIAN_MS = 100.0
N_REQUESTS = 200


def widget_redraws(repeat: int) -> list[float]:
    """Move a slider of notebook 02's explorer `repeat` times; return each redraw's seconds.

    Each change runs the widget's own path: two simulations (WSGI and event loop) of
    200 requests, the timeline plot, and its PNG for the Output widget.
    """
    import matplotlib

    matplotlib.use("Agg")
    from helpers.sim_widget import SimulationExplorer

    explorer = SimulationExplorer(n=N_REQUESTS, io_ms=100, cpu_ms=5, workers=1, threads=4)
    times = []
    for i in range(repeat + 1):
        explorer.io_ms.value = 100 + (i % 2) * 10  # a change, so the widget redraws
        times.append(explorer.redraw_seconds)
    return times[1:]  # the first is a warm-up (font cache, imports)


def breakdown(repeat: int) -> dict[str, float]:
    """Time the redraw's three steps apart: both simulations, building the plot, rendering the PNG."""
    import time

    from helpers.sim_widget import figure_output
    from helpers.simulation import simulate
    from helpers.timeline_plot import plot_timeline

    steps: dict[str, list[float]] = {"simulate": [], "plot_timeline": [], "PNG render": []}
    common = {"n": N_REQUESTS, "io": 0.1, "cpu": 0.005}
    for _ in range(repeat):
        t0 = time.perf_counter()
        results = [simulate("wsgi", workers=1, threads=4, **common), simulate("async", **common)]
        t1 = time.perf_counter()
        fig = plot_timeline(results, cursor=0.5)
        t2 = time.perf_counter()
        figure_output(fig)
        t3 = time.perf_counter()
        for key, dt in zip(steps, (t1 - t0, t2 - t1, t3 - t2)):
            steps[key].append(dt * 1000)
    return {k: median(v) for k, v in steps.items()}


def measure(repeat: int = 30, quick: bool = False) -> list[Figure]:
    """Time `repeat` widget redraws after one warm-up; one Figure with the median and p95."""
    label = f"5. widget redraw, {N_REQUESTS} requests (median)"
    try:
        import helpers.sim_widget  # noqa: F401
    except ImportError as exc:
        return [unavailable("widget_redraw", label, "ms", f"< {GOAL_MEDIAN_MS:g} ms",
                            f"issue 4's modules are not importable yet ({exc})")]
    repeat = 5 if quick else repeat
    times = [t * 1000 for t in widget_redraws(repeat)]
    med, p95 = median(times), percentile(times, 95)
    parts = breakdown(max(3, repeat // 5))
    return [Figure("widget_redraw", label, med, "ms", f"< {GOAL_MEDIAN_MS:g} ms", med < GOAL_MEDIAN_MS,
                   details={"p95_ms": p95, "times_ms": times, "breakdown_median_ms": parts},
                   note=(f"p95 {p95:.0f} ms over {repeat} slider changes of notebook 02's SimulationExplorer; "
                         "median split: " + ", ".join(f"{k} {v:.0f} ms" for k, v in parts.items())))]


def main(argv: list[str] | None = None) -> int:
    """Print this figure alone."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    print(table(measure(args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
