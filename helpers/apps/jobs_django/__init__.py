"""Django sends the receipt with its tasks framework (the django-tasks backport of Django 6.0's django.tasks).

A Django project in four files, as `startproject` lays one out: `settings`, `tasks` (the task), `urls`
(the views and their routes), `wsgi` (what gunicorn serves). Tasks are stored in the database by the
django-tasks-db backend and run by its worker, `django-admin db_worker`, a process of its own.
Django's docs: https://docs.djangoproject.com/en/6.0/topics/tasks/
"""
