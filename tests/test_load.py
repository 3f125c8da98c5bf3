"""The load helper: concurrency, timing, limits and refusals, against real in-kernel servers."""

from __future__ import annotations

import asyncio
import signal
import threading
import time

import pytest

from helpers.apps import concurrency_fastapi, concurrency_flask
from helpers.concurrency.load import LoadResult, fire, fire_threads, run_in_thread, run_load
from helpers.serving.servers import serve


@pytest.fixture(scope="module")
def loop_server():
    with serve(concurrency_fastapi.app, "test-load-fastapi", ready_path="/io?ms=0") as server:
        yield server


def test_requests_are_sent_at_once_and_timed(loop_server):
    # All sent before any came back, and 20 overlapping 100 ms waits in far less than 20 x 100 ms: on the best
    # of three tries, since a core shared with other tests can stall the client's loop for a moment.
    for _ in range(3):
        result = run_load(loop_server.url, "/io?ms=100", 20)
        assert result.ok and len(result.times) == 20
        assert all(end >= 0.1 for _, end in result.times)
        at_once = all(0 <= start < 0.09 for start, _ in result.times)
        if at_once and result.makespan < 1.0:
            break
    assert at_once and result.makespan < 1.0, result.times


def test_connection_limit_does_not_serialise_the_load(loop_server):
    # A limit of k < 30 connections would answer in waves k at a time, 200 ms apart: the last answer
    # at least one wait after the first. A busy core can delay every answer, but not split them into
    # waves, so the spread of the answer times is the claim; the best of three tries, for a starved loop.
    spreads = []
    for _ in range(3):
        ends = [end for _, end in run_load(loop_server.url, "/io?ms=200", 30).times]
        spreads.append(max(ends) - min(ends))
        if spreads[-1] < 0.2:
            break
    assert min(spreads) < 0.2, spreads


def test_threads_send_at_once_on_clients_of_their_own(loop_server):
    # fire_threads: the load a judge sends through a client it made itself. Twenty overlapping 100 ms waits end
    # together, far sooner than twenty in a row; the best of three tries, as above.
    for _ in range(3):
        result = fire_threads(loop_server.client, "/io?ms=100", 20, timeout=10)
        assert result.ok and len(result.times) == 20
        assert all(end >= 0.1 for _, end in result.times)
        if result.makespan < 1.0:
            break
    assert result.makespan < 1.0, result.times
    # One request at a time (a blocking wait) takes the twenty waits in a row: the same load tells them apart.
    with serve(concurrency_flask.create_app(), "test-load-threads-single", threaded=False, ready_path="/io?ms=0") as s:
        assert fire_threads(s.client, "/io?ms=50", 10, timeout=10).makespan >= 10 * 0.05


def test_a_thread_whose_request_fails_records_status_0():
    result = fire_threads(
        lambda timeout: __import__("httpx").Client(base_url="http://127.0.0.1:9", timeout=timeout), "/", 3, timeout=5
    )
    assert result.statuses == [0, 0, 0] and not result.ok


def test_a_serialised_server_beyond_httpx_default_timeout_still_completes():
    with serve(concurrency_flask.create_app(), "test-load-single", threaded=False, ready_path="/io?ms=0") as s:
        result = run_load(s.url, "/io?ms=100", 6, timeout=30)
    assert result.ok and result.makespan >= 0.6


def test_fire_can_be_awaited_in_a_running_loop(loop_server):
    async def main() -> LoadResult:
        return await fire(loop_server.url, "/io?ms=10", 3)

    result = asyncio.run(main())
    assert result.ok and len(result.statuses) == 3


def test_failed_statuses_are_recorded(loop_server):
    result = run_load(loop_server.url, "/nowhere", 2)
    assert result.statuses == [404, 404] and not result.ok


def test_percentiles_and_makespan_of_a_result():
    r = LoadResult(t0=0.0, times=[(0, 0.1), (0, 0.3), (0, 0.2), (0, 0.4)])
    assert r.makespan == 0.4 and r.percentile(50) == 0.2 and r.percentile(100) == 0.4
    assert LoadResult(t0=0.0).makespan == 0.0 and not LoadResult(t0=0.0).ok
    with pytest.raises(ValueError, match="p must be"):
        r.percentile(-1)


@pytest.mark.parametrize(
    "kwargs,name",
    [
        ({"n": 0}, "n"),
        ({"n": 5000}, "n"),
        ({"n": True}, "n"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": 1000}, "timeout"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name} must be"):
        run_load("http://127.0.0.1:9", "/", **{"n": 1, **kwargs})


def test_run_in_thread_returns_and_reraises():
    async def ok() -> int:
        return 42

    async def bad() -> None:
        raise KeyError("boom")

    assert run_in_thread(ok) == 42
    with pytest.raises(KeyError):
        run_in_thread(bad)


def _slow_load(started: threading.Event, cancelled: threading.Event):
    async def slow() -> None:
        started.set()
        try:
            await asyncio.sleep(600)  # far longer than any wait below: "went on" can't pass for "cancelled"
        except asyncio.CancelledError:
            cancelled.set()
            raise

    return slow


def _load_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "helpers-load"]


def test_an_interrupt_cancels_the_load_and_ends_its_thread():
    """Ctrl-C (the kernel's interrupt) in the waiting thread cancels the coroutine in the load's loop."""
    started, cancelled = threading.Event(), threading.Event()
    main = threading.main_thread().ident

    def interrupt() -> None:
        if started.wait(10):
            signal.pthread_kill(main, signal.SIGINT)

    threading.Thread(target=interrupt, name="test-interrupter", daemon=True).start()
    # Python's own Ctrl-C handler, whatever started this process: a shell starts background jobs with
    # SIGINT ignored, and an ignored interrupt would say nothing about the load's cancellation.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_in_thread(_slow_load(started, cancelled), timeout=60)
    finally:
        signal.signal(signal.SIGINT, previous)
    # The property: no load goes on after the interrupt. Two CI runs saw KeyboardInterrupt and no
    # cancellation within 10 s; no local run did (alone, after the suite's earlier files, or beside six
    # CPU spinners). An interrupt that lands before the coroutine starts means it never starts, which is
    # right too; the message says which case happened. Without the cancellation the coroutine starts and
    # sleeps 600 s, so this still fails.
    assert not started.is_set() or cancelled.wait(30), (
        f"the coroutine went on after the interrupt (started={started.is_set()}, "
        f"load threads={_load_threads()}, SIGINT handler={signal.getsignal(signal.SIGINT)!r})"
    )
    end = time.monotonic() + 10
    while _load_threads() and time.monotonic() < end:
        time.sleep(0.05)
    assert _load_threads() == []


def test_a_timeout_cancels_the_load_too():
    started, cancelled = threading.Event(), threading.Event()
    with pytest.raises(TimeoutError, match="cancelled"):
        run_in_thread(_slow_load(started, cancelled), timeout=0.2)
    assert started.is_set() and cancelled.is_set()
    assert _load_threads() == []
