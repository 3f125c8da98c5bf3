"""Load a chat server with many WebSocket clients (how many it holds, message latency, memory per client),
and show where an in-memory room ends when the server runs more than one worker process.

The same client script runs against every server, so the figures compare servers, not clients.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

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
    kib_per_client: float  # growth of the server's resident memory per held client
    threads_per_client: float  # threads the server gained per held client

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


class ServerTree(Protocol):
    """A server in processes of its own (helpers.serving.processes.ServerProcess): what chat_load reads of it."""

    def rss(self) -> int: ...

    def thread_count(self) -> int: ...


def _usage(server: ServerTree | None) -> tuple[int, int]:
    """Return the server's resident bytes and threads: its process tree, or this process for an in-kernel server."""
    if server is None:
        return psutil.Process().memory_info().rss, threading.active_count()
    return server.rss(), server.thread_count()


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


async def chat_load(
    base_url: str, clients: int = 50, rounds: int = 20, timeout: float = 10.0, server: ServerTree | None = None
) -> ChatFigures:
    """Connect `clients` to base_url's /ws/NAME, send `rounds` messages, and measure; always disconnects.

    Memory and threads are read from `server`'s process tree when it runs in processes of its own, else from
    this process (an in-kernel server: the clients' own share is the same for every server).
    """
    require_number("clients", clients, 1, 500, integer=True)
    require_number("rounds", rounds, 1, 200, integer=True)
    require_number("timeout", timeout, 0, 60, low_open=True, unit="seconds")
    ws_url = base_url.replace("http://", "ws://", 1).rstrip("/")
    # One client joins and leaves first: what a server loads on its first WebSocket is not a per-client cost.
    async with connect(f"{ws_url}/ws/warmup", open_timeout=timeout) as ws:
        await asyncio.wait_for(ws.recv(), timeout)
    await asyncio.sleep(0.1)  # let the server see the leave
    rss0, threads0 = _usage(server)
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
        rss1, threads1 = _usage(server)
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


# -- one room, two worker processes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One client of the two-worker demo: where it landed and what it saw."""

    name: str
    worker: int  # 1 or 2: the order in which the demo met the worker processes
    join_seq: int  # the number its own join got: each room numbers its own events
    got_message: bool  # did the first member's message reach it?


@dataclass(frozen=True)
class RoomSplit:
    """What `split_room` saw: which worker each client reached, and whom one message reached."""

    members: tuple[Member, ...]
    text: str  # the message the first member sent
    note: str = ""  # why the demo stopped short (every client reached one worker; a timeout)

    @property
    def workers(self) -> int:
        """Return how many worker processes the clients reached."""
        return len({m.worker for m in self.members})

    def rows(self) -> list[list[Any]]:
        """Return one table row per member: name, worker, the number of its join, whether the message reached it."""
        return [[m.name, f"worker {m.worker}", m.join_seq, "yes" if m.got_message else "no"] for m in self.members]

    def summary(self) -> str:
        """Return where each member landed and whether the message reached it, in a few words."""
        return ", ".join(
            f"{m.name} (worker {m.worker}, join {m.join_seq}) {'got it' if m.got_message else 'did not'}"
            for m in self.members
        )

    @property
    def stays_on_its_worker(self) -> bool:
        """Tell whether the message reached every member on the sender's worker and none on the other."""
        complete = not self.note and self.workers == 2
        return complete and all(m.got_message == (m.worker == 1) for m in self.members)


SPLIT_COLUMNS = ["client", "reached", "its join's number", "got the message"]


async def _next_event(ws: ClientConnection, timeout: float) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def _texts_until(ws: ClientConnection, text: str, timeout: float) -> list[str]:
    """Read events until the message `text` arrives; return the texts of every message read on the way."""
    seen: list[str] = []
    end = time.monotonic() + timeout
    while text not in seen:
        event = await _next_event(ws, max(0.001, end - time.monotonic()))
        if event.get("type") == "message":
            seen.append(event["text"])
    return seen


async def split_room(base_url: str, max_clients: int = 20, timeout: float = 5.0) -> RoomSplit:
    """Connect clients to a multi-worker chat (helpers.apps.chat_workers) until two workers hold some; one speaks.

    The first member (on worker 1) sends a message and every member on worker 1 waits for it. Then the first
    member on worker 2 sends one of its own, and every member there reads up to it: had the room been shared,
    the first message would have reached them first. Never raises on a timeout: `note` says what happened.
    """
    require_number("max_clients", max_clients, 2, 200, integer=True)
    require_number("timeout", timeout, 0, 60, low_open=True, unit="seconds")
    ws_url = base_url.replace("http://", "ws://", 1).rstrip("/")
    sockets: list[ClientConnection] = []
    landed: list[tuple[str, int, int]] = []  # name, worker pid, join seq
    text = "hello from the first worker"
    note = ""
    got: dict[str, bool] = {}
    try:
        for i in range(max_clients):
            name = f"w{i}"
            ws = await asyncio.wait_for(connect(f"{ws_url}/ws/{name}", open_timeout=timeout), timeout)
            sockets.append(ws)
            hello = await _next_event(ws, timeout)
            if hello.get("type") != "worker":
                raise ValueError(f"{base_url} does not name its worker (serve helpers.apps.chat_workers:app): {hello}")
            landed.append((name, hello["pid"], (await _next_event(ws, timeout))["seq"]))
            if len({pid for _, pid, _ in landed}) == 2:
                break
        pids = list(dict.fromkeys(pid for _, pid, _ in landed))  # in the order the clients met them
        if len(pids) < 2:
            note = f"all {len(landed)} clients reached the same worker: re-run to try again"
        else:
            first = {pid: next(i for i, (_, p, _) in enumerate(landed) if p == pid) for pid in pids}
            await sockets[first[pids[0]]].send(text)
            for (name, pid, _), ws in zip(landed, sockets):
                if pid == pids[0]:
                    got[name] = text in await _texts_until(ws, text, timeout)
            marker = "hello from the second worker"
            await sockets[first[pids[1]]].send(marker)
            for (name, pid, _), ws in zip(landed, sockets):
                if pid == pids[1]:
                    got[name] = text in await _texts_until(ws, marker, timeout)
    except TimeoutError:
        note = f"a client waited more than {timeout:g} s for an event (a busy machine?): re-run to try again"
    finally:
        for ws in sockets:
            await ws.close()
    worker_of = {pid: n for n, pid in enumerate(dict.fromkeys(pid for _, pid, _ in landed), start=1)}
    members = tuple(Member(name, worker_of[pid], seq, got.get(name, False)) for name, pid, seq in landed)
    return RoomSplit(members, text, note)
