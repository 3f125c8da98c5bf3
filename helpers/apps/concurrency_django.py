"""Django views for the concurrency notebook: a sync view for WSGI, an async view for ASGI."""

import asyncio
import time

from django.http import HttpRequest, JsonResponse
from django.urls import path

MAX_MS = 5000  # a typo like ms=100000 should not hang a notebook cell for minutes


def wanted_ms(request: HttpRequest) -> int:
    """Read the `ms` query parameter, clamped to [0, MAX_MS]."""
    try:
        ms = int(request.GET.get("ms", 100))
    except ValueError:
        ms = 100
    return min(max(ms, 0), MAX_MS)


def io_sync(request: HttpRequest) -> JsonResponse:
    """Wait like a database call would: the worker thread is held for the whole wait."""
    ms = wanted_ms(request)
    time.sleep(ms / 1000)
    return JsonResponse({"framework": "Django", "waited_ms": ms})


async def io_async(request: HttpRequest) -> JsonResponse:
    """Await the wait: under ASGI the event loop serves other requests meanwhile."""
    ms = wanted_ms(request)
    await asyncio.sleep(ms / 1000)
    return JsonResponse({"framework": "Django", "awaited_ms": ms})


urlpatterns = [
    path("concurrency/io", io_sync),
    path("concurrency/async-io", io_async),
]


def install() -> None:
    """Add these views to the kernel's Django site (idempotent: re-running replaces them)."""
    from helpers.serving.django_kernel import set_urls, setup_django

    setup_django()
    set_urls("concurrency", urlpatterns)
