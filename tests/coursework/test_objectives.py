"""Every objective a notebook's opening lists is tested by at least one of its exercises, and every exercise tests one
(issue 26).

OBJECTIVES maps each objective, by the words it starts with, to the exercises that test it. A notebook that gains an
objective with no exercise, or an exercise that tests none of its objectives, fails here. The table is a judgement,
made by reading each exercise's check: an exercise is listed under an objective only when its check would reject an
answer that misunderstands that objective.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from helpers.coursework.exercises import exercise_ids
from helpers.runner.course import NOTEBOOK_DIR

NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
OPENINGS = (
    "By the end of this notebook you will be able to:",
    "After this notebook you will be able to:",
    "In this notebook you will:",
)

OBJECTIVES: dict[str, dict[str, tuple[str, ...]]] = {
    "00": {
        "run the course's cells, re-run them safely": ("00.6",),
        "serve a Django, a Flask and a FastAPI app from one kernel": ("00.1", "00.2"),
        "read a response's status, body and headers": ("00.1",),
        "find the traceback behind an app's `500`": ("00.5",),
        "explain why the same Django app can answer from a WSGI server": ("00.4",),
        "write a Flask route and a Flask response hook": ("00.2", "00.3"),
    },
    "01": {
        "read the same bookshelf app in Django, Flask and FastAPI": ("01.2",),
        "check three servers against one HTTP contract": ("01.2",),
        "log in to Django's admin": ("01.4",),
        "measure a framework's dependencies": ("01.1",),
        "say, feature by feature, what each framework ships": ("01.5",),
        "write a bare WSGI app": ("01.3",),
    },
    "02": {
        "explain why a WSGI worker thread that waits on I/O is *blocked*": ("02.1", "02.6"),
        "predict the makespan of a batch of requests": ("02.1", "02.5"),
        "read a timeline of requests": ("02.6",),
        "compare a model's prediction with a measurement": ("02.2",),
        "spot a blocking call inside `async def`": ("02.4",),
        "say where async wins nothing": ("02.2", "02.3"),
        "explain why `asyncio.run()` fails in a notebook cell": ("02.3",),
    },
    "03": {
        "start gunicorn (sync and threaded workers) and uvicorn as real processes": ("03.1",),
        "explain why a real measurement moves the load generator out of the kernel": ("03.5",),
        "check the model of notebook 02 against 1, 2 and 4 real worker processes": ("03.1",),
        "show that threads don't speed up CPU-bound requests": ("03.4",),
        "hold thousands of waiting connections": ("03.2", "03.3"),
        "compare Flask, Django and FastAPI on the same JSON endpoint twice": ("03.5",),
        "predict memory from a measured slope": ("03.3", "03.4", "03.5"),
    },
    "04": {
        "read the SQL that the Django ORM and SQLAlchemy 2 send": ("04.1",),
        "spot an N+1 loop": ("04.2", "04.4"),
        "explain why a parameterised query is safe": ("04.6",),
        "change a schema with Django migrations and with Alembic": ("04.3", "04.5"),
        "explain why both tools read a column rename as drop-and-add": ("04.5",),
    },
    "05": {
        "predict which template setups escape a hostile value": ("05.1", "05.2"),
        "read a table of bad inputs": ("05.3",),
        "read one JSON API in Django Ninja, flask-smorest and FastAPI": ("05.4",),
        "let only a book's owner delete it": ("05.5",),
        "explain why a Django form view needs a CSRF token": ("05.5",),
        "write the same tests with each framework's test client": ("05.6",),
    },
    "06": {
        "start PostgreSQL from a cell and read what it holds": ("06.2", "06.5"),
        "predict the most requests per second a connection pool can serve": ("06.1",),
        "read a load table": ("06.2",),
        "explain why FastAPI's `def` endpoints can starve their own pool": ("06.2",),
        "size a pool from the ceiling it sets": ("06.1", "06.3"),
        "recognise a pool timeout and the server's own refusal": ("06.2", "06.3"),
        "sell the last item in stock safely": ("06.4",),
        "explain how Django's async ORM runs each query in a thread": ("06.5",),
    },
    "07": {
        "move a slow job out of the request": ("07.2",),
        "predict which jobs are lost": ("07.1",),
        "see jobs waiting in a queue": ("07.1", "07.4"),
        "say what each way does with a job that fails": ("07.3",),
        "choose between a background task in the web process and a queue": ("07.4",),
        "explain, from a measurement, why gunicorn's sync workers": ("07.4",),
        "say what should send a site's static files": ("07.4",),
        "take secrets and per-site settings from environment variables": ("07.5",),
    },
    "08": {
        'explain why a map of "which framework for which project" is a starting point': ("08.1",),
        "compare Django's admin with Flask-Admin": ("08.1",),
        "measure a Flask and a FastAPI microservice": ("08.2",),
        "hold 50 WebSocket clients": ("08.2",),
        "compare the OpenAPI schema and validation": ("08.4",),
        "show that a fan-out overlaps its waits": ("08.3",),
    },
    "09": {
        "read a fit table": ("09.3",),
        "use the decision helper on a project": ("09.1",),
        "say how far a weight must move": ("09.2",),
    },
}


def objectives_of(name: str) -> list[str]:
    """Return the objectives listed under the opening of notebook `name`, one per bullet."""
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    for cell in nb.cells:
        lines = cell.source.splitlines()
        if cell.cell_type == "markdown" and lines and lines[0].strip() in OPENINGS:
            return [re.sub(r"^- ", "", line).strip() for line in lines[1:] if line.startswith("- ")]
    raise AssertionError(f"{name}: no cell opens with one of {OPENINGS}")


def mapped(name: str) -> dict[str, tuple[str, ...]]:
    """Return each objective of `name` with the exercises listed for it; fail on one listed by no key or by two."""
    table = OBJECTIVES[name[:2]]
    result = {}
    for objective in objectives_of(name):
        keys = [k for k in table if objective.startswith(k)]
        assert len(keys) == 1, f"{name}: objective {objective!r} matches {keys or 'no key'} in OBJECTIVES"
        result[objective] = table[keys[0]]
    return result


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_objective_is_tested_by_an_exercise_of_its_notebook(name):
    ids = set(exercise_ids(name[:2]))
    for objective, exercises in mapped(name).items():
        assert exercises, f"{name}: no exercise tests {objective!r}"
        assert set(exercises) <= ids, f"{name}: {objective!r} lists {sorted(set(exercises) - ids)}, not exercises of it"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_exercise_tests_an_objective_and_no_key_is_stale(name):
    table = mapped(name)
    assert len(table) == len(OBJECTIVES[name[:2]]), f"{name}: a key in OBJECTIVES matches no objective"
    tested = {ex for exercises in table.values() for ex in exercises}
    assert set(exercise_ids(name[:2])) <= tested, (
        f"{name}: {sorted(set(exercise_ids(name[:2])) - tested)} test no objective"
    )


def test_an_objective_with_no_exercise_is_caught(monkeypatch):
    table = dict(OBJECTIVES["04"])
    table["spot an N+1 loop"] = ()
    monkeypatch.setitem(OBJECTIVES, "04", table)
    with pytest.raises(AssertionError, match="no exercise tests 'spot an N"):
        test_every_objective_is_tested_by_an_exercise_of_its_notebook("04_data.ipynb")
