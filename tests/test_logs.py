"""Server logs: kept out of cells, bounded, and a start failure still finds its own lines late in a session."""

from __future__ import annotations

import logging

import pytest

from helpers.serving import logs


@pytest.fixture
def captured():
    logs.capture_server_logs()
    logs.clear_server_logs()
    yield
    logs.clear_server_logs()


def test_lines_since_a_mark_survive_a_full_ring(captured):
    """Late in a long session the ring is full: a mark taken then must still see the new lines."""
    for i in range(logs.MAX_LINES + 5):
        logs.stream.write(f"old line {i}\n")
    mark = logs.mark()
    logging.getLogger("uvicorn.error").error("boom: address already in use")
    assert logs.logs_since(mark) == ["uvicorn.error ERROR: boom: address already in use"]


def test_lines_older_than_the_ring_are_dropped_not_repeated(captured):
    mark = logs.mark()
    for i in range(logs.MAX_LINES + 10):
        logs.stream.write(f"line {i}\n")
    since = logs.logs_since(mark)
    assert len(since) == logs.MAX_LINES and since[-1] == f"line {logs.MAX_LINES + 9}"
    assert logs.server_logs(2).splitlines() == [f"line {logs.MAX_LINES + 8}", f"line {logs.MAX_LINES + 9}"]


@pytest.mark.parametrize("last", [-1, True, 2.5, "3"])
def test_server_logs_refuses_a_bad_count(last):
    with pytest.raises(ValueError, match="last must be an int"):
        logs.server_logs(last)
