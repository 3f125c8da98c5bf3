"""WSGI entry point, as `django-admin startproject` writes it: gunicorn helpers.apps.stock_django.wsgi."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpers.apps.stock_django.settings")

application = get_wsgi_application()
