"""The simulation widget: the class names the browser test relies on, and redraws on change."""

from __future__ import annotations

import html
import re

import pytest

from helpers.concurrency.sim_widget import CURSOR_STEPS, explore


def png(w) -> str:
    """Return the base64 PNG the widget shows now (inside its <img>)."""
    (output,) = w.output.outputs
    found = re.search(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)">', output["data"]["text/html"])
    assert found, output["data"]["text/html"][:200]
    return found.group(1)


def alt(w) -> str:
    """Return the alt text of the image the widget shows now, as the browser reads it."""
    (output,) = w.output.outputs
    return html.unescape(re.search(r'alt="([^"]+)"', output["data"]["text/html"]).group(1))


def test_outer_box_time_readout_and_plot_carry_their_classes():
    w = explore(n=5)
    assert "sim-widget" in w.box._dom_classes
    assert "sim-time" in w.time_label._dom_classes
    assert "sim-plot" in w.output._dom_classes
    assert w.output in w.box.children


def test_moving_a_slider_replaces_the_image():
    w = explore(n=5)
    before = png(w)
    w.n.value = 50
    assert len(w.output.outputs) == 1 and png(w) != before
    assert w.results[0].n == 50


def test_server_controls_reach_the_model():
    w = explore(n=10, io_ms=100, cpu_ms=0)
    assert w.results[0].makespan == pytest.approx(1.0)  # one worker, one thread
    w.threads.value = 10
    w.loop_mode.value = "blocking"
    assert w.results[0].makespan == pytest.approx(0.1) and w.results[1].mode == "blocking"


def test_play_moves_the_cursor_and_the_readout_shows_its_time():
    w = explore(n=10, io_ms=100, cpu_ms=0, threads=5)  # 0.2 s and 0.1 s: runs within 3x share the steps
    assert w.time_label.value.startswith("<b>t = 0.000 s</b>")
    before = png(w)
    w.play.value = CURSOR_STEPS // 2
    assert w.cursor.value == CURSOR_STEPS // 2
    assert w.time_label.value.startswith("<b>t = 0.100 s</b>")
    assert png(w) != before


def test_the_readout_says_what_each_request_is_doing_at_the_cursor():
    w = explore(n=10, io_ms=100, cpu_ms=5)  # one thread: 1.05 s; the loop: 0.15 s
    w.cursor.value = CURSOR_STEPS  # the end: everything done on both sides
    assert w.time_label.value.count("10 done") == 2
    w.cursor.value = 0
    wsgi, loop = w.time_label.value.split("<br>")[1:]
    assert "1 running" in wsgi and "9 queued" in wsgi and "1 running" in loop and "9 queued" in loop


def test_play_goes_slowly_through_a_much_shorter_run():
    from helpers.concurrency.sim_widget import SLOW_STEPS, cursor_times
    from helpers.concurrency.simulation import simulate

    runs = [simulate("wsgi", 10, 0.1, 0.005), simulate("async", 10, 0.1, 0.005)]  # 1.05 s and 0.15 s
    times = cursor_times(runs)
    assert len(times) == CURSOR_STEPS + 1 and times == sorted(times)
    assert times[SLOW_STEPS] == pytest.approx(0.15) and times[-1] == pytest.approx(1.05)
    # Within the loop's run the steps are small enough to see each request's 5 ms of CPU start.
    assert max(b - a for a, b in zip(times, times[1 : SLOW_STEPS + 1])) < 0.01
    close = [simulate("wsgi", 10, 0.1, threads=5), simulate("async", 10, 0.1)]  # 0.2 s and 0.1 s
    assert cursor_times(close) == pytest.approx([0.2 * k / CURSOR_STEPS for k in range(CURSOR_STEPS + 1)])


def test_a_slider_move_reuses_the_figure_while_the_layout_allows():
    w = explore(n=200, io_ms=100, cpu_ms=5, threads=4)
    fig = w.figure
    w.io_ms.value = 110
    assert w.figure is fig
    w.workers.value = 2  # new rows: a new figure
    assert w.figure is not fig


def test_redrawing_the_cursor_where_it_is_changes_nothing():
    w = explore(n=20)
    before = png(w)
    w.redraw_cursor()
    assert w.cursor.value == 0 and png(w) == before


def test_a_cursor_move_redraws_only_the_cursor():
    w = explore(n=10, io_ms=100, cpu_ms=0)
    full = w.canvas.full_renders
    first = w.canvas.pixels()
    w.cursor.value = CURSOR_STEPS // 2
    moved = w.canvas.pixels()
    assert w.canvas.full_renders == full
    changed = (moved != first).any(axis=2).any(axis=0)  # columns with a changed pixel
    assert 0 < changed.sum() < 20  # two thin lines' worth: the old cursor and the new one


def test_a_small_slider_change_keeps_the_labels_and_matches_a_full_render():
    from helpers.concurrency.sim_widget import TimelineCanvas
    from helpers.concurrency.timeline_plot import plot_timeline

    w = explore(n=200, io_ms=100, cpu_ms=5, threads=4)
    w.cursor.value = 10
    full = w.canvas.full_renders
    w.io_ms.value = 110  # same axis end (6 s), same labels
    assert w.canvas.full_renders == full
    fresh = TimelineCanvas()
    fresh.show(plot_timeline(w.results, cursor=w.cursor_time()))
    assert fresh.full_renders == 1
    differ = (w.canvas.pixels() != fresh.pixels()).any(axis=2)
    assert differ.sum() == 0
    w.workers.value = 2  # new rows: everything is rendered again
    assert w.canvas.full_renders == full + 1


def test_images_stay_small():
    import base64
    import io

    from PIL import Image

    w = explore(n=200, io_ms=100, cpu_ms=5, workers=2, threads=4)
    w.loop_mode.value = "threadpool"
    assert len(base64.b64decode(png(w))) < 60_000
    image = Image.open(io.BytesIO(base64.b64decode(png(w)))).convert("RGB")
    corners = [image.getpixel(xy) for xy in [(0, 0), (image.width - 1, image.height - 1)]]
    assert corners == [(255, 255, 255)] * 2  # white stays white in the 64-colour PNG: no grey box


def test_labels_have_room_for_their_text():
    w = explore()
    sliders = [w.n, w.io_ms, w.cpu_ms, w.workers, w.threads, w.pool]
    for s in sliders:
        # About 0.55 em per character at JupyterLab's widget font; the width is in em.
        assert len(s.description) * 0.55 <= float(s.style.description_width.removesuffix("em")), s.description
    assert w.loop_mode.style.button_width == "auto"  # no "plain def (thread..."


def test_moving_the_cursor_before_showing_is_refused():
    from helpers.concurrency.sim_widget import TimelineCanvas

    with pytest.raises(RuntimeError, match="show a figure"):
        TimelineCanvas().move_cursor(0.1)


def test_the_cursor_keeps_its_colour_as_it_moves():
    import base64
    import io

    from PIL import Image, ImageColor

    from helpers.concurrency.timeline_plot import CURSOR

    w = explore(n=10, io_ms=100, cpu_ms=5)
    w.cursor.value = CURSOR_STEPS // 3  # away from the axis, where the first frame hid it
    image = Image.open(io.BytesIO(base64.b64decode(png(w)))).convert("RGB")
    cursor = ImageColor.getrgb(CURSOR)
    exact = sum(count for count, colour in image.getcolors(1 << 16) if colour == cursor)
    assert exact > 100, "the cursor line should be drawn in its own colour, not mapped onto a grey"


def test_the_image_says_what_the_timeline_shows_and_where_the_cursor_is():
    from helpers.concurrency.timeline_plot import describe_timeline

    w = explore(n=10, io_ms=100, cpu_ms=5)
    (output,) = w.output.outputs
    assert alt(w) == output["data"]["text/plain"] == w.alt()
    assert alt(w).startswith(describe_timeline(w.results)) and alt(w).endswith("The time cursor is at 0.000 s.")
    w.cursor.value = CURSOR_STEPS  # a cursor move redraws only the cursor; the words follow it
    assert alt(w).endswith(f"The time cursor is at {w.cursor_time():.3f} s.") and w.cursor_time() > 0
    w.n.value = 30
    assert "all 30 requests done" in alt(w)


def test_every_button_has_a_name_and_a_tooltip_and_the_icon_only_play_is_hidden():
    import ipywidgets as widgets

    w = explore()

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    buttons = [c for c in walk(w.box) if isinstance(c, (widgets.Button, widgets.ToggleButton))]
    assert [b.description for b in buttons] == ["Play", "Stop", "Loop"]
    assert all(b.tooltip for b in buttons)
    # ipywidgets' Play keeps the browser-side timer, but its icon buttons have no name: never shown.
    plays = [c for c in walk(w.box) if isinstance(c, widgets.Play)]
    assert plays == [w.play] and w.play.layout.display == "none"
    named = [c for c in walk(w.box) if isinstance(c, (widgets.IntSlider, widgets.ToggleButtons))]
    assert len(named) == 8 and all(c.description for c in named)


def test_play_pause_stop_and_loop_drive_the_timer():
    w = explore(n=10, io_ms=100, cpu_ms=0, threads=5)
    w.play_button.value = True  # what a click on Play sends
    assert w.play.playing and (w.play_button.description, w.play_button.icon) == ("Pause", "pause")
    w.play.value = 10  # the browser's timer moves on
    w.play.playing = False  # and stops at the end of the run
    assert not w.play_button.value and w.play_button.description == "Play" and w.cursor.value == 10
    w.loop_button.value = True
    assert w.play.repeat
    w.play_button.value = True
    w.stop_button.click()
    assert not w.play.playing and w.play.value == 0 and w.cursor.value == 0
    assert w.time_label.value.startswith("<b>t = 0.000 s</b>")
