"""The back office with Flask-Admin: the same list, filters, search and edit as cms_django.admin."""

from flask import Flask
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView

from helpers.apps.cms_flask.models import STATUSES, Article, Author, Section, db


class ArticleAdmin(ModelView):
    """List, filter, search and edit articles."""

    column_list = ["title", "status", "author", "section", "updated"]
    column_filters = ["status", "section.name", "author.name"]
    column_searchable_list = ["title", "body", "author.name"]
    form_choices = {"status": [(s, s.title()) for s in STATUSES]}
    form_excluded_columns = ["updated"]


class AuthorAdmin(ModelView):
    """List and search authors."""

    column_list = ["name", "email"]
    column_searchable_list = ["name", "email"]


def register_admin(app: Flask) -> Admin:
    """Add the admin at /admin/ with a view per model."""
    admin = Admin(app, name="Newsroom")
    admin.add_view(ArticleAdmin(Article, db))
    admin.add_view(AuthorAdmin(Author, db))
    admin.add_view(ModelView(Section, db))
    return admin
