"""Widget glue for the simulation: sliders and a Play control drive simulate() and plot_timeline()."""

from __future__ import annotations

import html
import io
import time
from collections.abc import Iterator
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image, ImageColor

from helpers.concurrency.simulation import STATES, SimResult, simulate
from helpers.concurrency.timeline_plot import CURSOR, CURSOR_GID, DYNAMIC, own_time_axes, plot_timeline, update_timeline
from helpers.display import figure_alt, image_html
from helpers.slider_names import NAMED, display_named

CURSOR_STEPS = 60  # positions of the Play control across the run
PLAY_TIP = "Play the time cursor through the run (Pause keeps it where it is)"
STOP_TIP = "Stop playing and move the time cursor back to 0"
LOOP_TIP = "Loop: start again from 0 at the end of the run"
SLOW_STEPS = 20  # of which, when one run is much shorter, this many go through the short run
DPI = 80  # 10.4 in x 80 dpi = 832 px: the width of a notebook output at 1280x800


def png_bytes(canvas: FigureCanvasAgg, palette: Image.Image | None = None) -> bytes:
    """Return what `canvas` shows now as a small PNG (64 colours: a few flat colours and their edges).

    With `palette` (an image from an earlier frame's quantize), the colours are only mapped onto it:
    ten times faster than choosing 64 colours again, and right as long as no new colour appeared.
    """
    image = _rgb(canvas)
    if palette is None:
        image = image.quantize(64, method=Image.Quantize.MAXCOVERAGE)
    else:
        image = image.quantize(palette=palette, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _palette_of(image: Image.Image) -> Image.Image:
    """Return 64 colours for later frames: 63 chosen from `image`, plus the cursor's own colour."""
    # The cursor covers few pixels of the frame the colours are chosen from (at t = 0 it hides
    # under the axis), so it would be mapped onto the nearest grey as it moves: keep it apart.
    chosen = image.quantize(63, method=Image.Quantize.MAXCOVERAGE)
    colours = (chosen.getpalette() or [])[: 63 * 3]
    colours += [255, 255, 255] * (63 - len(colours) // 3)  # fewer than 63 colours in the frame
    chosen.putpalette(colours + list(ImageColor.getrgb(CURSOR)))
    return chosen


def _rgb(canvas: FigureCanvasAgg) -> Image.Image:
    width, height = canvas.get_width_height()
    return Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")


def png_output(png: bytes, alt: str) -> dict:
    """Return a display_data output holding `png` as an <img> with `alt` as its text alternative (an Output widget's)."""
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must say what the image shows, got {alt!r}")
    # HTML, as helpers.display.show_figure does: JupyterLab's PNG renderer gives an image no alt text.
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {"text/html": image_html(png, alt), "text/plain": alt},
    }


def figure_output(fig: Figure, dpi: int = DPI) -> dict:
    """Return a display_data output holding `fig` as a PNG with the figure's text alternative."""
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return png_output(png_bytes(canvas), figure_alt(fig))


def _parts(fig: Figure) -> Iterator[Artist]:
    """Yield the texts, lines and collections plot_timeline draws (not fig.findobj: that builds every tick)."""
    yield from fig.texts
    for legend in fig.legends:
        yield from legend.texts
    for ax in fig.axes:
        yield from ax.collections
        yield from ax.lines
        yield from ax.texts
        yield ax.xaxis.label


class TimelineCanvas:
    """Render timeline figures, redrawing only what changed.

    Text (labels, ticks, legend) costs most of a matplotlib render, and it rarely changes: a new
    figure whose fixed parts match the last one's reuses their pixels and draws only its bars,
    counts and summaries; a cursor move redraws only the cursor lines.
    """

    def __init__(self, dpi: int = DPI) -> None:
        self.dpi = dpi
        self.full_renders = 0  # how often everything had to be rendered
        self._key: tuple | None = None
        self._fixed = None  # pixels of the fixed parts
        self._frame = None  # pixels of everything but the cursor
        self._canvas: FigureCanvasAgg | None = None
        self._cursors: list = []
        self._spines: list = []
        self._palette: Image.Image | None = None  # the 64 colours of the last full render

    def show(self, fig: Figure) -> bytes:
        """Render `fig` (from plot_timeline, or updated in place by update_timeline) and return it as PNG."""
        if self._canvas is None or self._canvas.figure is not fig:
            fig.set_dpi(self.dpi)
            FigureCanvasAgg(fig)  # attaches itself as fig.canvas
        canvas = fig.canvas
        parts = list(_parts(fig))
        dynamic = [a for a in parts if a.get_gid() == DYNAMIC]
        self._cursors = [a for a in parts if a.get_gid() == CURSOR_GID]
        for artist in dynamic + self._cursors:
            artist.set_animated(True)
        key = self._fixed_key(fig, parts)
        if key == self._key:
            renderer = canvas.get_renderer()
            renderer.restore_region(self._fixed)
        else:
            canvas.draw()  # draws all but the animated artists
            self._fixed, self._key = canvas.copy_from_bbox(fig.bbox), key
            self.full_renders += 1
            self._palette = None  # new labels may bring new colours: choose them again below
        for artist in dynamic:
            if artist.axes:
                artist.axes.draw_artist(artist)
            else:  # the figure's title
                fig.draw_artist(artist)
        self._spines = [(ax, spine) for ax in fig.axes for spine in ax.spines.values()]
        for ax, spine in self._spines:  # frames go over the bars, as in a full render
            ax.draw_artist(spine)
        self._frame, self._canvas = canvas.copy_from_bbox(fig.bbox), canvas
        return self.move_cursor(None)

    def move_cursor(self, t: float | None) -> bytes:
        """Move the cursor lines of the shown figure to `t` seconds (None: leave them) and return the PNG."""
        if self._canvas is None:
            raise RuntimeError("show a figure before moving its cursor")
        self._canvas.get_renderer().restore_region(self._frame)
        for line in self._cursors:
            if t is not None:
                line.set_xdata([t, t])
            line.axes.draw_artist(line)
        for ax, spine in self._spines:
            ax.draw_artist(spine)
        if self._palette is None:
            self._palette = _palette_of(_rgb(self._canvas))
        return png_bytes(self._canvas, self._palette)

    def pixels(self) -> np.ndarray:
        """Return a copy of what the canvas shows now, as an RGBA array (before the PNG's 64 colours)."""
        if self._canvas is None:
            raise RuntimeError("show a figure before reading its pixels")
        return np.array(self._canvas.buffer_rgba())

    def _fixed_key(self, fig: Figure, parts: list) -> tuple:
        """Return what decides the fixed parts' pixels: size, axis limits and every fixed text."""
        # An axis label's position is set when it is drawn, so a reused figure's moves: its text decides.
        axis_labels = {id(ax.xaxis.label) for ax in fig.axes}
        texts = tuple(
            (t.get_text(), None if id(t) in axis_labels else tuple(t.get_position()))
            for t in parts
            if isinstance(t, Text) and t.get_gid() != DYNAMIC
        )
        limits = tuple((ax.get_position().bounds, ax.get_xlim(), ax.get_ylim()) for ax in fig.axes)
        return (tuple(fig.get_size_inches()), self.dpi, limits, texts)


def cursor_times(results: list[SimResult], steps: int = CURSOR_STEPS, slow: int = SLOW_STEPS) -> list[float]:
    """Return the `steps` + 1 times the Play control stops at: slow motion through a much shorter run."""
    spans = sorted(r.makespan for r in results if r.makespan > 0)
    if not spans:
        return [0.0] * (steps + 1)
    short, long = spans[0], spans[-1]
    if not own_time_axes(results):
        return [long * k / steps for k in range(steps + 1)]
    # A third of the steps go through the short run, so its interleaving plays out frame by frame.
    return [short * k / slow for k in range(slow)] + [
        short + (long - short) * k / (steps - slow) for k in range(steps - slow + 1)
    ]


STATE_WORDS = {
    "running": "running",
    "waiting": "waiting on I/O",
    "blocked": "blocked, holding the loop",
    "queued": "queued",
    "done": "done",
}


def describe_states(name: str, result: SimResult, t: float) -> str:
    """Return one line saying how many of `result`'s requests are in each state at `t` (HTML)."""
    counts = result.states_at(t)
    said = [f"{counts[k]} {STATE_WORDS[k]}" for k in STATES if counts[k]]
    return f"<b>{html.escape(name)}</b>: {', '.join(said) or 'no requests yet'}"


class SimulationExplorer:
    """Sliders for the workload and both servers, a Play control for the time cursor, and the plot."""

    def __init__(self, n: int = 10, io_ms: int = 100, cpu_ms: int = 5, workers: int = 1, threads: int = 1) -> None:
        # Descriptions wide enough for the longest ("I/O wait per request (ms)") at JupyterLab's 13 px.
        style = {"description_width": "14em"}
        layout = widgets.Layout(width="29em")

        def slider(value: int, low: int, high: int, text: str) -> widgets.IntSlider:
            return widgets.IntSlider(
                value=value, min=low, max=high, description=text, style=style, layout=layout, continuous_update=False
            )

        self.n = slider(n, 1, 200, "requests")
        self.io_ms = slider(io_ms, 0, 500, "I/O wait per request (ms)")
        self.cpu_ms = slider(cpu_ms, 0, 50, "CPU per request (ms)")
        self.workers = slider(workers, 1, 8, "WSGI workers")
        self.threads = slider(threads, 1, 16, "threads per worker")
        self.pool = slider(40, 1, 100, "threadpool size")
        self.loop_mode = widgets.ToggleButtons(
            options=[
                ("awaits its I/O", "async"),
                ("blocks in async def", "blocking"),
                ("plain def (threadpool)", "threadpool"),
            ],
            value="async",
            description="event-loop handler",
            style={"description_width": "14em", "button_width": "auto"},
            layout=widgets.Layout(margin="6px 0 10px 0"),
        )
        # ipywidgets' Play draws icon-only buttons with no name a screen reader could say, and no way to
        # give them one: it stays, hidden, as the browser-side timer, driven by named buttons of our own.
        self.play = widgets.Play(
            value=0,
            min=0,
            max=CURSOR_STEPS,
            step=1,
            interval=300,
            description="play",
            show_repeat=False,
            layout=widgets.Layout(display="none"),
        )
        self.play_button = widgets.ToggleButton(
            value=False, description="Play", icon="play", tooltip=PLAY_TIP, layout=widgets.Layout(width="7em")
        )
        self.stop_button = widgets.Button(
            description="Stop", icon="stop", tooltip=STOP_TIP, layout=widgets.Layout(width="7em")
        )
        self.loop_button = widgets.ToggleButton(
            value=False, description="Loop", icon="repeat", tooltip=LOOP_TIP, layout=widgets.Layout(width="7em")
        )
        # Linked in the kernel, not with jslink: the kernel must see them anyway, and tests can drive them.
        widgets.link((self.play_button, "value"), (self.play, "playing"))
        widgets.link((self.loop_button, "value"), (self.play, "repeat"))
        self.play_button.observe(self._name_play_button, names="value")
        self.stop_button.on_click(self._stop)
        self.cursor = widgets.IntSlider(
            value=0,
            min=0,
            max=CURSOR_STEPS,
            description="time cursor",
            readout=False,
            style={"description_width": "7em"},
            layout=widgets.Layout(width="24em"),
        )
        widgets.jslink((self.play, "value"), (self.cursor, "value"))
        # The time and, for each server, how many requests run, wait and queue at the cursor.
        self.time_label = widgets.HTML().add_class("sim-time")
        self.output = widgets.Output().add_class("sim-plot")
        self.canvas = TimelineCanvas()
        self.figure: Figure | None = None  # one figure, updated in place while its layout allows
        self.results: list[SimResult] = []
        self.times: list[float] = [0.0] * (CURSOR_STEPS + 1)
        self.redraw_seconds = float("nan")  # how long the last simulate + plot took
        self.cursor_seconds = float("nan")  # how long the last cursor move took

        for control in (self.n, self.io_ms, self.cpu_ms, self.workers, self.threads, self.loop_mode, self.pool):
            control.observe(self._resimulate, names="value")
        self.cursor.observe(self._move_cursor, names="value")
        self.play.observe(self._follow_play, names="value")
        column = widgets.Layout(margin="0 1.5em 0 0")
        workload = widgets.VBox([widgets.HTML("<b>Workload</b>"), self.n, self.io_ms, self.cpu_ms], layout=column)
        servers = widgets.VBox([widgets.HTML("<b>Servers</b>"), self.workers, self.threads, self.pool])
        # Columns wrap under each other as whole columns when the notebook is narrow.
        columns = widgets.HBox([workload, servers], layout=widgets.Layout(flex_flow="row wrap"))
        timeline = widgets.HBox(
            [self.play_button, self.stop_button, self.loop_button, self.cursor, self.play],
            layout=widgets.Layout(align_items="center"),
        ).add_class("sim-controls")
        self.box = widgets.VBox([columns, self.loop_mode, timeline, self.time_label, self.output]).add_class(
            "sim-widget"
        )
        self.box.add_class(NAMED)  # its slider handles get their descriptions as names (helpers.slider_names)
        self._resimulate()

    def cursor_time(self) -> float:
        """Return the cursor's position in seconds."""
        return self.times[self.cursor.value]

    def redraw(self) -> float:
        """Re-simulate and redraw now; return how long it took in seconds."""
        self._resimulate()
        return self.redraw_seconds

    def redraw_cursor(self) -> float:
        """Redraw the time cursor where it is, as a Play step does; return how long it took in seconds."""
        self._move_cursor()
        return self.cursor_seconds

    def _name_play_button(self, change: dict) -> None:
        # The button says what pressing it does next: play, or pause where the cursor is.
        playing = change["new"]
        self.play_button.description, self.play_button.icon = ("Pause", "pause") if playing else ("Play", "play")

    def _stop(self, _: Any = None) -> None:
        self.play.playing = False
        self.play.value = 0

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
        self.times = cursor_times(self.results)
        t = self._show_time()
        if self.figure is None or not update_timeline(self.figure, self.results, cursor=t):
            self.figure = plot_timeline(self.results, cursor=t)
        self._show(self.canvas.show(self.figure))
        self.redraw_seconds = time.perf_counter() - started

    def _move_cursor(self, change: Any = None) -> None:
        started = time.perf_counter()
        self._show(self.canvas.move_cursor(self._show_time()))
        self.cursor_seconds = time.perf_counter() - started

    def _show_time(self) -> float:
        t = self.cursor_time()
        names = ["WSGI server", "event loop"]
        lines = [describe_states(name, r, t) for name, r in zip(names, self.results)]
        self.time_label.value = f"<b>t = {t:.3f} s</b><br>" + "<br>".join(lines)
        return t

    def alt(self) -> str:
        """Return the text alternative of the image shown now: the figure's own, and where the cursor is."""
        return f"{figure_alt(self.figure)} The time cursor is at {self.cursor_time():.3f} s."

    def _show(self, png: bytes) -> None:
        # Replace the outputs in one assignment: the old image goes as the new one arrives.
        self.output.outputs = (png_output(png, self.alt()),)

    def _ipython_display_(self) -> None:
        display_named(self.box)


def explore(**defaults: Any) -> SimulationExplorer:
    """Return the simulation explorer widget (display it as a cell's last line)."""
    return SimulationExplorer(**defaults)
