"""The notebooks of the course, in order: the one list that the build, tests, grader and benchmarks read."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"

# (file, title used until the notebook exists and has its own H1)
NOTEBOOKS: list[tuple[str, str]] = [
    ("00_start_here.ipynb", "Start here: Django, Flask and FastAPI, run side by side"),
    ("01_architecture.ipynb", "Architecture: one app built three ways"),
    ("02_concurrency.ipynb", "Concurrency: a blocked worker next to an event loop"),
    ("03_serving.ipynb", "Serving for real: worker processes, waiting connections, production servers"),
    ("04_data.ipynb", "Data: two ORMs, the N+1 trap, injection and migrations"),
    ("05_web_layer.ipynb", "The web layer: templates, validation, JSON APIs, authentication and testing"),
    ("06_database.ipynb", "A real database under load: PostgreSQL, pools, and each framework's data access"),
    ("07_production.ipynb", "Production: work after the response, and a proxy in front"),
    ("08_use_cases.ipynb", "Use cases: the usual pick against a rival, five times"),
    ("09_choosing.ipynb", "Choosing: which framework when, from the course's evidence"),
]


def notebook_names() -> list[str]:
    """Return the course's notebook file names, in order."""
    return [name for name, _ in NOTEBOOKS]


def notebook_path(name: str, folder: Path = NOTEBOOK_DIR) -> Path:
    """Return the path of course notebook `name` in `folder`, or raise ValueError naming the course's notebooks."""
    if name not in notebook_names():
        raise ValueError(f"{name!r} is not a notebook of the course; its notebooks are {', '.join(notebook_names())}")
    return folder / name
