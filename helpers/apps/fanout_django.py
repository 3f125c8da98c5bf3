"""Fan-out with Django: a plain view calls in turn, an async view all at once (the usual "Django can't" is wrong)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from django.http import JsonResponse
from django.urls import path


def urlpatterns_for(backend_url: str, timeout: float = 5.0) -> list[Any]:
    """Return URL patterns that call `backend_url`/item/{i} for i in range(n): in turn (sync) or all at once (async)."""
    # One client of each kind for the patterns' lifetime; the ASGI server runs every async request on its one loop.
    client = httpx.AsyncClient(base_url=backend_url, timeout=timeout, limits=httpx.Limits(max_connections=100))
    sync_client = httpx.Client(base_url=backend_url, timeout=timeout)

    def sequential(request):
        # A plain def view: under ASGI, Django runs it in a thread, and each call waits for the one before.
        n = int(request.GET.get("n", 5))
        if not 1 <= n <= 50:
            return JsonResponse({"error": "n must be from 1 to 50"}, status=400)
        start = time.perf_counter()
        items = [sync_client.get(f"/item/{i}").json() for i in range(n)]
        return JsonResponse({"items": items, "seconds": time.perf_counter() - start})

    async def concurrent(request):
        n = int(request.GET.get("n", 5))
        if not 1 <= n <= 50:
            return JsonResponse({"error": "n must be from 1 to 50"}, status=400)
        start = time.perf_counter()
        responses = await asyncio.gather(*(client.get(f"/item/{i}") for i in range(n)))
        return JsonResponse({"items": [r.json() for r in responses], "seconds": time.perf_counter() - start})

    return [path("fanout/sequential", sequential), path("fanout/concurrent", concurrent)]
