"""Widget glue for the simulation: sliders and a Play control drive simulate() and plot_timeline()."""
from __future__ import annotations

import base64
import io
import time
from typing import Any

import ipywidgets as widgets

from .simulation import simulate
from .timeline_plot import plot_timeline

CURSOR_STEPS = 40  # positions of the Play control across the run


def figure_output(fig: Any, dpi: int = 72) -> dict:
    """Return a display_data output holding `fig` as PNG (what an Output widget stores)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": png, "text/plain": "<timeline figure>"}}


class SimulationExplorer:
    """Sliders for the workload and both servers, a Play control for the time cursor, and the plot."""

    def __init__(self, n: int = 20, io_ms: int = 100, cpu_ms: int = 5, workers: int = 1, threads: int = 1) -> None:
        style = {"description_width": "11em"}
        layout = widgets.Layout(width="26em")

        def slider(value: int, low: int, high: int, text: str) -> widgets.IntSlider:
            return widgets.IntSlider(value=value, min=low, max=high, description=text, style=style,
                                     layout=layout, continuous_update=False)

        self.n = slider(n, 1, 200, "requests")
        self.io_ms = slider(io_ms, 0, 500, "I/O wait per request (ms)")
        self.cpu_ms = slider(cpu_ms, 0, 50, "CPU per request (ms)")
        self.workers = slider(workers, 1, 8, "WSGI workers")
        self.threads = slider(threads, 1, 16, "threads per worker")
        self.loop_mode = widgets.ToggleButtons(
            options=[("awaits its I/O", "async"), ("blocks in async def", "blocking"),
                     ("plain def (threadpool)", "threadpool")],
            value="async", description="event-loop handler", style=style)
        self.pool = slider(40, 1, 100, "threadpool size")
        self.play = widgets.Play(value=0, min=0, max=CURSOR_STEPS, step=1, interval=400, description="play")
        self.cursor = widgets.IntSlider(value=0, min=0, max=CURSOR_STEPS, description="time cursor",
                                        readout=False, style=style, layout=layout)
        widgets.jslink((self.play, "value"), (self.cursor, "value"))
        self.time_label = widgets.HTML().add_class("sim-time")
        self.output = widgets.Output().add_class("sim-plot")
        self.results: list = []
        self.redraw_seconds = float("nan")  # how long the last simulate + plot took

        for control in (self.n, self.io_ms, self.cpu_ms, self.workers, self.threads, self.loop_mode, self.pool):
            control.observe(self._resimulate, names="value")
        self.cursor.observe(self._draw, names="value")
        self.play.observe(self._follow_play, names="value")
        workload = widgets.VBox([widgets.HTML("<b>Workload</b>"), self.n, self.io_ms, self.cpu_ms])
        servers = widgets.VBox([widgets.HTML("<b>Servers</b>"), self.workers, self.threads, self.loop_mode, self.pool])
        timeline = widgets.HBox([self.play, self.cursor, self.time_label])
        self.box = widgets.VBox([widgets.HBox([workload, servers]), timeline, self.output]).add_class("sim-widget")
        self._resimulate()

    def cursor_time(self) -> float:
        """Return the cursor's position in seconds."""
        end = max((r.makespan for r in self.results), default=0.0)
        return end * self.cursor.value / CURSOR_STEPS

    def redraw(self) -> float:
        """Re-simulate and redraw now; return how long it took in seconds."""
        self._resimulate()
        return self.redraw_seconds

    def _follow_play(self, change: dict) -> None:
        # jslink moves the slider only in the browser; keep the kernel side in step too.
        self.cursor.value = change["new"]

    def _resimulate(self, change: Any = None) -> None:
        started = time.perf_counter()
        common = {"n": self.n.value, "io": self.io_ms.value / 1000, "cpu": self.cpu_ms.value / 1000}
        self.results = [
            simulate("wsgi", workers=self.workers.value, threads=self.threads.value, **common),
            simulate(self.loop_mode.value, pool=self.pool.value, **common),
        ]
        self._draw()
        self.redraw_seconds = time.perf_counter() - started

    def _draw(self, change: Any = None) -> None:
        t = self.cursor_time()
        self.time_label.value = f"t = {t:.2f} s"
        fig = plot_timeline(self.results, cursor=t)
        # Replace the outputs in one assignment: the old image goes as the new one arrives.
        self.output.outputs = (figure_output(fig),)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)


def explore(**defaults: Any) -> SimulationExplorer:
    """Return the simulation explorer widget (display it as a cell's last line)."""
    return SimulationExplorer(**defaults)
