"""The back office with Flask-Admin: the same list, filters, search and edit as cms_django.admin, for staff only."""

from flask import Flask, redirect, request, url_for
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView
from flask_admin.form import SecureForm
from flask_login import current_user

from helpers.apps.cms_flask.models import STATUSES, Article, Author, Section, db


class StaffView(ModelView):
    """A model view for logged-in staff only, with a CSRF token in its forms, as Flask-Admin's docs advise."""

    form_base_class = SecureForm

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("login", next=request.full_path.rstrip("?")))  # back here after logging in


class ArticleAdmin(StaffView):
    """List, filter, search and edit articles."""

    column_list = ["title", "status", "author", "section", "updated"]
    column_filters = ["status", "section.name", "author.name"]
    column_searchable_list = ["title", "body", "author.name"]
    form_choices = {"status": [(s, s.title()) for s in STATUSES]}
    form_excluded_columns = ["updated"]


class AuthorAdmin(StaffView):
    """List and search authors."""

    column_list = ["name", "email"]
    column_searchable_list = ["name", "email"]


def register_admin(app: Flask) -> Admin:
    """Add the admin at /admin/ with a view per model."""
    admin = Admin(app, name="Newsroom")
    admin.add_view(ArticleAdmin(Article, db))
    admin.add_view(AuthorAdmin(Author, db))
    admin.add_view(StaffView(Section, db))
    return admin
