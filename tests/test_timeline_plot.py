"""The timeline plots: panels, rows, legend, summaries, cursor, and refusals."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from helpers.concurrency.simulation import simulate
from helpers.concurrency.timeline_plot import COLOURS, plot_lag, plot_measured, plot_timeline


def texts(fig: Figure) -> str:
    found = [t.get_text() for ax in fig.axes for t in ax.texts]
    found += [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    found += [ax.get_title(loc="left") for ax in fig.axes]
    return "\n".join(found)


def test_one_panel_per_result_on_a_shared_time_axis():
    results = [simulate("wsgi", 10, 0.1), simulate("async", 10, 0.1)]
    fig = plot_timeline(results, time_axis="shared")
    assert len(fig.axes) == 2
    assert fig.axes[0].get_xlim() == fig.axes[1].get_xlim()
    assert fig.axes[0].get_xlim()[1] >= results[0].makespan


def test_runs_far_apart_get_a_time_axis_each_and_say_so():
    results = [simulate("wsgi", 10, 0.1), simulate("async", 10, 0.1)]  # 1.0 s and 0.1 s
    fig = plot_timeline(results)
    (_, wsgi_end), (_, loop_end) = (ax.get_xlim() for ax in fig.axes)
    assert wsgi_end >= 1.0 and loop_end < 0.2  # the loop's run fills its panel
    assert all("own scale" in ax.get_xlabel() for ax in fig.axes)
    close = [simulate("wsgi", 10, 0.1, threads=5), simulate("async", 10, 0.1)]  # 0.2 s and 0.1 s
    assert plot_timeline(close).axes[0].get_xlim() == plot_timeline(close).axes[1].get_xlim()


def test_few_requests_get_a_lane_each_showing_what_each_did():
    fig = plot_timeline(simulate("wsgi", 3, 0.1, 0.01))
    shown = texts(fig)
    assert "request 1" in shown and "request 3" in shown and "worker 1" not in shown
    (ax,) = fig.axes
    colours = {matplotlib_hex(c.get_facecolor()[0]) for c in ax.collections}
    # Request 3 queues, runs, then waits: all three kinds appear, in the request's own lane.
    assert colours == {COLOURS[k].lower() for k in ("queued", "running", "waiting")}
    assert "request 1" not in texts(plot_timeline(simulate("wsgi", 3, 0.1), lanes="threads"))


def test_summaries_beside_each_panel_show_makespan_and_percentiles():
    r = simulate("wsgi", 10, 0.1)
    shown = texts(plot_timeline(r))
    assert f"makespan {r.makespan:.2f} s" in shown
    assert f"p95 {r.percentile(95):.2f} s" in shown and f"p50 {r.percentile(50):.2f} s" in shown


def test_rows_are_labelled_per_thread_and_for_the_loop():
    shown = texts(
        plot_timeline([simulate("wsgi", 4, 0.1, workers=2, threads=2), simulate("async", 4, 0.1)], lanes="threads")
    )
    assert "worker 2 thread 2" in shown and "event loop" in shown and "awaiting I/O" in shown


def test_too_many_rows_are_cut_and_said_so():
    shown = texts(plot_timeline(simulate("threadpool", 50, 0.1, pool=40), max_rows=5))
    assert "thread 5" in shown and "thread 6" not in shown and "+35 rows\nnot drawn" in shown


def test_legend_uses_the_okabe_ito_colours_of_what_is_drawn():
    fig = plot_timeline(simulate("blocking", 3, 0.1, 0.01))
    legend = fig.legends[0]
    labels = [t.get_text() for t in legend.get_texts()]
    assert "blocked on I/O, holding the loop" in labels and "running (CPU)" in labels
    assert "waiting on I/O" not in labels  # nothing waited without holding the loop
    colours = {matplotlib_hex(h.get_facecolor()) for h in legend.legend_handles}
    assert colours <= {c.lower() for c in COLOURS.values()}


def matplotlib_hex(rgba) -> str:
    from matplotlib.colors import to_hex

    return to_hex(rgba).lower()


def test_cursor_draws_a_vertical_line_in_every_panel():
    with_cursor = plot_timeline([simulate("wsgi", 3, 0.1), simulate("async", 3, 0.1)], cursor=0.15)
    without = plot_timeline([simulate("wsgi", 3, 0.1), simulate("async", 3, 0.1)])
    for a, b in zip(with_cursor.axes, without.axes):
        assert len(a.lines) == len(b.lines) + 1
        assert list(a.lines[-1].get_xdata()) == [0.15, 0.15]


def test_the_title_says_what_to_notice_true_to_the_settings():
    def title(*results):
        return plot_timeline(list(results))._suptitle.get_text()

    assert "one worker thread serves one at a time" in title(simulate("wsgi", 3, 0.1))
    four = title(simulate("wsgi", 3, 0.1, threads=4), simulate("async", 3, 0.1))
    assert "4 worker threads hold up to 4 at a time" in four and "one at a time" not in four
    assert "overlaps all their waits" in four
    assert "10-thread pool holds up to 10" in title(simulate("threadpool", 3, 0.1, pool=10))
    assert "a loop that blocks serves one at a time" in title(simulate("blocking", 3, 0.1))
    assert plot_timeline(simulate("wsgi", 3, 0.1), title="Look here")._suptitle.get_text() == "Look here"


@pytest.mark.parametrize(
    "bad,kwargs,error",
    [
        ([], {}, TypeError),
        ("x", {}, TypeError),
        (5, {}, TypeError),
        (None, {"lanes": "rows"}, ValueError),
        (None, {"time_axis": "log"}, ValueError),
        (None, {"cursor": -1}, ValueError),
        (None, {"max_rows": 0}, ValueError),
    ],
)
def test_bad_arguments_are_refused(bad, kwargs, error):
    with pytest.raises(error):
        plot_timeline(simulate("async", 2, 0.1) if bad is None else bad, **kwargs)


def test_measured_plot_draws_both_and_names_the_error():
    predicted = simulate("wsgi", 3, 0.1)
    fig = plot_measured([(0, 0.1), (0, 0.2), (0, 0.33)], predicted)
    ax = fig.axes[0]
    assert len(ax.lines) >= 6
    assert "+10.0%" in ax.get_title() and "(s)" in ax.get_xlabel() and "own scale" in ax.get_xlabel()
    # Rows are whole requests: no tick at 2.5.
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    assert ticks and all(float(t).is_integer() and 1 <= t <= 3 for t in ticks), ticks
    # The legend sits outside the axes, clear of the bars.
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw_without_rendering()
    assert ax.get_legend().get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1
    with pytest.raises(TypeError):
        plot_measured([], "not a result")


def test_lag_plot_has_one_line_per_label_in_ms():
    fig = plot_lag({"blocking": [(0.0, 0.1), (0.1, 0.0)], "awaiting": [(0.0, 0.001)]})
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and max(ax.lines[0].get_ydata()) == pytest.approx(100)
    assert "ms" in ax.get_ylabel()
    with pytest.raises(TypeError):
        plot_lag({})


def test_time_axis_ends_on_a_round_number_so_small_changes_keep_it():
    from helpers.concurrency.timeline_plot import nice_end

    assert [nice_end(t) for t in (0.2, 0.21, 1.01, 5.26, 5.77, 9, 11)] == [0.2, 0.25, 1.2, 6, 6, 10, 12]
    a = plot_timeline(simulate("wsgi", 200, 0.100, 0.005, threads=4)).axes[0].get_xlim()
    b = plot_timeline(simulate("wsgi", 200, 0.110, 0.005, threads=4)).axes[0].get_xlim()
    assert a == b == (0, 6)
    with pytest.raises(ValueError, match="t must"):
        nice_end(0)


def test_bars_are_one_collection_per_kind_and_data_is_marked_for_the_widget():
    from helpers.concurrency.timeline_plot import CURSOR_GID, DYNAMIC

    fig = plot_timeline(
        [simulate("wsgi", 200, 0.1, 0.005, workers=2, threads=4), simulate("async", 200, 0.1, 0.005)], cursor=1.0
    )
    wsgi, loop = fig.axes
    assert len(wsgi.collections) == 3  # running, waiting, the queue profile
    assert all(c.get_gid() == DYNAMIC for ax in fig.axes for c in ax.collections)
    assert [line.get_gid() for ax in fig.axes for line in ax.lines] == [CURSOR_GID, CURSOR_GID]
    # 200 back-to-back 5 ms CPU slices on the loop: white edges would bleach them, so none.
    assert loop.collections[0].get_linewidths()[0] == 0 and wsgi.collections[1].get_linewidths()[0] > 0


def test_text_is_large_enough_to_read_at_display_size():
    fig = plot_timeline([simulate("wsgi", 5, 0.1), simulate("async", 5, 0.1)])
    sizes = [t.get_fontsize() for ax in fig.axes for t in ax.texts] + [fig.legends[0].get_texts()[0].get_fontsize()]
    assert min(sizes) >= 10 and fig._suptitle.get_fontsize() >= 12
    assert fig.get_size_inches()[0] * 80 <= 840  # fits a JupyterLab output at 1280x800 without scaling down


def test_cursor_colour_is_not_a_bar_colour():
    from helpers.concurrency.timeline_plot import CURSOR

    assert CURSOR.lower() not in {c.lower() for c in COLOURS.values()}


@pytest.mark.parametrize("width", [-1, 0, True, "10", 100])
def test_bad_widths_are_refused(width):
    with pytest.raises(ValueError, match="width"):
        plot_timeline(simulate("async", 2, 0.1), width=width)


@pytest.mark.parametrize("fraction, text", [(0.0812, "+8.1%"), (-0.0004, "0.0%"), (0.0004, "0.0%"), (-0.2, "-20.0%")])
def test_errors_print_with_a_sign_but_never_minus_zero(fraction, text):
    from helpers.concurrency.timeline_plot import _signed_percent

    assert _signed_percent(fraction) == text


def test_update_timeline_redraws_the_data_in_the_same_figure_and_matches_a_new_one():
    from helpers.concurrency.timeline_plot import update_timeline

    def summary(fig):
        return sorted(t.get_text() for ax in fig.axes for t in ax.texts)

    fig = plot_timeline([simulate("wsgi", 200, 0.1, 0.005), simulate("async", 200, 0.1, 0.005)], cursor=0.5)
    axes = list(fig.axes)
    changed = [simulate("wsgi", 200, 0.11, 0.005), simulate("async", 200, 0.11, 0.005)]
    assert update_timeline(fig, changed, cursor=0.7)
    assert list(fig.axes) == axes  # the same axes: nothing rebuilt
    fresh = plot_timeline(changed, cursor=0.7)
    assert summary(fig) == summary(fresh) and fig._suptitle.get_text() == fresh._suptitle.get_text()
    assert [len(ax.collections) for ax in fig.axes] == [len(ax.collections) for ax in fresh.axes]
    assert [list(line.get_xdata()) for ax in fig.axes for line in ax.lines] == [[0.7, 0.7]] * 2
    # Other rows (two workers) need another layout: the caller must draw a new figure.
    assert not update_timeline(fig, [simulate("wsgi", 200, 0.1, 0.005, workers=2), changed[1]], cursor=0.7)


def test_the_timeline_says_in_words_what_each_server_took_and_which_finished_first():
    from helpers.concurrency.timeline_plot import describe_timeline
    from helpers.display import figure_alt

    worker, loop = simulate("wsgi", 20, 0.1, 0.005), simulate("async", 20, 0.1, 0.005)
    fig = plot_timeline([worker, loop], cursor=0.1)
    text = figure_alt(fig)
    assert text == describe_timeline([worker, loop])
    assert text.startswith(fig._suptitle.get_text())
    assert f"{worker.label}: all 20 requests done after {worker.makespan:.2f} s" in text
    assert f"95% within {loop.percentile(95):.2f} s" in text
    assert f"'{loop.label}' finished them {worker.makespan / loop.makespan:.1f} times sooner" in text
    # A tie measured is a tie said: two equal servers, no winner named.
    tie = describe_timeline([simulate("wsgi", 5, 0.1, threads=5), simulate("async", 5, 0.1)])
    assert "within 10% of each other" in tie and "sooner" not in tie
    assert describe_timeline(worker, title="Look here").startswith("Look here. ")


def test_updating_a_timeline_updates_its_alt_text():
    from helpers.concurrency.timeline_plot import describe_timeline, update_timeline
    from helpers.display import figure_alt

    fig = plot_timeline([simulate("wsgi", 200, 0.1, 0.005), simulate("async", 200, 0.1, 0.005)])
    changed = [simulate("wsgi", 200, 0.11, 0.005), simulate("async", 200, 0.11, 0.005)]
    assert update_timeline(fig, changed)
    assert (
        figure_alt(fig)
        == describe_timeline(changed)
        != describe_timeline([simulate("wsgi", 200, 0.1, 0.005), simulate("async", 200, 0.1, 0.005)])
    )


def test_the_measured_plot_and_the_lag_plot_say_their_figures_in_words():
    from helpers.display import figure_alt

    predicted = simulate("wsgi", 3, 0.1)
    text = figure_alt(plot_measured([(0, 0.1), (0, 0.2), (0, 0.33)], predicted))
    assert "3 measured requests" in text and "took 0.33 s" in text and "predicted 0.30 s (+10.0%)" in text
    lag = figure_alt(plot_lag({"blocking": [(0.0, 0.1), (0.1, 0.0), (0.2, 0.0)], "awaiting": [(0.0, 0.002)]}))
    assert "blocking: worst lag 100 ms, median 0 ms over 3 heartbeats" in lag
    assert "awaiting: worst lag 2 ms" in lag
