"""A one-file Django project for a server process: settings, then the WSGI and ASGI entry points.

gunicorn serves `helpers.apps.serving_django_project:wsgi`, uvicorn `...:asgi`.
Import it only in a process of its own: it configures Django's settings for that process.
"""

import secrets

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY=secrets.token_urlsafe(50),  # fresh per process, never committed
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],  # the servers listen on loopback only
    ROOT_URLCONF="helpers.apps.serving_django",
    INSTALLED_APPS=[],
    MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
    DATABASES={},
    USE_TZ=True,
)
django.setup()

from django.core.asgi import get_asgi_application  # noqa: E402  (after settings, as Django requires)
from django.core.wsgi import get_wsgi_application  # noqa: E402

wsgi = get_wsgi_application()
asgi = get_asgi_application()
