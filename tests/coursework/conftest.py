"""Fixtures for the coursework tests: what a notebook's kernel would have measured before an exercise reads it."""

from __future__ import annotations

import pytest

from helpers.concurrency import db_load


@pytest.fixture(autouse=True)
def measured_load_table(monkeypatch):
    """Give db_load.last_rows() the rows of a load like notebook 06's, as if its load cell had run (06.2 reads them)."""
    from tests.test_db_load import fake_run, five, healthy

    flask = [*healthy("Flask")[:2], fake_run("Flask", 500, 740, 4.0, 2.3)]  # the lowest p99 at 500 concurrent
    monkeypatch.setattr(db_load, "_last_rows", db_load.rows(five(Flask=flask)))
