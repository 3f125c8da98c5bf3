"""The fan-out plot draws what it is given, in the course's colours, and refuses nonsense."""

from __future__ import annotations

import pytest

from helpers.usecases.fanout_plot import FRAMEWORK_COLOURS, plot_fanout

TIMINGS = {("FastAPI", "sequential"): 0.51, ("FastAPI", "concurrent"): 0.11, ("Django (ASGI)", "concurrent"): 0.12}


def test_one_bar_per_timing_in_milliseconds_and_framework_colours():
    ax = plot_fanout(TIMINGS, 5, 0.1).axes[0]
    widths = [round(p.get_width()) for p in ax.patches]
    assert widths == [510, 110, 120]
    assert [tuple(round(c, 3) for c in p.get_facecolor()[:3]) for p in ax.patches][1] == tuple(
        round(int(FRAMEWORK_COLOURS["FastAPI"][i : i + 2], 16) / 255, 3) for i in (1, 3, 5)
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["FastAPI", "FastAPI", "Django (ASGI)"]
    # The two reference lines: one wait and n waits.
    assert sorted(line.get_xdata()[0] for line in ax.lines) == pytest.approx([100, 500])
    assert ax.get_title() and ax.get_xlabel().endswith("(ms)")


@pytest.mark.parametrize(
    "timings, n, delay, word",
    [
        ({}, 5, 0.1, "timings"),
        ({("Rails", "concurrent"): 0.1}, 5, 0.1, "framework"),
        ({("Flask", "parallel"): 0.1}, 5, 0.1, "kind"),
        ({("Flask", "concurrent"): -1}, 5, 0.1, "seconds"),
        (TIMINGS, 0, 0.1, "n"),
        (TIMINGS, True, 0.1, "n"),
        (TIMINGS, 5, 0, "delay"),
    ],
)
def test_bad_input_names_the_parameter(timings, n, delay, word):
    with pytest.raises(ValueError, match=word):
        plot_fanout(timings, n, delay)


def test_the_figure_says_each_time_and_how_many_waits_it_is():
    from helpers.display import figure_alt

    text = figure_alt(plot_fanout(TIMINGS, 5, 0.1))
    assert "5 backends that each wait 100 ms, 500 ms added up" in text
    assert "FastAPI, sequential: 510 ms (5.1 waits)" in text and "Django (ASGI), concurrent: 120 ms (1.2 waits)" in text
