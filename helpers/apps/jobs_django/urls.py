"""The views and their routes: placing an order enqueues its receipt, or sends it inside the request."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from helpers.apps import receipts
from helpers.apps.jobs_django.tasks import send_receipt


@csrf_exempt  # an API called by scripts, not a form in a browser
@require_POST
def place_order(request: HttpRequest, order_id: int) -> JsonResponse:
    result = send_receipt.enqueue(order_id, int(request.GET.get("fail", 0)))  # a row in the database
    return JsonResponse({"order": order_id, "receipt": "queued", "task": str(result.id)}, status=202)


@csrf_exempt
@require_POST
def place_order_inline(request: HttpRequest, order_id: int) -> JsonResponse:
    receipts.send_receipt(order_id)  # the same job inside the request, for comparison
    return JsonResponse({"order": order_id, "receipt": "sent"}, status=201)


urlpatterns = [
    path("orders/<int:order_id>", place_order),
    path("orders/<int:order_id>/inline", place_order_inline),
]
