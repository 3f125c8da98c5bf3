"""JSON views of the bookshelf: list and add books, get one."""

import json

from django import forms
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from helpers.apps.bookshelf_django.models import Book


class BookForm(forms.ModelForm):
    """Validate a new book against the model's own fields and validators."""

    class Meta:
        model = Book
        fields = ["title", "author", "year"]


@csrf_exempt  # a JSON API for scripts, not a browser form; the admin keeps its CSRF check
@require_http_methods(["GET", "POST"])
def books(request: HttpRequest) -> JsonResponse:
    """List every book (GET) or add one from a JSON body (POST)."""
    if request.method == "GET":
        return JsonResponse([b.as_dict() for b in Book.objects.all()], safe=False)
    try:
        data = json.loads(request.body)
    except ValueError:
        return JsonResponse({"errors": {"body": ["Send a JSON object."]}}, status=422)
    form = BookForm(data if isinstance(data, dict) else {})
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=422)
    return JsonResponse(form.save().as_dict(), status=201)


@require_GET
def book(request: HttpRequest, book_id: int) -> JsonResponse:
    """Return one book, or 404 when there is no such id."""
    return JsonResponse(get_object_or_404(Book, pk=book_id).as_dict())
