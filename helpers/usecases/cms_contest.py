"""Count what each admin generates and takes: the pages Django's admin and Flask-Admin serve, the lines they need."""

from __future__ import annotations

import re
from typing import Any

_DJANGO_PAGES = ("changelist", "add", "change", "delete", "history")
# The files each back office needs for the same job: list, filters, search, edit, staff logins, CSRF protection.
# Django's admin brings its login and CSRF checks (django.contrib.auth and the middleware Django's project
# template installs); Flask-Admin leaves the login to you, so Flask's side counts its Flask-Login page too.
ADMIN_FILES: dict[str, tuple[str, ...]] = {
    "Django": ("cms_django/admin.py",),
    "Flask": ("cms_flask/admin.py", "cms_flask/auth.py"),
}
_FLASK_PAGE = re.compile(r"/admin/\w+/(new/|edit/|details/|delete/)?")


def django_admin_pages(app_label: str) -> list[str]:
    """Return the URL names of the admin pages Django generates for the registered models of `app_label`."""
    from django.apps import apps
    from django.contrib import admin

    pages = []
    for model in apps.get_app_config(app_label).get_models():
        if admin.site.is_registered(model):
            for url in admin.site.get_model_admin(model).get_urls():
                if url.name and url.name.rsplit("_", 1)[-1] in _DJANGO_PAGES:
                    pages.append(url.name)
    return pages


def flask_admin_pages(app: Any) -> list[str]:
    """Return the URL rules of the model pages Flask-Admin registered on the Flask `app` (list, new, edit, ...)."""
    return [rule.rule for rule in app.url_map.iter_rules() if _FLASK_PAGE.fullmatch(rule.rule)]


def admin_lines() -> dict[str, int]:
    """Return the lines of code each back office needs (no blanks, comments or docstrings), by framework."""
    from helpers.usecases.decision import code_lines

    return {fw: sum(code_lines(f) for f in files) for fw, files in ADMIN_FILES.items()}
