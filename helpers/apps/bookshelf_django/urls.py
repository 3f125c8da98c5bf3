"""Route the bookshelf's paths to its views."""

from django.urls import path

from helpers.apps.bookshelf_django import views

urlpatterns = [
    path("books", views.books),
    path("books/<int:book_id>", views.book),
]
