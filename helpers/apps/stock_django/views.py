"""The shop's endpoint twice: a sync view with the ORM, and an async view with the async ORM."""

from django.http import HttpRequest, JsonResponse
from django.shortcuts import aget_object_or_404, get_object_or_404

from helpers.apps.stock_django.models import Item, PgSleep
from helpers.apps.stock_schema import WAIT_MS_MAX, item_json


def _wait_ms(request: HttpRequest) -> float:
    return min(max(float(request.GET.get("wait_ms", 50)), 0.0), WAIT_MS_MAX)


def item(request: HttpRequest, item_id: int) -> JsonResponse:
    # Under gunicorn gthread, this thread (and its connection) waits while PostgreSQL works.
    wait_ms = _wait_ms(request)
    found = get_object_or_404(Item.objects.annotate(waited=PgSleep(wait_ms / 1000)), pk=item_id)
    return JsonResponse(item_json(found, wait_ms))


async def item_async(request: HttpRequest, item_id: int) -> JsonResponse:
    # The async ORM (aget): under uvicorn the view awaits, and Django runs the query itself in a
    # thread (sync_to_async), since its database layer is synchronous.
    # https://docs.djangoproject.com/en/5.2/topics/async/#queries-the-orm
    wait_ms = _wait_ms(request)
    found = await aget_object_or_404(Item.objects.annotate(waited=PgSleep(wait_ms / 1000)), pk=item_id)
    return JsonResponse(item_json(found, wait_ms))
