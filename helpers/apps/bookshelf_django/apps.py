"""App config of the "bookshelf" Django app."""

from django.apps import AppConfig


class Config(AppConfig):
    """Register the app under the short label "bookshelf"."""

    name = "helpers.apps.bookshelf_django"
    label = "bookshelf"
    default_auto_field = "django.db.models.BigAutoField"
