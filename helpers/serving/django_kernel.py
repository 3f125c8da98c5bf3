"""Configure Django once per kernel and let notebook cells add URLs and models."""

from __future__ import annotations

import os
import secrets
import threading
import uuid
from collections.abc import Iterable
from typing import Any

# Django apps of the course that every kernel installs, so any notebook (and
# the test process, which imports them all) can use them without a restart.
COURSE_APPS: tuple[str, ...] = (
    "helpers.apps.bookshelf_django",  # notebook 01
    "helpers.apps.library_django",  # notebook 04
    "helpers.apps.shelf_api_django",  # notebook 05
    "helpers.apps.cms_django",  # notebook 08
)

_lock = threading.Lock()
_url_groups: dict[str, list[Any]] = {}
_requested: dict[str, Any] = {}


class DjangoRestartNeeded(RuntimeError):
    """A setting was asked for that only a fresh kernel can apply."""


def _default_settings() -> dict[str, Any]:
    # One shared-cache in-memory database per kernel: every thread (the
    # kernel's, each server thread) sees the same tables. ":memory:" would
    # give each thread its own empty database.
    db_name = f"file:course-{uuid.uuid4().hex[:12]}?mode=memory&cache=shared"
    return {
        "DEBUG": True,
        "SECRET_KEY": secrets.token_urlsafe(50),  # fresh per kernel, never committed
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "*"],  # loopback-only servers; proxies rewrite Host
        "INSTALLED_APPS": [
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "helpers.serving.django_notebook",
            # Django REST framework and its OpenAPI generator, as their install docs say (notebook 08's API-first).
            "rest_framework",
            "drf_spectacular",
            *COURSE_APPS,
        ],
        "REST_FRAMEWORK": {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"},
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "ROOT_URLCONF": "helpers.serving.django_urls",
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": db_name}},
        "STATIC_URL": "static/",
        # Static URLs under each request's prefix, so the admin has its CSS behind the proxy too.
        "STORAGES": {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "helpers.serving.django_static.PrefixedStaticFilesStorage"},
        },
        # On JupyterHub/Binder the browser speaks https to the hub, which proxies
        # plain http to us and says so in X-Forwarded-Proto; without this the
        # admin login's CSRF origin check fails there.
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "USE_TZ": True,
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        # Django's default logging would print request errors into random cells.
        "LOGGING_CONFIG": None,
    }


def setup_django(**settings: Any) -> None:
    """Configure Django for this kernel, migrate, and return; safe to run again.

    Keyword arguments override settings on the first call. On later calls the
    same values are accepted; a different value raises DjangoRestartNeeded,
    because Django reads its settings once per process.
    """
    for key in settings:
        if not key.isupper():
            raise ValueError(f"Django settings are UPPER_CASE names, got {key!r}")
    import django
    from django.conf import settings as django_settings

    with _lock:
        if django_settings.configured:
            changed = [k for k, v in settings.items() if _requested.get(k, getattr(django_settings, k, None)) != v]
            if changed:
                raise DjangoRestartNeeded(
                    f"Django is already configured in this kernel, so {', '.join(changed)} can't change now. "
                    "Restart the kernel (Kernel > Restart Kernel...) and run the notebook again."
                )
            return
        # Every notebook cell runs inside ipykernel's event loop; without this,
        # Django refuses ORM calls from cells with SynchronousOnlyOperation.
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        values = _default_settings()
        values.update(settings)
        _requested.update(settings)
        django_settings.configure(**values)
        django.setup()
        from django.core.management import call_command

        # run_syncdb creates tables for the course apps, which ship no migrations.
        call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    from helpers.serving import logs

    logs.capture_server_logs()


def set_urls(group: str, patterns: Iterable[Any]) -> None:
    """Set the URL patterns of `group`, replacing what an earlier run of the cell set."""
    if not isinstance(group, str) or not group:
        raise ValueError(f"group must be a non-empty string, got {group!r}")
    if isinstance(patterns, (str, bytes)) or not isinstance(patterns, Iterable):
        raise TypeError(f"patterns must be a list of django.urls.path() patterns, got {type(patterns).__name__}")
    patterns = list(patterns)
    from django.contrib import admin
    from django.urls import URLPattern, URLResolver, clear_url_caches, path

    for p in patterns:
        if not isinstance(p, (URLPattern, URLResolver)):
            raise TypeError(f"patterns must be made with django.urls.path(), got {type(p).__name__}")
    from helpers.serving import django_urls

    with _lock:
        _url_groups[group] = patterns
        new = [path("admin/", admin.site.urls)]
        for group_patterns in _url_groups.values():
            new.extend(group_patterns)
        django_urls.urlpatterns[:] = new
        clear_url_caches()


def create_tables(*models: Any) -> None:
    """Create the tables of cell-defined models, dropping old ones from an earlier run."""
    from django.db import connection

    with connection.schema_editor() as editor:
        existing = set(connection.introspection.table_names())
        for model in models:
            if model._meta.db_table in existing:
                editor.delete_model(model)
            editor.create_model(model)


def forget_notebook_models() -> None:
    """Unregister the models of the "notebook" app so a cell can define them again."""
    from django.apps import apps

    apps.all_models["notebook"].clear()
    apps.get_app_config("notebook").models.clear()
    apps.clear_cache()


def create_superuser(username: str = "admin", password: str = "course-admin") -> Any:
    """Create (or reset) a superuser for the admin, and return it."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    return user


def wsgi_app() -> Any:
    """Return Django as a WSGI app that also serves the admin's static files."""
    from django.core.wsgi import get_wsgi_application

    from helpers.serving.django_static import StaticFiles

    return StaticFiles(get_wsgi_application())


def asgi_app() -> Any:
    """Return Django as an ASGI app that also serves the admin's static files."""
    from django.core.asgi import get_asgi_application

    from helpers.serving.django_static import ASGIStaticFiles

    return ASGIStaticFiles(get_asgi_application())
