"""Route the bookshelf's paths to its views."""
from django.urls import path

from . import views

urlpatterns = [
    path("books", views.books),
    path("books/<int:book_id>", views.book),
]
