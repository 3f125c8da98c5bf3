"""Hello from Django: a view function and the URL pattern that routes to it."""

from django.http import HttpRequest, JsonResponse
from django.urls import path


def hello(request: HttpRequest) -> JsonResponse:
    """Answer with a small JSON document."""
    return JsonResponse({"framework": "Django", "message": "Hello!"})


urlpatterns = [path("", hello)]
