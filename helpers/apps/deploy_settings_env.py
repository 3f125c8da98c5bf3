"""Django settings for production: startproject's, with every secret and per-site value from DJANGO_* variables.

`manage.py check --deploy` checks them against Django's deployment checklist
(https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from helpers.apps.deploy_settings_start import *  # noqa: F403 (startproject's other settings, unchanged)

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def env_bool(name: str, default: bool) -> bool:
    """Return the environment variable `name` as a bool (1/0, true/false, yes/no, on/off), or `default` if unset."""
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {_TRUE + _FALSE[:-1]}, got {value!r}")


def env_list(name: str) -> list[str]:
    """Return the comma-separated environment variable `name` as a list (empty if unset)."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


try:
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]  # made once per site (secrets.token_urlsafe(50)), never committed
except KeyError:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is not set: the site refuses to start without its secret") from None

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# nginx terminates HTTPS and says so in X-Forwarded-Proto (helpers.services.nginx sets it): trust that header
# only because nginx is the one client this server has.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# HSTS: browsers will refuse plain HTTP for this long. Django's docs: start small (an hour), then raise it.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)

# A warning the site's owner has weighed and accepted is silenced by name, so the decision is written down.
SILENCED_SYSTEM_CHECKS = env_list("DJANGO_SILENCED_SYSTEM_CHECKS")
