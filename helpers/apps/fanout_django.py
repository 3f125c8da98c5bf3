"""Fan-out with a Django async view: the usual "Django can't do I/O concurrency" is wrong under ASGI."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from django.http import JsonResponse
from django.urls import path


def urlpatterns_for(backend_url: str, timeout: float = 5.0) -> list[Any]:
    """Return URL patterns whose async view calls `backend_url`/item/{i} for i in range(n), all at once."""
    # One client for the patterns' lifetime; the ASGI server runs every request on its one event loop.
    client = httpx.AsyncClient(base_url=backend_url, timeout=timeout, limits=httpx.Limits(max_connections=100))

    async def concurrent(request):
        n = int(request.GET.get("n", 5))
        if not 1 <= n <= 50:
            return JsonResponse({"error": "n must be from 1 to 50"}, status=400)
        start = time.perf_counter()
        responses = await asyncio.gather(*(client.get(f"/item/{i}") for i in range(n)))
        return JsonResponse({"items": [r.json() for r in responses], "seconds": time.perf_counter() - start})

    return [path("fanout/concurrent", concurrent)]
