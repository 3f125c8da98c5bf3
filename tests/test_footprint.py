"""Footprint measurements: dependency trees, sizes, import times, code lines, tables, plot."""

import importlib.metadata as md

import pytest

from helpers.components import footprint as fp


def test_dependency_tree_is_transitive_and_skips_extras():
    flask = fp.dependency_tree("flask")
    assert {"werkzeug", "jinja2", "markupsafe"} <= flask  # markupsafe comes through jinja2 and werkzeug
    assert "flask" not in flask
    assert "asgiref" not in flask  # only in the flask[async] extra
    assert fp.dependency_tree("fastapi") >= {"starlette", "pydantic", "pydantic-core"}


def test_dependency_tree_refuses_an_unknown_package():
    with pytest.raises(ValueError, match="distribution"):
        fp.dependency_tree("no-such-package-xyz")


def test_installed_size_adds_up_the_wheels_files():
    one = fp.installed_size(["sqlparse"])
    assert one > 100_000
    assert fp.installed_size(["sqlparse", "asgiref"]) > one
    assert fp.installed_size([]) == 0


def test_installed_size_leaves_out_the_bytecode_written_on_import():
    import importlib.metadata as md
    from pathlib import Path

    import sqlparse

    listed = sum(f.size or 0 for f in md.distribution("sqlparse").files)
    on_disk = sum(p.stat().st_size for p in Path(sqlparse.__file__).parent.rglob("*") if p.is_file())
    assert fp.installed_size(["sqlparse"]) == listed
    assert any(Path(sqlparse.__file__).parent.rglob("*.pyc")) and on_disk > listed


def test_import_time_orders_a_tiny_module_before_a_big_one():
    # Medians of fresh processes: the ordering holds with a wide margin even on a busy machine.
    assert fp.import_time("json", runs=1) < fp.import_time("fastapi", runs=1)


@pytest.mark.parametrize("runs", [0, 21, 1.5, "3"])
def test_import_time_refuses_bad_runs(runs):
    with pytest.raises(ValueError, match="runs"):
        fp.import_time("json", runs=runs)


def test_import_time_refuses_code_in_the_module_name():
    with pytest.raises(ValueError, match="module"):
        fp.import_time("os; print(1)")


def test_code_lines_skip_blanks_comments_and_docstrings(tmp_path):
    f = tmp_path / "m.py"
    f.write_text('"""Doc\nstring."""\n\n# comment\nx = 1\n\n\ndef f():\n    """Doc."""\n    return x  # counted\n')
    assert fp.code_lines(f) == 3
    (tmp_path / "n.py").write_text("y = 2\n")
    assert fp.code_lines(tmp_path) == 4


def test_measure_and_table_report_every_framework():
    results = fp.measure({"Flask": ("flask", "flask")}, runs=1)
    assert results["Flask"]["version"] == md.version("flask")
    assert "werkzeug" in results["Flask"]["dependencies"] and results["Flask"]["size_mb"] > 1
    text = repr(fp.footprint_table(results, {"Flask": 0.012}))
    assert "Flask 3" in text and "12 ms" in text


def test_features_table_checks_built_in_modules(monkeypatch):
    assert "built in: django.contrib.admin" in repr(fp.features_table())
    monkeypatch.setitem(fp.FEATURES, "magic", {"Django": "django.no_such_module", "Flask": None, "FastAPI": None})
    with pytest.raises(RuntimeError, match="django.no_such_module"):
        fp.features_table()


def test_plot_has_one_bar_per_framework_in_course_colours(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    results = {
        label: {"dependencies": ["a"] * n, "size_mb": 1.0 * n, "import_s": 0.1 * n}
        for n, label in enumerate(["Django", "Flask", "FastAPI"], 1)
    }
    fig = fp.plot_footprint(results)
    fig.savefig(tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 1000
    ax = fig.axes[0]
    assert [round(b.get_height()) for b in ax.patches] == [1, 2, 3]
    assert matplotlib.colors.to_hex(ax.patches[2].get_facecolor()).upper() == "#D55E00"
    assert ax.get_ylabel() and ax.get_title()


def test_each_chosen_part_names_an_add_on_for_that_framework():
    """Every 'you choose' cell names the usual add-on of its own framework, never another's."""
    from helpers.components.footprint import CHOICES, FEATURES

    missing = [
        (f, fw) for f, by in FEATURES.items() for fw, module in by.items() if module is None and (f, fw) not in CHOICES
    ]
    assert not missing, missing
    others = {
        "Django": ("Flask", "SQLAdmin", "SQLModel"),
        "Flask": ("drf", "Django", "SQLAdmin", "Ninja"),
        "FastAPI": ("Flask", "Django", "drf"),
    }
    assert not [(k, v) for k, v in CHOICES.items() if any(o in v for o in others[k[1]])]


def test_the_figure_says_each_frameworks_figures_and_who_has_least():
    from helpers.display import figure_alt

    results = {
        "Django": {"dependencies": ["asgiref", "sqlparse"], "size_mb": 30.2, "import_s": 0.12},
        "Flask": {"dependencies": list("abcdef"), "size_mb": 5.5, "import_s": 0.05},
        "FastAPI": {"dependencies": list("abcdefghijkl"), "size_mb": 20.0, "import_s": 0.05},
    }
    text = figure_alt(fp.plot_footprint(results))
    assert text == fp.describe_footprint(results)
    assert "Django 2, Flask 6, FastAPI 12 packages" in text and "Flask 5.5 MB" in text and "Django 120 ms" in text
    assert "Fewest packages: Django; fewest bytes: Flask; quickest import: Flask and FastAPI." in text
    with pytest.raises(ValueError, match="results"):
        fp.describe_footprint({})
