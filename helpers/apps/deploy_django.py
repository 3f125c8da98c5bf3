"""A one-file Django project whose static files WhiteNoise serves, for a server process: gunicorn serves `...:wsgi`.

Set up as WhiteNoise's docs configure Django (https://whitenoise.readthedocs.io/en/stable/django.html):
the middleware straight after SecurityMiddleware, files from STATIC_ROOT (here COURSE_STATIC_DIR, the folder
`collectstatic` would fill) under STATIC_URL. Import it only in a process of its own: it configures Django.
"""

import os
import secrets

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY=secrets.token_urlsafe(50),  # fresh per process, never committed
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],  # the servers listen on loopback only
    ROOT_URLCONF="helpers.apps.serving_django",
    INSTALLED_APPS=["django.contrib.staticfiles"],
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",  # right after SecurityMiddleware, as WhiteNoise's docs say
        "django.middleware.common.CommonMiddleware",
    ],
    STATIC_URL="/static/",
    STATIC_ROOT=os.environ.get("COURSE_STATIC_DIR") or None,
    DATABASES={},
    USE_TZ=True,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after settings, as Django requires)

wsgi = get_wsgi_application()
