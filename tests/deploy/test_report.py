"""The deployment section's tables and figure, from made-up results: what each row says, whatever was measured."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from helpers.deploy import report  # noqa: E402
from helpers.deploy.production_settings import ProductionReport, SettingsCheck  # noqa: E402
from helpers.deploy.restarts import RestartResult  # noqa: E402
from helpers.deploy.slow_clients import Arrangement, SlowClientResult  # noqa: E402
from helpers.deploy.static_files import StaticResult, StaticServer  # noqa: E402


def test_the_slow_table_says_how_many_normal_requests_got_through_and_why_the_others_failed():
    result = SlowClientResult(2, 4, 2.0, 1.0, "send")
    result.arrangements = [
        Arrangement("alone", 0, 4, {"timeout": 4}, 0.0, 0.0, 4),
        Arrangement("nginx", 812, 812, {}, 0.6, 0.9, 4),
    ]
    table = report.slow_table(result)
    assert table.rows == [
        ["gunicorn alone", "0 of 4", "4 timeout", "-"],
        ["nginx in front (buffering on, its default)", "812 of 812", "none", "0.6 ms"],
    ]
    assert "4 slow uploads against 2 sync workers" in table.title


def _static() -> StaticResult:
    result = StaticResult(16384, 1.5, 8, 2)
    result.servers = [
        StaticServer("nginx", "alias", 14000.4, 0.4, 0.9, 21000, {}, True, "text/css"),
        StaticServer("flask", "send_from_directory", 900.0, 8.0, 12.0, 1350, {"timeout": 1}, False, "text/css"),
    ]
    return result


def test_the_static_table_rounds_the_rate_and_says_whether_the_bytes_were_the_file():
    table = report.static_table(_static())
    assert table.rows[0][:3] == ["nginx", "alias", "14,000"] and table.rows[0][-1] == "yes"
    assert table.rows[1][4] == "1 timeout" and table.rows[1][-1] == "no"
    assert "16 KiB" in table.title and "rough figure" in table.title


def test_the_static_figure_has_a_title_labelled_axis_and_one_bar_per_server():
    fig = report.plot_static(_static())
    try:
        ax = fig.axes[0]
        assert ax.get_title() and "requests per second" in ax.get_xlabel()
        assert [t.get_text() for t in ax.get_yticklabels()] == ["nginx", "Flask"]
        assert len(ax.patches) == 2 and ax.patches[0].get_width() > ax.patches[1].get_width()
    finally:
        plt.close(fig)


def test_the_restart_table_names_the_failures_and_the_promise():
    ok = RestartResult("gunicorn-hup", "gunicorn HUP", 272, 272, {}, True, 0.2, promises_zero=True)
    crash = RestartResult("uvicorn-kill-worker", "uvicorn kill", 568, 566, {"dropped": 2}, True, 0.4)
    rows = report.restart_table([ok, crash]).rows
    assert rows[0] == ["gunicorn HUP", "272", "0", "yes", "yes"]
    assert rows[1] == ["uvicorn kill", "568", "2 (2 dropped)", "yes", "no"]


def test_the_settings_table_lists_the_warnings_before_and_after_and_what_was_silenced():
    checks = [
        SettingsCheck("django", "before", "start", ["security.W004", "security.W008"], {}),
        SettingsCheck("django", "after", "env", [], {}, silenced=["security.W021"]),
        SettingsCheck("flask", "before", "app", ["flask.debug"], {}),
        SettingsCheck("flask", "after", "app", [], {}),
    ]
    rows = report.settings_table(ProductionReport(checks)).rows
    assert rows[0] == ["Django", "security.W004\nsecurity.W008", "none (silenced on purpose: security.W021)"]
    assert rows[1] == ["Flask", "flask.debug", "none"]
