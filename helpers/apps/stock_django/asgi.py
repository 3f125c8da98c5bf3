"""ASGI entry point, as `django-admin startproject` writes it: uvicorn helpers.apps.stock_django.asgi:application.

uvicorn needs --lifespan off: Django does not speak the lifespan protocol.
https://docs.djangoproject.com/en/5.2/howto/deployment/asgi/uvicorn/
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpers.apps.stock_django.settings")

application = get_asgi_application()
