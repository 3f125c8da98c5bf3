"""Fixtures for the coursework tests: what a notebook's kernel holds before an exercise reads it."""

from __future__ import annotations

import builtins

import pytest


@pytest.fixture(autouse=True)
def notebook_06_kernel(monkeypatch):
    """Give worked solutions notebook 06's `runs`, as its load cell leaves it (06.2's reads it).

    A solution runs in a namespace of its own (solution_answer); the names it reads from the notebook's earlier
    cells are found here, in builtins, only while a coursework test runs.
    """
    from tests.test_db_load import fake_run, five, healthy

    flask = [*healthy("Flask")[:2], fake_run("Flask", 500, 740, 4.0, 2.0)]  # the lowest p99 at 500 concurrent
    monkeypatch.setattr(builtins, "runs", five(Flask=flask), raising=False)
