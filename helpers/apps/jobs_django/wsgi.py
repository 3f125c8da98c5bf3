"""The WSGI entry point gunicorn serves: `helpers.apps.jobs_django.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpers.apps.jobs_django.settings")
application = get_wsgi_application()
