"""Load a chat server with many WebSocket clients: how many it holds, message latency, memory per client.

The same client script runs against every server, so the figures compare servers, not clients.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import psutil
from websockets.asyncio.client import ClientConnection, connect

from helpers.numbers import percentile, require_number


@dataclass(frozen=True)
class ChatFigures:
    """What one run of `chat_load` measured."""

    clients: int  # clients asked to connect
    held: int  # clients that joined and stayed connected to the end
    median_ms: float  # a message reaching every member, median over the rounds
    p95_ms: float
    kib_per_client: float  # growth of this process's resident memory per held client
    threads_per_client: float  # threads this process gained per held client

    def row(self, label: str) -> list[Any]:
        """Return the figures as a table row that starts with `label`."""
        return [
            label,
            f"{self.held} of {self.clients}",
            f"{self.median_ms:.1f} ms",
            f"{self.p95_ms:.1f} ms",
            f"{self.kib_per_client:.0f} KiB",
            f"{self.threads_per_client:.2f}",
        ]


COLUMNS = ["server", "clients held", "latency (median)", "latency (p95)", "memory per client", "threads per client"]


async def _reader(ws: ClientConnection, arrivals: dict[str, list[float]], wake: asyncio.Event) -> None:
    # Record when each chat message arrives; joins and leaves only need to be drained.
    try:
        async for raw in ws:
            event = json.loads(raw)
            if event.get("type") == "message":
                arrivals.setdefault(event["text"], []).append(time.perf_counter())
                wake.set()
    except Exception:  # the connection closed: the run counts who is still held at the end
        pass


async def chat_load(base_url: str, clients: int = 50, rounds: int = 20, timeout: float = 10.0) -> ChatFigures:
    """Connect `clients` to base_url's /ws/NAME, send `rounds` messages, and measure; always disconnects."""
    require_number("clients", clients, 1, 500, integer=True)
    require_number("rounds", rounds, 1, 200, integer=True)
    require_number("timeout", timeout, 0, 60, low_open=True, unit="seconds")
    ws_url = base_url.replace("http://", "ws://", 1).rstrip("/")
    me = psutil.Process()
    rss0, threads0 = me.memory_info().rss, threading.active_count()
    sockets: list[ClientConnection] = []
    readers: list[asyncio.Task] = []
    arrivals: dict[str, list[float]] = {}
    wake = asyncio.Event()
    latencies: list[float] = []
    try:
        for i in range(clients):
            ws = await asyncio.wait_for(connect(f"{ws_url}/ws/c{i}", open_timeout=timeout), timeout)
            first = json.loads(await asyncio.wait_for(ws.recv(), timeout))  # this client's own join
            if first.get("type") != "join":
                raise RuntimeError(f"client c{i} was refused: {first}")
            sockets.append(ws)
            readers.append(asyncio.create_task(_reader(ws, arrivals, wake)))
        await asyncio.sleep(0.2)  # let the last joins reach everyone before memory is read
        rss1, threads1 = me.memory_info().rss, threading.active_count()
        for r in range(rounds):
            text = f"round {r}"
            start = time.perf_counter()
            await sockets[r % len(sockets)].send(text)
            end = start + timeout
            while len(arrivals.get(text, [])) < len(sockets):
                wake.clear()
                await asyncio.wait_for(wake.wait(), max(0.001, end - time.perf_counter()))
            latencies.append(max(arrivals[text]) - start)
        held = sum(1 for ws in sockets if ws.state.name == "OPEN")
    finally:
        for ws in sockets:
            await ws.close()
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    return ChatFigures(
        clients=clients,
        held=held,
        median_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
        kib_per_client=max(0, rss1 - rss0) / 1024 / max(1, held),
        threads_per_client=(threads1 - threads0) / max(1, held),
    )
