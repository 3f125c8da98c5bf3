"""API-first with Django REST framework and drf-spectacular: the same books contract as api_first_fastapi, on Django."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView


class BookInSerializer(serializers.Serializer):
    """What a client sends to add a book."""

    title = serializers.CharField(min_length=1, max_length=200)
    author = serializers.CharField(min_length=1, max_length=100)
    year = serializers.IntegerField(min_value=1450, max_value=2100, help_text="Year of first publication")


class BookSerializer(BookInSerializer):
    """A stored book: what the client sent, and its id."""

    id = serializers.IntegerField(min_value=1)


class MissingSerializer(serializers.Serializer):
    """The body of a 404."""

    detail = serializers.CharField()


def urlpatterns_for(prefix: str = "drf/") -> list[Any]:
    """Return URL patterns that mount a new books API (its own books) under `prefix`, its schema at openapi.json."""
    books: dict[int, dict] = {}

    class Books(APIView):
        @extend_schema(responses=BookSerializer(many=True), operation_id="list_books")
        def get(self, request):
            return Response(BookSerializer(books.values(), many=True).data)

        @extend_schema(request=BookInSerializer, responses={201: BookSerializer}, operation_id="add_book")
        def post(self, request):
            new = BookInSerializer(data=request.data)
            if not new.is_valid():  # the contract's 422, as FastAPI's; DRF's own default is 400
                return Response(new.errors, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
            stored = {"id": len(books) + 1, **new.validated_data}
            books[stored["id"]] = stored
            return Response(BookSerializer(stored).data, status=status.HTTP_201_CREATED)

    class OneBook(APIView):
        @extend_schema(responses={200: BookSerializer, 404: MissingSerializer}, operation_id="get_book")
        def get(self, request, book_id: int):
            if book_id not in books:
                return Response({"detail": f"no book with id {book_id}"}, status=status.HTTP_404_NOT_FOUND)
            return Response(BookSerializer(books[book_id]).data)

    api = [path("books", Books.as_view()), path("books/<int:book_id>", OneBook.as_view())]
    # The schema of these views only; its server URL is the prefix they are mounted under (OpenAPI's `servers`).
    server = "/" + prefix.strip("/")
    settings = {"TITLE": "Books API", "VERSION": "1.0.0", "OAS_VERSION": "3.1.0", "SERVERS": [{"url": server}]}
    schema = SpectacularJSONAPIView.as_view(urlconf=api, custom_settings=settings)
    return [path(prefix, include([*api, path("openapi.json", schema)]))]
