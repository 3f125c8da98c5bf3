"""Notebook 06's exercise 06.2: its truth is read from the load's configuration (db_load) and from AnyIO, and the
notebook's load cell runs exactly that configuration, so the prediction is judged against what the table will show.

Wrong answers and their feedback are in the catalogue, test_wrong_answers.py.
"""

from __future__ import annotations

import dataclasses

import nbformat

from helpers.concurrency import db_load
from helpers.coursework.checks import solution_answer
from helpers.coursework.exercises import nb06
from helpers.runner.course import NOTEBOOK_DIR


def _source() -> str:
    nb = nbformat.read(NOTEBOOK_DIR / "06_database.ipynb", as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def test_the_config_is_read_from_the_code_that_sets_up_the_load():
    config = nb06.load_config()
    assert (config.pool, config.pool_timeout, config.wait_ms, config.level) == (10, 5.0, 50.0, 500)
    assert config.gthreads == 10 and config.anyio_threads == 40  # AnyIO's default limiter, FastAPI's def threads
    assert config.setups == tuple(s.short for s in db_load.shop_setups()) == tuple(nb06.WAITS_IN)
    assert config.queue_s == 2.5


def test_the_notebook_loads_the_configuration_the_check_reads():
    config = nb06.load_config()
    source = _source()
    assert f"setups = db_load.shop_setups(threads={config.gthreads})" in source
    assert f"POOL, WAIT_MS = {config.pool}, {config.wait_ms:g}" in source
    assert f"levels=(10, 100, {config.level})" in source
    assert f"pool_size=POOL, pool_timeout={config.pool_timeout:g})" in source


def test_the_model_follows_the_mechanisms():
    config = nb06.load_config()
    assert nb06.predicted_failures(config) == {"FastAPI def"}
    # Below AnyIO's 40 threads, FastAPI def's waiting requests leave a thread free for a cleanup.
    assert nb06.predicted_failures(dataclasses.replace(config, level=30)) == set()
    # A queue longer than pool_timeout fails every set-up that waits for the pool inside the app.
    long_queue = dataclasses.replace(config, level=2000)
    assert nb06.predicted_failures(long_queue) == {"Django async", "FastAPI async def", "FastAPI def"}
    threads = {name: nb06.predicted_threads(name, config) for name in config.setups}
    assert max(threads, key=threads.get) == "Django async" and threads["Django async"] == 500


def test_the_solution_is_right_and_needs_no_kernel():
    assert nb06.predict_load_table(solution_answer("06.2")) is None
