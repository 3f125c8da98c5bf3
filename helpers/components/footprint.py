"""Measure what each framework costs: dependencies, installed size, import time, app lines."""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import statistics
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType

from packaging.requirements import Requirement

from helpers import palette
from helpers.display import Table, set_alt
from helpers.numbers import require_number

# label: (distribution, modules a small app imports). "import django" alone loads almost
# nothing, so Django's row imports what a view, a URL and a model need.
FRAMEWORKS: dict[str, tuple[str, str]] = {
    "Django": ("django", "django.http, django.urls, django.db.models, django.forms"),
    "Flask": ("flask", "flask"),
    "FastAPI": ("fastapi", "fastapi"),
}
FRAMEWORK_COLOURS = palette.FRAMEWORKS

# What each framework ships (the module that provides it) or leaves you to choose (None).
FEATURES: dict[str, dict[str, str | None]] = {
    "ORM": {"Django": "django.db.models", "Flask": None, "FastAPI": None},
    "admin site": {"Django": "django.contrib.admin", "Flask": None, "FastAPI": None},
    "auth and sessions": {"Django": "django.contrib.auth", "Flask": "flask.sessions", "FastAPI": "fastapi.security"},
    "templates": {"Django": "django.template", "Flask": "jinja2", "FastAPI": "fastapi.templating"},
    "validation": {"Django": "django.forms", "Flask": None, "FastAPI": "pydantic"},
    "async views": {"Django": "django.core.handlers.asgi", "Flask": "flask.app", "FastAPI": "starlette.routing"},
    "OpenAPI docs": {"Django": None, "Flask": None, "FastAPI": "fastapi.openapi.utils"},
}
NOTES = {
    ("auth and sessions", "Flask"): "signed-cookie sessions only; logins: Flask-Login",
    ("auth and sessions", "FastAPI"): "OAuth2/API-key helpers; no user model",
    ("async views", "Flask"): "each request still holds a WSGI worker; needs flask[async]",
    ("async views", "Django"): "under WSGI, one event loop per request",
    ("templates", "FastAPI"): "Starlette's Jinja2Templates; Jinja2 is an optional install",
}
# The usual add-on for each framework, where it ships none.
CHOICES = {
    ("ORM", "Flask"): "SQLAlchemy, often via Flask-SQLAlchemy",
    ("ORM", "FastAPI"): "SQLAlchemy or SQLModel",
    ("admin site", "Flask"): "Flask-Admin",
    ("admin site", "FastAPI"): "SQLAdmin",
    ("validation", "Flask"): "Marshmallow or Pydantic",
    ("OpenAPI docs", "Django"): "Django REST framework + drf-spectacular, or Django Ninja",
    ("OpenAPI docs", "Flask"): "flask-smorest or APIFlask",
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_tree(distribution: str) -> set[str]:
    """Return the normalised names of every distribution `distribution` needs, itself excluded."""
    try:
        md.distribution(distribution)
    except md.PackageNotFoundError:
        raise ValueError(f"distribution must be an installed package, {distribution!r} is not installed") from None
    seen: set[str] = set()
    todo = [distribution]
    while todo:
        for line in md.requires(todo.pop()) or []:
            req = Requirement(line)
            # Skip extras ("fastapi[all]") and other platforms: only what a plain install pulls in.
            if req.marker and not req.marker.evaluate({"extra": ""}):
                continue
            name = _norm(req.name)
            if name not in seen:
                seen.add(name)
                todo.append(name)
    seen.discard(_norm(distribution))
    return seen


def installed_size(distributions: Iterable[str]) -> int:
    """Return the bytes of the files the wheels of `distributions` installed, as their RECORD files list them."""
    # The course's one definition of a package's size (notebooks 01 and 08, the decision helper): the wheel's
    # files, not what is on disk now: bytecode caches appear on first import and differ by Python version,
    # so counting them would make the same wheels weigh more on one machine than on another.
    return sum((f.size or 0) for name in distributions for f in md.distribution(name).files or [])


def import_time(module: str, runs: int = 3) -> float:
    """Return the median seconds `import module` (or "a, b") takes in a fresh Python, over `runs` runs."""
    require_number("runs", runs, 1, 20, integer=True)
    if not re.fullmatch(r"[A-Za-z_][\w.]*(, ?[A-Za-z_][\w.]*)*", module):
        raise ValueError(f"module must be a dotted module name, got {module!r}")
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
        times.append(float(out.stdout))
    return statistics.median(times)


def code_lines(obj: ModuleType | str | Path) -> int:
    """Count the lines of code of a module or package: no blanks, comments or docstrings."""
    if isinstance(obj, ModuleType):
        obj = Path(obj.__file__).parent if obj.__file__.endswith("__init__.py") else Path(obj.__file__)
    path = Path(obj)
    files = sorted(path.glob("*.py")) if path.is_dir() else [path]
    total = 0
    for file in files:
        source = file.read_text()
        docstrings = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                if (
                    body
                    and isinstance(body[0], ast.Expr)
                    and isinstance(getattr(body[0], "value", None), ast.Constant)
                    and isinstance(body[0].value.value, str)
                ):
                    docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
        total += sum(
            1
            for i, line in enumerate(source.splitlines(), 1)
            if line.strip() and not line.strip().startswith("#") and i not in docstrings
        )
    return total


def measure(frameworks: Mapping[str, tuple[str, str]] = FRAMEWORKS, runs: int = 3) -> dict[str, dict]:
    """Measure each framework: dependencies, size of it plus them, median import time."""
    results = {}
    for label, (dist, module) in frameworks.items():
        deps = dependency_tree(dist)
        results[label] = {
            "version": md.version(dist),
            "dependencies": sorted(deps),
            "size_mb": installed_size([dist, *deps]) / 1e6,
            "import_s": import_time(module, runs),
        }
    return results


def footprint_table(results: Mapping[str, dict], start_s: Mapping[str, float] | None = None) -> Table:
    """Tabulate the measurements, one row per framework."""
    rows = []
    for label, r in results.items():
        start = f"{start_s[label] * 1000:.0f} ms" if start_s and label in start_s else "—"
        rows.append(
            [
                f"{label} {r['version']}",
                len(r["dependencies"]),
                ", ".join(r["dependencies"]),
                f"{r['size_mb']:.1f} MB",
                f"{r['import_s'] * 1000:.0f} ms",
                start,
            ]
        )
    return Table(
        rows,
        ["framework", "deps", "installed with it", "installed size", "import time", "start to first answer"],
        title="What each framework costs, measured in this kernel",
    )


def shipped(module: str | None) -> bool:
    """Tell whether `module` is importable here (None means: not shipped)."""
    if module is None:
        return False
    import importlib.util

    return importlib.util.find_spec(module) is not None


def features_table() -> Table:
    """Tabulate built-in vs chosen for each feature, checking each built-in module exists."""
    rows = []
    for feature, by_framework in FEATURES.items():
        cells = []
        for label in FRAMEWORKS:
            module = by_framework[label]
            if module is None:
                cells.append(f"you choose ({CHOICES.get((feature, label), 'a package')})")
            elif not shipped(module):
                raise RuntimeError(f"{module} is listed as built into {label} but can't be imported")
            else:
                note = NOTES.get((feature, label))
                cells.append(f"built in: {module}" + (f" ({note})" if note else ""))
        rows.append([feature, *cells])
    return Table(rows, ["feature", *FRAMEWORKS], title="Built in (the module that provides it) or chosen by you")


FOOTPRINT_TITLE = "Fewest packages is not fewest bytes: Django carries its batteries inside one package"


def describe_footprint(results: Mapping[str, dict]) -> str:
    """Return the text alternative of plot_footprint's figure: each framework's three figures, and who has least."""
    if not results:
        raise ValueError("results must hold at least one framework's measurements (from measure())")
    deps = {label: len(r["dependencies"]) for label, r in results.items()}
    size = {label: r["size_mb"] for label, r in results.items()}
    imports = {label: r["import_s"] * 1000 for label, r in results.items()}

    def least(values: Mapping[str, float]) -> str:
        low = min(values.values())
        return " and ".join(label for label, v in values.items() if v == low)

    return (
        f"{FOOTPRINT_TITLE}. Three bar charts, one bar per framework. "
        f"Dependencies installed with it: {', '.join(f'{k} {v}' for k, v in deps.items())} packages. "
        f"Installed size with dependencies: {', '.join(f'{k} {v:.1f} MB' for k, v in size.items())}. "
        f"Import time in a fresh Python (median): {', '.join(f'{k} {v:.0f} ms' for k, v in imports.items())}. "
        f"Fewest packages: {least(deps)}; fewest bytes: {least(size)}; quickest import: {least(imports)}."
    )


def plot_footprint(results: Mapping[str, dict]):
    """Draw dependencies, size and import time side by side; return the figure (show it with display.show_figure)."""
    from matplotlib.figure import Figure  # not pyplot: a pyplot figure would be shown a second time

    labels = list(results)
    colours = [FRAMEWORK_COLOURS.get(label, palette.ORANGE) for label in labels]
    panels = [
        ("dependencies installed with it", [len(results[name]["dependencies"]) for name in labels], "packages"),
        ("installed size, with dependencies", [results[name]["size_mb"] for name in labels], "MB"),
        ("import time in a fresh Python", [results[name]["import_s"] * 1000 for name in labels], "ms (median)"),
    ]
    fig = Figure(figsize=(11, 3.6))
    axes = fig.subplots(1, 3)
    for ax, (title, values, unit) in zip(axes, panels):
        bars = ax.bar(labels, values, color=colours, label=labels)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit)
        ax.set_xlabel("framework")
        ax.bar_label(bars, fmt="%.0f" if unit != "MB" else "%.1f", fontsize=9)
        ax.margins(y=0.15)
    axes[0].legend(fontsize=8, loc="upper left")
    fig.suptitle(FOOTPRINT_TITLE, fontsize=11)
    fig.tight_layout()
    return set_alt(fig, describe_footprint(results))
