"""App config of the "shop" Django app."""

from django.apps import AppConfig


class Config(AppConfig):
    """Register the app under the label "shop": its tables are shop_item and shop_order."""

    name = "helpers.apps.stock_django"
    label = "shop"
    default_auto_field = "django.db.models.BigAutoField"
