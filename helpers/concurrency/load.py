"""Fire N concurrent HTTP requests and record when each started and ended."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from helpers.numbers import percentile, require_number

MAX_REQUESTS = 1000


@dataclass
class LoadResult:
    """Each request's (start, end) in seconds after t0, and its HTTP status."""

    t0: float  # time.perf_counter() when the load started
    times: list[tuple[float, float]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    @property
    def makespan(self) -> float:
        """Return seconds from the start of the load to the last response (0 without requests)."""
        return max((end for _, end in self.times), default=0.0)

    def percentile(self, p: float) -> float:
        """Return the p-th percentile latency in seconds (nearest rank; 0 without requests)."""
        return percentile((end for _, end in self.times), p)  # every request is sent at t0: latency = end

    @property
    def ok(self) -> bool:
        """Tell whether every request answered 200."""
        return bool(self.statuses) and all(s == 200 for s in self.statuses)


def _validate(n: Any, timeout: Any) -> None:
    require_number("n", n, 1, MAX_REQUESTS, integer=True)
    require_number("timeout", timeout, 0, 600, low_open=True, unit="seconds")


async def fire(
    base_url: str,
    path: str = "/",
    n: int = 20,
    *,
    timeout: float = 60.0,
    on_done: Callable[[int], None] | None = None,
) -> LoadResult:
    """Send `n` GET requests to `base_url + path` at once and time each of them."""
    _validate(n, timeout)
    # One connection per request: fewer would queue requests in the client, not the server.
    # A generous timeout: serialised servers take n x the handler time, longer than httpx's 5 s.
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(timeout), limits=limits) as client:
        result = LoadResult(t0=time.perf_counter())
        done = 0

        async def one() -> tuple[float, float, int]:
            nonlocal done
            start = time.perf_counter() - result.t0
            response = await client.get(path)
            end = time.perf_counter() - result.t0
            done += 1
            if on_done is not None:
                on_done(done)
            return start, end, response.status_code

        for start, end, status in await asyncio.gather(*(one() for _ in range(n))):
            result.times.append((start, end))
            result.statuses.append(status)
    return result


def fire_threads(
    make_client: Callable[..., httpx.Client], path: str = "/", n: int = 20, *, timeout: float = 60.0
) -> LoadResult:
    """Send `n` GET requests to `path` at once, from `n` threads with a client each from `make_client`; time each.

    For servers an asyncio client can't reach: a grader's judge calls a learner's app through a Unix socket whose
    peer it checks (helpers/coursework/served.py). A request that fails records status 0.
    """
    _validate(n, timeout)
    clients = [make_client(timeout=timeout) for _ in range(n)]
    start_together = threading.Barrier(n + 1)
    result = LoadResult(t0=time.perf_counter())
    rows: list[tuple[float, float, int]] = [(0.0, 0.0, 0)] * n

    def one(k: int) -> None:
        try:
            start_together.wait(timeout)
        except threading.BrokenBarrierError:
            return
        start = time.perf_counter() - result.t0
        try:
            with clients[k].stream("GET", path) as response:
                for _ in response.iter_raw():  # read to the end, keeping none of it: only the time counts
                    pass
                status = response.status_code
        except httpx.HTTPError:
            status = 0
        rows[k] = (start, time.perf_counter() - result.t0, status)

    threads = [threading.Thread(target=one, args=(k,), daemon=True, name=f"helpers-load-{k}") for k in range(n)]
    try:
        for thread in threads:
            thread.start()
        result.t0 = time.perf_counter()
        start_together.wait(timeout)
        for thread in threads:
            thread.join(timeout + CANCEL_GRACE)
    finally:
        start_together.abort()  # a thread still waiting (a start that failed) ends now
        for client in clients:
            client.close()
    result.times = [(start, end) for start, end, _ in rows]
    result.statuses = [status for _, _, status in rows]
    return result


CANCEL_GRACE = 5.0  # seconds an interrupted load gets to close its connections


def run_in_thread(coro_fn: Callable[[], Any], timeout: float = 120.0) -> Any:
    """Run `coro_fn()` with asyncio.run in a fresh thread and return its result.

    A notebook cell already runs inside an event loop, where asyncio.run() refuses to
    start a second one; a thread has no loop, so it can. A kernel interrupt (or the
    timeout) cancels the coroutine in that loop, so no load goes on in the background.
    """
    box: dict[str, Any] = {}
    lock = threading.Lock()
    # Wait on an Event, not on Thread.join: in Python 3.11 a join interrupted by Ctrl-C
    # can mark the still-running thread as stopped (bpo-45274's fix), and later joins return at once.
    done = threading.Event()

    async def main() -> Any:
        with lock:
            if box.get("cancelled"):  # interrupted before the loop even started
                raise asyncio.CancelledError
            box["loop"], box["task"] = asyncio.get_running_loop(), asyncio.current_task()
        return await coro_fn()

    def target() -> None:
        try:
            box["value"] = asyncio.run(main())
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc
        finally:
            done.set()

    def cancel() -> None:
        with lock:
            box["cancelled"] = True
            if "task" in box:
                try:
                    box["loop"].call_soon_threadsafe(box["task"].cancel)
                except RuntimeError:  # the loop has already closed: nothing left to cancel
                    pass
        if done.wait(CANCEL_GRACE) and thread.ident is not None:
            thread.join(1.0)  # done is set last thing: the thread is about to end

    thread = threading.Thread(target=target, name="helpers-load", daemon=True)
    try:
        thread.start()  # inside the try: an interrupt can land while start() waits for the thread
        finished = done.wait(timeout)
    except BaseException:  # KeyboardInterrupt from the kernel's interrupt button
        cancel()
        raise
    if not finished:
        cancel()
        raise TimeoutError(f"the load did not finish within {timeout} s, so it was cancelled")
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def run_load(
    base_url: str,
    path: str = "/",
    n: int = 20,
    *,
    timeout: float = 60.0,
    progress: bool = False,
) -> LoadResult:
    """Fire the load from ordinary (non-async) code, optionally with a progress bar."""
    _validate(n, timeout)
    on_done = None
    if progress:
        import ipywidgets as widgets
        from IPython.display import display

        bar = widgets.IntProgress(value=0, min=0, max=n, description="requests")
        display(bar)

        def on_done(k: int) -> None:
            bar.value = k

    return run_in_thread(lambda: fire(base_url, path, n, timeout=timeout, on_done=on_done), timeout=timeout + 10)
