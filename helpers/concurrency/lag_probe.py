"""Measure event-loop lag: a heartbeat coroutine in the server's loop that notes how late it wakes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from helpers.numbers import require_number


class LagProbe:
    """Wrap an ASGI app so its event loop runs a heartbeat every `interval` seconds."""

    def __init__(self, interval: float = 0.01) -> None:
        require_number("interval", interval, 0.001, 1, unit="seconds")
        self.interval = float(interval)
        self.samples: list[tuple[float, float]] = []  # (time.perf_counter(), lag in seconds)
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _beat(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            now = time.perf_counter()
            # Lag: how much later than asked the loop came back to us. A blocked loop can't.
            self.samples.append((now, max(0.0, now - before - self.interval)))

    def _ensure_running(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop = loop
            self._task = loop.create_task(self._beat())

    def wrap(self, app: Callable) -> Callable:
        """Return an ASGI app that starts the heartbeat in whichever loop serves it."""

        async def probed(scope: dict, receive: Callable, send: Callable) -> Any:
            self._ensure_running()
            return await app(scope, receive, send)

        return probed

    def since(self, t0: float) -> list[tuple[float, float]]:
        """Return (seconds after t0, lag in seconds) for the heartbeats after `t0`."""
        return [(t - t0, lag) for t, lag in list(self.samples) if t >= t0]

    def max_lag(self, t0: float) -> float:
        """Return the largest lag in seconds seen after `t0` (0 if none)."""
        return max((lag for _, lag in self.since(t0)), default=0.0)
