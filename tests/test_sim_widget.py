"""The simulation widget: the class names the browser test relies on, and redraws on change."""
from __future__ import annotations

import pytest

from helpers.sim_widget import CURSOR_STEPS, explore


def png(w) -> str:
    (output,) = w.output.outputs
    return output["data"]["image/png"]


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
    w = explore(n=10, io_ms=100, cpu_ms=0)
    assert w.time_label.value == "t = 0.00 s"
    before = png(w)
    w.play.value = CURSOR_STEPS // 2
    assert w.cursor.value == CURSOR_STEPS // 2
    assert w.time_label.value == "t = 0.50 s"
    assert png(w) != before


def test_redraw_time_is_recorded():
    w = explore(n=20)
    assert 0 < w.redraw_seconds < 30
