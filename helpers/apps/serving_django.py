"""Django views for production servers: a JSON hello, a blocking and an awaited I/O wait, with their URL patterns."""

import asyncio
import time

from django.http import HttpRequest, JsonResponse
from django.urls import path


def hello(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"framework": "Django", "message": "Hello!"})


def io(request: HttpRequest) -> JsonResponse:
    # A sync view: under gunicorn it holds a worker; under uvicorn Django runs it in a thread.
    ms = min(float(request.GET.get("ms", 100)), 60_000)
    time.sleep(ms / 1000)
    return JsonResponse({"waited_ms": ms})


async def io_async(request: HttpRequest) -> JsonResponse:
    # An async view: under uvicorn (ASGI) it awaits on the event loop and holds no thread while it waits.
    # Under gunicorn (WSGI) Django would run it in a one-off event loop, holding the worker all the same.
    ms = min(float(request.GET.get("ms", 100)), 60_000)
    await asyncio.sleep(ms / 1000)
    return JsonResponse({"waited_ms": ms})


urlpatterns = [path("json", hello), path("io", io), path("io-async", io_async)]
