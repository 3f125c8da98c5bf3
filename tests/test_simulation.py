"""The simulation against closed forms, edge cases and bad parameters."""

from __future__ import annotations

import math
import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.concurrency import simulation
from helpers.concurrency.simulation import MODES, closed_form, simulate


@pytest.mark.parametrize("n", [1, 2, 7, 20, 50])
@pytest.mark.parametrize("io,cpu", [(0.1, 0.0), (0.1, 0.005), (0.0, 0.01), (0.05, 0.05)])
def test_one_worker_serialises_everything(n, io, cpu):
    assert simulate("wsgi", n, io, cpu).makespan == pytest.approx(n * (io + cpu))


@pytest.mark.parametrize("n", [1, 5, 20, 200])
@pytest.mark.parametrize("cpu", [0.0, 0.001, 0.005])
def test_async_pure_io_overlaps_waits(n, cpu):
    assert simulate("async", n, 0.1, cpu).makespan == pytest.approx(0.1 + n * cpu)


@pytest.mark.parametrize("n,k", [(1, 40), (40, 40), (41, 40), (60, 40), (100, 10), (7, 3)])
def test_threadpool_pure_io_runs_in_rounds_of_k(n, k):
    assert simulate("threadpool", n, 0.1, 0.0, pool=k).makespan == pytest.approx(math.ceil(n / k) * 0.1)


@pytest.mark.parametrize("n", [1, 3, 20])
def test_blocking_in_async_is_one_worker(n):
    blocked = simulate("blocking", n, 0.1, 0.004)
    assert blocked.makespan == pytest.approx(n * 0.104)
    assert blocked.makespan == pytest.approx(simulate("wsgi", n, 0.1, 0.004).makespan)


def test_threads_per_worker_overlap_waits_in_rounds():
    assert simulate("wsgi", 20, 0.1, 0.0, threads=4).makespan == pytest.approx(5 * 0.1)
    assert simulate("wsgi", 20, 0.1, 0.0, workers=2, threads=5).makespan == pytest.approx(2 * 0.1)


def test_cpu_never_overlaps_within_one_process_but_does_across_workers():
    one = simulate("wsgi", 10, 0.0, 0.01, threads=10)
    two = simulate("wsgi", 10, 0.0, 0.01, workers=2, threads=5)
    assert one.makespan == pytest.approx(0.1)
    assert two.makespan == pytest.approx(0.05)


@pytest.mark.parametrize("mode", MODES)
def test_closed_forms_agree_where_defined(mode):
    got = simulate(mode, 12, 0.1, 0.0, threads=1, pool=5).makespan
    assert got == pytest.approx(closed_form(mode, 12, 0.1, 0.0, threads=1, pool=5))


@pytest.mark.parametrize("mode", MODES)
def test_no_requests_gives_an_empty_result(mode):
    r = simulate(mode, 0, 0.1, 0.01)
    assert r.makespan == 0.0 and r.percentile(95) == 0.0 and r.requests == [] and r.segments == []


@pytest.mark.parametrize("mode", MODES)
def test_one_request_takes_io_plus_cpu_everywhere(mode):
    r = simulate(mode, 1, 0.1, 0.02)
    assert r.makespan == pytest.approx(0.12)
    assert r.percentile(50) == pytest.approx(0.12)


def test_enough_threads_match_the_event_loop_on_pure_io():
    assert simulate("wsgi", 30, 0.1, threads=30).makespan == pytest.approx(simulate("async", 30, 0.1).makespan)
    assert simulate("threadpool", 30, 0.1, pool=40).makespan == pytest.approx(0.1)


def test_overhead_adds_serialised_cpu():
    assert simulate("async", 10, 0.1, 0.0, overhead=0.002).makespan == pytest.approx(0.1 + 10 * 0.002)


def test_percentiles_use_nearest_rank():
    r = simulate("wsgi", 10, 0.1)
    assert r.percentile(50) == pytest.approx(0.5)
    assert r.percentile(95) == pytest.approx(1.0)
    assert r.percentile(0) == pytest.approx(0.1)


def test_arrivals_spread_out_reduce_queueing():
    spread = simulate("wsgi", 10, 0.1, interval=0.1)
    assert spread.percentile(95) == pytest.approx(0.1)
    assert spread.max_queued() == 0
    assert simulate("wsgi", 10, 0.1).max_queued() == 9


def test_segments_describe_what_each_row_did():
    r = simulate("wsgi", 3, 0.1, 0.01)
    kinds = {s.kind for s in r.segments}
    assert kinds == {"running", "waiting", "queued"}
    blocked = simulate("blocking", 3, 0.1, 0.01)
    assert "blocked" in {s.kind for s in blocked.segments}
    # A row never does two things at once in WSGI mode.
    busy = sorted((s.start, s.end) for s in r.segments if s.kind != "queued")
    assert all(a[1] <= b[0] + 1e-12 for a, b in zip(busy, busy[1:]))


@pytest.mark.parametrize(
    "kwargs,name",
    [
        ({"mode": "threads"}, "mode"),
        ({"n": -1}, "n"),
        ({"n": 1.5}, "n"),
        ({"n": True}, "n"),
        ({"n": 10**6}, "n"),
        ({"io": -0.1}, "io"),
        ({"cpu": float("nan")}, "cpu"),
        ({"cpu": "1"}, "cpu"),
        ({"io": math.inf}, "io"),
        ({"workers": 0}, "workers"),
        ({"threads": 0}, "threads"),
        ({"threads": True}, "threads"),
        ({"pool": 0}, "pool"),
        ({"interval": -1}, "interval"),
        ({"overhead": 100}, "overhead"),
        ({"workers": 100, "threads": 100}, "workers * threads"),
    ],
)
def test_bad_parameters_name_the_parameter_and_range(kwargs, name):
    with pytest.raises(ValueError, match="^" + re.escape(name) + " must be"):
        simulate(**kwargs)


@pytest.mark.parametrize("p", [101, -1, None, "50"])
def test_bad_percentile_is_refused(p):
    with pytest.raises(ValueError, match="p must be"):
        simulate("async", 3, 0.1).percentile(p)


# Property tests of the simulation. derandomize: the same examples on every run (CI must
# not be flaky); database=None: nothing written into the repository.
PROPS = settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
EPS = 1e-9

workloads = st.fixed_dictionaries(
    {
        "n": st.integers(0, 60),
        "io": st.floats(0, 0.5, allow_nan=False),
        "cpu": st.floats(0, 0.05, allow_nan=False),
        "overhead": st.floats(0, 0.005, allow_nan=False),
        "interval": st.sampled_from([0.0, 0.0, 0.001, 0.01, 0.05]),
    }
)
servers = st.one_of(
    st.fixed_dictionaries({"mode": st.just("wsgi"), "workers": st.integers(1, 4), "threads": st.integers(1, 8)}),
    st.fixed_dictionaries({"mode": st.just("threadpool"), "pool": st.integers(1, 50)}),
    st.fixed_dictionaries({"mode": st.sampled_from(["async", "blocking"])}),
)


@PROPS
@given(workloads, servers)
def test_no_request_finishes_before_it_starts_or_before_its_own_work(work, server):
    result = simulate(**work, **server)
    assert sorted(r.index for r in result.requests) == list(range(work["n"]))  # each request once
    own = work["io"] + work["cpu"] + work["overhead"]
    for r in result.requests:
        assert r.arrival - EPS <= r.start <= r.finish + EPS
        assert r.finish - r.arrival >= own - EPS  # nobody beats their own CPU + I/O
    for s in result.segments:
        assert s.start <= s.end + EPS


@PROPS
@given(workloads, servers)
def test_makespan_is_at_least_the_single_request_floor_and_the_serialised_cpu(work, server):
    result = simulate(**work, **server)
    if work["n"] == 0:
        assert result.makespan == 0
        return
    own = work["io"] + work["cpu"] + work["overhead"]
    assert result.makespan >= own - EPS
    # CPU never overlaps within one process (the GIL): W processes at best divide it by W.
    processes = server.get("workers", 1)
    assert result.makespan >= work["n"] * (work["cpu"] + work["overhead"]) / processes - EPS
    if server["mode"] == "blocking":  # the loop is held for the whole of each request
        assert result.makespan >= work["n"] * own - EPS
    ps = [result.percentile(p) for p in (0, 50, 95, 100)]
    assert ps == sorted(ps) and ps[-1] == pytest.approx(max(result.latencies))


pure_io = st.fixed_dictionaries(
    {
        "n": st.integers(1, 60),
        "io": st.floats(0.001, 0.5, allow_nan=False),
        "interval": st.sampled_from([0.0, 0.001, 0.01, 0.05]),
    }
)


@PROPS
@given(pure_io, st.integers(1, 4), st.integers(1, 8), st.integers(1, 50))
def test_more_workers_threads_or_pool_never_make_pure_io_slower(work, workers, threads, pool):
    base = simulate("wsgi", workers=workers, threads=threads, **work).makespan
    assert simulate("wsgi", workers=workers + 1, threads=threads, **work).makespan <= base + EPS
    assert simulate("wsgi", workers=workers, threads=threads + 1, **work).makespan <= base + EPS
    tp = simulate("threadpool", pool=pool, **work).makespan
    assert simulate("threadpool", pool=pool + 1, **work).makespan <= tp + EPS
    # And awaiting I/O is never slower than blocking the loop with it.
    assert simulate("async", **work).makespan <= simulate("blocking", **work).makespan + EPS


def test_the_properties_can_fail_on_a_broken_model(monkeypatch):
    """Break the model on purpose (finish = start, no I/O wait): the floor property catches it."""
    real = simulation.simulate

    def broken(*args, **kwargs):
        result = real(*args, **kwargs)
        result.requests = [simulation.RequestTimes(r.index, r.arrival, r.start, r.start) for r in result.requests]
        return result

    monkeypatch.setattr(sys.modules[__name__], "simulate", broken)
    with pytest.raises(AssertionError):
        test_no_request_finishes_before_it_starts_or_before_its_own_work()
