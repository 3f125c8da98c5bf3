"""The lag probe: a blocked loop wakes the heartbeat late; an awaiting one does not."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator

import pytest

from helpers.apps import concurrency_fastapi
from helpers.concurrency.lag_probe import LagProbe
from helpers.concurrency.load import run_load
from helpers.serving.servers import serve

REQUESTS = 5
HANDLER_S = 0.1  # how long each handler awaits, or blocks


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Keep the cyclic garbage collector from running inside the block."""
    # A full collection holds every thread of the process while it walks the heap: 0.2 s once the suite
    # is collected, 0.6 s beside two busy processes. The heartbeat is late by all of it whatever the
    # handlers do, so one landing in the awaiting phase made it look like a blocking one.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def after_next_beat(probe: LagProbe, timeout: float = 5.0) -> float:
    """Wait until the heartbeat beats once more, then return the time: every stall before now is recorded."""
    now = time.perf_counter()
    while not probe.since(now) and time.perf_counter() < now + timeout:
        time.sleep(0.005)
    return time.perf_counter()


def stalled(probe: LagProbe, start: float, end: float) -> float:
    """Return the seconds the heartbeat was late in total, over its beats from `start` to `end`."""
    return sum(lag for t, lag in probe.since(start) if start + t < end)


def test_blocking_handler_delays_the_heartbeat_far_more_than_an_awaiting_one():
    probe = LagProbe(interval=0.01)
    ms = round(HANDLER_S * 1000)
    with serve(probe.wrap(concurrency_fastapi.app), "test-lag", ready_path="/io?ms=0") as server, collector_paused():
        t0 = time.perf_counter()
        run_load(server.url, f"/io?ms={ms}", REQUESTS)
        t1 = after_next_beat(probe)
        run_load(server.url, f"/blocking?ms={ms}", REQUESTS)
        t2 = after_next_beat(probe)
    awaiting, blocking = stalled(probe, t0, t1), stalled(probe, t1, t2)
    assert len(probe.since(t0)) >= 5
    # A loop asleep in time.sleep can't beat, so each blocking call stalls the heartbeat for its whole
    # length, less at most one interval; a busy machine only adds. A probe that misses the block fails here.
    assert blocking >= REQUESTS * (HANDLER_S - probe.interval), blocking
    # What the machine and this process add is in both phases; the handlers' own share is ~0 s awaiting
    # and 0.5 s blocking. In 40 runs the awaiting phase stalled 0.01 s at most beside two busy processes,
    # 0.06 s beside three: the 3x ratio breaks only past 0.15 s.
    assert blocking > 3 * awaiting, (blocking, awaiting)


def test_since_is_relative_and_filters_older_samples():
    probe = LagProbe()
    probe.samples = [(10.0, 0.001), (11.0, 0.2)]
    assert probe.since(10.5) == [(0.5, 0.2)]
    assert probe.max_lag(10.5) == 0.2 and probe.max_lag(12) == 0.0


@pytest.mark.parametrize("interval", [0, -1, 5, "fast", True])
def test_bad_interval_is_refused(interval):
    with pytest.raises(ValueError, match="interval must be"):
        LagProbe(interval)
