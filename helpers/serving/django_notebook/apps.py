"""App config for models that notebook cells define."""

from django.apps import AppConfig


class NotebookConfig(AppConfig):
    """Give cell-defined models a home: `class Meta: app_label = "notebook"`."""

    name = "helpers.serving.django_notebook"
    label = "notebook"
    default_auto_field = "django.db.models.BigAutoField"
