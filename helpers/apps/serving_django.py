"""Django views for production servers: a JSON hello and a blocking I/O wait, with their URL patterns."""

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


urlpatterns = [path("json", hello), path("io", io)]
