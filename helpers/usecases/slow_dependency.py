"""A slow dependency: many orders at once reach each orders service while the inventory takes its time to answer.

FastAPI's orders service awaits an `httpx.AsyncClient`, so its event loop overlaps the waits; Flask's calls a
blocking `httpx.Client`, so each wait holds the thread its threaded server gave the request. The same burst, sent
by the same client, measures both: how long all the orders took, in units of one dependency wait.

Each service runs in a process of its own, on its production server (gunicorn's threads, uvicorn): inside one
process, a single event loop thread would share the GIL with every other thread there, a handicap that the
frameworks don't have in production.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from helpers.numbers import require_number
from helpers.serving.processes import ServerProcess, start_gunicorn, start_uvicorn

ORDER = {"sku": "apple", "quantity": 1}  # in stock, so every order goes through the inventory and gets 201
# The servers close an idle kept-alive connection after a while: gunicorn after 2 s (its `keepalive` default),
# uvicorn after 5 s. A client that reuses a connection at that moment gets it closed under its request (httpx's
# ReadError); on a busy machine the gap between one service's bursts can reach 2 s. So the client drops idle
# connections first: a new one costs a little set-up, never an error.
CLIENT_KEEPALIVE_S = 1.0
COLUMNS = ["orders service", "all orders answered in (median)", "spread", "dependency waits", "answered 201"]


@dataclass(frozen=True)
class BurstFigures:
    """What the bursts against one orders service measured."""

    orders: int  # orders sent at once in each burst
    delay: float  # seconds the dependency takes to answer
    seconds: tuple[float, ...]  # each burst's time, first order sent to last answer received
    statuses: tuple[int, ...]  # every order's status code, all bursts

    @property
    def median(self) -> float:
        """Return the median burst time in seconds."""
        return statistics.median(self.seconds)

    @property
    def waits(self) -> float:
        """Return the median burst time in dependency waits: 1 when every wait overlapped, `orders` when none did."""
        return self.median / self.delay

    @property
    def ok(self) -> bool:
        """Tell whether every order was accepted (201)."""
        return all(s == 201 for s in self.statuses)

    def summary(self) -> str:
        """Return the figures in a few words: median, spread and dependency waits."""
        low, high = min(self.seconds) * 1000, max(self.seconds) * 1000
        return f"{self.median * 1000:.0f} ms ({low:.0f}-{high:.0f} ms), {self.waits:.1f} waits"

    def row(self, label: str) -> list[Any]:
        """Return the figures as a table row that starts with `label`."""
        return [
            label,
            f"{self.median * 1000:.0f} ms",
            f"{min(self.seconds) * 1000:.0f}-{max(self.seconds) * 1000:.0f} ms",
            f"{self.waits:.1f} of {self.orders}",
            f"{sum(s == 201 for s in self.statuses)} of {len(self.statuses)}",
        ]


def start_orders_services(inventory_url: str, threads: int = 100) -> dict[str, ServerProcess]:
    """Start both orders services as processes that call `inventory_url`: Flask on gunicorn's threads, FastAPI on uvicorn."""
    env = {"INVENTORY_URL": inventory_url}  # each service reads its dependency's URL from its environment
    flask = start_gunicorn(
        "helpers.apps.microservice_flask:create_app()",
        "orders-flask-gunicorn",
        threads=threads,
        env=env,
        ready_path="/orders",
    )
    try:
        fastapi = start_uvicorn(
            "helpers.apps.microservice_fastapi:create_app",
            "orders-fastapi-uvicorn",
            factory=True,
            env=env,
            ready_path="/orders",
        )
    except BaseException:
        flask.stop()
        raise
    return {"Flask": flask, "FastAPI": fastapi}


async def _burst(client: httpx.AsyncClient, orders: int) -> tuple[float, list[int]]:
    start = time.perf_counter()
    answers = await asyncio.gather(*(client.post("/orders", json=ORDER) for _ in range(orders)))
    return time.perf_counter() - start, [r.status_code for r in answers]


async def order_bursts(
    services: Mapping[str, str], orders: int = 50, delay: float = 0.1, repeats: int = 3, timeout: float = 10.0
) -> dict[str, BurstFigures]:
    """Send `orders` orders at once to each service (label: base URL), `repeats` times in turn; return the figures.

    `delay` is the dependency's answer time the services were built with; it only turns seconds into waits.
    Each service gets one client whose pool holds a connection per order, opened by a warm-up burst first,
    so the timed bursts measure the services, not connection set-up.
    """
    if not isinstance(services, Mapping) or not services:
        raise ValueError(f"services must map labels to base URLs, got {services!r}")
    require_number("orders", orders, 1, 100, integer=True)  # the services' own clients pool 100 connections
    require_number("delay", delay, 0, 5, low_open=True, unit="seconds")
    require_number("repeats", repeats, 1, 10, integer=True)
    require_number("timeout", timeout, 0, 60, low_open=True, unit="seconds")
    limits = httpx.Limits(max_connections=orders, max_keepalive_connections=orders, keepalive_expiry=CLIENT_KEEPALIVE_S)
    clients = {
        label: httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) for label, url in services.items()
    }
    seconds: dict[str, list[float]] = {label: [] for label in services}
    statuses: dict[str, list[int]] = {label: [] for label in services}
    try:
        for client in clients.values():
            await _burst(client, orders)  # warm-up: opens the connections
        for _ in range(repeats):
            for label, client in clients.items():  # in turn, so a busy moment hits every service alike
                took, codes = await _burst(client, orders)
                seconds[label].append(took)
                statuses[label].extend(codes)
    finally:
        for client in clients.values():
            await client.aclose()
    return {
        label: BurstFigures(orders, float(delay), tuple(seconds[label]), tuple(statuses[label])) for label in services
    }


def compare(figures: Mapping[str, BurstFigures], margin: float = 1.5) -> str | None:
    """Return the label of the clearly faster service (by `margin` on the median), or None for a tie."""
    require_number("margin", margin, 1, 10, low_open=True)
    if len(figures) != 2:
        raise ValueError(f"compare takes exactly two services, got {sorted(figures)}")
    (a, fa), (b, fb) = figures.items()
    if max(fa.median, fb.median) < margin * min(fa.median, fb.median):
        return None
    return a if fa.median < fb.median else b
