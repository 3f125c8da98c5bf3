"""Settings for the tasks project: one SQLite file (TASKS_DB) holds the tasks; the worker reads them from it."""

import os
import secrets

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)  # never committed
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]  # the servers listen on loopback only
ROOT_URLCONF = "helpers.apps.jobs_django.urls"
USE_TZ = True

INSTALLED_APPS = [
    "django_tasks",  # the backport: `from django_tasks import task`; on Django 6.0, `django.tasks`
    "django_tasks_db",  # its database backend: the DBTaskResult model and the db_worker command
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["TASKS_DB"],
        "OPTIONS": {
            # Two processes write this file (the web worker enqueues, db_worker claims): wait for the
            # other's lock instead of failing, and take the write lock when a transaction starts.
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        },
    }
}

# https://docs.djangoproject.com/en/6.0/topics/tasks/#configuring-a-task-backend
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
