"""The shop as a Django project and app in one package: settings from the environment, models, two views.

gunicorn serves `helpers.apps.stock_django.wsgi:application` (the sync view at /items/<id>),
uvicorn `helpers.apps.stock_django.asgi:application` (the async view at /async/items/<id>; the sync one too).
"""
