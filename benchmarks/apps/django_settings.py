"""Minimal settings to run helpers/apps/hello_django.py with `django-admin runserver`."""

import secrets

DEBUG = False
SECRET_KEY = secrets.token_urlsafe(50)  # fresh per process, never committed
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "helpers.apps.hello_django"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES: dict = {}
USE_TZ = True
