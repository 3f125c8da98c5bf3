"""Route the API under /ninja/ and the form view under /forms/."""

from django.urls import path

from helpers.apps.shelf_api_django import views
from helpers.apps.shelf_api_django.api import api

urlpatterns = [
    path("ninja/", api.urls),
    path("forms/books/<int:book_id>/delete", views.delete_book),
]
