"""App config of the "shelf_api" Django app."""

from django.apps import AppConfig


class Config(AppConfig):
    """Register the app under the short label "shelf_api"."""

    name = "helpers.apps.shelf_api_django"
    label = "shelf_api"
    default_auto_field = "django.db.models.BigAutoField"
