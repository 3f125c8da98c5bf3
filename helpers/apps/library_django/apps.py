"""App config of the "library" Django app."""

from django.apps import AppConfig


class Config(AppConfig):
    """Register the app under the short label "library"."""

    name = "helpers.apps.library_django"
    label = "library"
    default_auto_field = "django.db.models.BigAutoField"
