"""Fixtures of the coursework tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def a_quiet_burst(request, monkeypatch):
    """Give 08.2's check the tie a quiet machine measures for Case 2's burst, in every coursework test of 08.2.

    These tests judge checks and feedback, not the machine: on a core shared with other tests the burst can miss the tie,
    and the feedback would then be about a busy machine. tests/test_slow_dependency.py asserts the tie itself, run
    alone, and tests/coursework/test_nb08.py how the check decides it.
    """
    if "08.2" in request.node.name:
        from helpers.coursework.exercises import nb08

        quiet = {"Flask": 7.0, "FastAPI": 5.0}
        figures = "Flask 700 ms (695-701 ms), 7.0 waits; FastAPI 504 ms (478-740 ms), 5.0 waits"
        monkeypatch.setattr(nb08, "burst_facts", lambda: {"waits": quiet, "winner": "tie", "figures": figures})
