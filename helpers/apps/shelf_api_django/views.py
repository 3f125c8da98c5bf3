"""A classic Django form view next to the API: it trusts the session cookie, so CsrfViewMiddleware guards it."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from helpers.apps.shelf_api_django.models import Book


@require_POST
def delete_book(request, book_id: int):
    """Delete a book the logged-in user owns (the form a "delete" button would post)."""
    # CsrfViewMiddleware has already refused this POST with 403 unless it carried the CSRF token.
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Log in first"}, status=401)
    book = get_object_or_404(Book, id=book_id)
    if book.owner_id != request.user.pk:
        return JsonResponse({"detail": "Only the book's owner may delete it"}, status=403)
    book.delete()
    return JsonResponse({"deleted": book_id})
