"""App config of the "cms" Django app."""

from django.apps import AppConfig


class Config(AppConfig):
    """Register the app under the short label "cms"."""

    name = "helpers.apps.cms_django"
    label = "cms"
    default_auto_field = "django.db.models.BigAutoField"
