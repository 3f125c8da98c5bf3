"""URLs of the shop project: the same item endpoint as a sync and as an async view."""

from django.urls import path

from helpers.apps.stock_django import views

urlpatterns = [
    path("items/<int:item_id>", views.item),
    path("async/items/<int:item_id>", views.item_async),
]
