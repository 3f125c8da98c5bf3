"""The lag probe: a blocked loop wakes the heartbeat late; an awaiting one does not."""
from __future__ import annotations

import time

import pytest

from helpers.apps import concurrency_fastapi
from helpers.concurrency.lag_probe import LagProbe
from helpers.concurrency.load import run_load
from helpers.serving.servers import serve


def test_blocking_handler_delays_the_heartbeat_far_more_than_an_awaiting_one():
    probe = LagProbe(interval=0.01)
    with serve(probe.wrap(concurrency_fastapi.app), "test-lag", ready_path="/io?ms=0") as server:
        t0 = time.perf_counter()
        run_load(server.url, "/io?ms=100", 5)
        time.sleep(0.05)
        awaiting = probe.max_lag(t0)
        t1 = time.perf_counter()
        run_load(server.url, "/blocking?ms=100", 5)
        time.sleep(0.05)
        blocking = probe.max_lag(t1)
    assert len(probe.since(t0)) >= 5
    assert blocking >= 0.09
    assert blocking > 3 * max(awaiting, 0.01)


def test_since_is_relative_and_filters_older_samples():
    probe = LagProbe()
    probe.samples = [(10.0, 0.001), (11.0, 0.2)]
    assert probe.since(10.5) == [(0.5, 0.2)]
    assert probe.max_lag(10.5) == 0.2 and probe.max_lag(12) == 0.0


@pytest.mark.parametrize("interval", [0, -1, 5, "fast", True])
def test_bad_interval_is_refused(interval):
    with pytest.raises(ValueError, match="interval must be"):
        LagProbe(interval)
