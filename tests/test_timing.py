"""Side-by-side timings: medians, interleaving, argument checks."""

from __future__ import annotations

import time

import pytest

from helpers.components.timing import compare_timings, timing_table


def test_medians_order_slow_and_fast_work():
    medians = compare_timings({"slow": lambda: time.sleep(0.02), "fast": lambda: None}, repeats=3)
    assert set(medians) == {"slow", "fast"}
    assert medians["slow"] > 0.015 > medians["fast"]


def test_each_callable_runs_repeats_times_number():
    calls = {"a": 0}

    def a():
        calls["a"] += 1

    compare_timings({"a": a}, repeats=4, number=3)
    assert calls["a"] == 12


def test_rounds_are_interleaved():
    order = []
    compare_timings({"a": lambda: order.append("a"), "b": lambda: order.append("b")}, repeats=2)
    assert order == ["a", "b", "a", "b"]


def test_thread_cpu_time_leaves_out_time_spent_asleep_and_min_takes_the_best_round():
    # A sleep costs this thread no CPU: the thread's clock sees nothing of it, the wall clock all of it.
    asleep = {"sleep": lambda: time.sleep(0.02)}
    assert compare_timings(asleep, repeats=3, clock=time.thread_time)["sleep"] < 0.005
    # A fake clock: rounds of 1, 2 and 3 ticks give a median of 2 and a minimum of 1.
    steps = iter([0, 1, 10, 12, 20, 23])
    assert compare_timings({"x": lambda: None}, repeats=3, clock=lambda: next(steps), summary=min) == {"x": 1}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"funcs": {}}, "funcs"),
        ({"repeats": 0}, "repeats"),
        ({"number": True}, "number"),
        ({"funcs": {"x": 3}}, "callable"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    args = {"funcs": {"x": lambda: None}, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        compare_timings(**args)


def test_table_sorts_fastest_first_with_ratios():
    table = timing_table({"slow": 0.004, "fast": 0.001}, unit="ms")
    assert [r[0] for r in table.rows] == ["fast", "slow"]
    assert table.rows[1][1] == "4.00 ms" and table.rows[1][2] == "4.0×"
    with pytest.raises(ValueError, match="unit"):
        timing_table({"a": 1.0}, unit="min")


def test_plot_has_one_panel_per_group_and_bars_in_given_colours():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.colors import to_hex

    from helpers.components.timing import plot_timings

    fig = plot_timings(
        {"A": {"x": 0.002, "y": 0.001}, "B": {"z": 0.003}}, {"x": "#009E73", "y": "#0072B2", "z": "#D55E00"}, title="t"
    )
    axes = fig.get_axes()
    assert [ax.get_title(loc="left") for ax in axes] == ["A", "B"]
    # readable: labels at the size of the notebook's text, and the figure as wide as a notebook column
    assert min(label.get_fontsize() for label in axes[0].get_yticklabels()) >= 10
    assert fig.get_figwidth() >= 8
    bars = axes[0].patches
    assert [to_hex(b.get_facecolor()) for b in bars] == ["#009e73", "#0072b2"]
    assert bars[0].get_width() == pytest.approx(2.0)  # seconds shown as ms
    with pytest.raises(ValueError, match="colour"):
        plot_timings({"A": {"q": 1.0}}, {})
    with pytest.raises(ValueError, match="panels"):
        plot_timings({}, {})


def test_the_figure_says_each_median_fastest_first_with_its_multiple():
    from helpers.components.timing import plot_timings
    from helpers.display import figure_alt

    fig = plot_timings(
        {"A": {"x": 0.002, "y": 0.001}, "B": {"z": 0.003}}, {"x": "#009E73", "y": "#0072B2", "z": "#D55E00"}
    )
    text = figure_alt(fig)
    assert "A: y 1.00 ms (fastest), x 2.00 ms (2.0x)." in text and "B: z 3.00 ms (fastest)." in text
    titled = figure_alt(plot_timings({"A": {"x": 0.002}}, {"x": "#009E73"}, title="Jinja2 wins."))
    assert titled.startswith("Jinja2 wins. ")
