"""Settings of the shop project, read from the environment as Django's deployment checklist advises.

https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
DATABASE_URL, DB_POOL_SIZE and DB_POOL_TIMEOUT: see helpers.apps.stock_schema.from_env.
"""

import os
import secrets
from urllib.parse import parse_qsl, urlsplit

from helpers.apps.stock_schema import from_env

url, pool_size, pool_timeout = from_env()
db = urlsplit(url)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)  # never committed
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]  # the course's servers listen on loopback only
INSTALLED_APPS = ["helpers.apps.stock_django"]
MIDDLEWARE = []
ROOT_URLCONF = "helpers.apps.stock_django.urls"
USE_TZ = True
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": db.path.lstrip("/"),
        "USER": db.username or "",
        "PASSWORD": db.password or "",
        "HOST": db.hostname or "",
        "PORT": str(db.port or ""),
        "OPTIONS": {
            **dict(parse_qsl(db.query)),  # e.g. connect_timeout=10
            # Django's own pool (psycopg's), at most DB_POOL_SIZE connections per process. Django's docs
            # advise it under ASGI, in place of persistent connections (CONN_MAX_AGE stays 0 with it):
            # https://docs.djangoproject.com/en/5.2/ref/databases/#postgresql-pool
            "pool": {"min_size": 0, "max_size": pool_size, "timeout": pool_timeout},
        },
    }
}
