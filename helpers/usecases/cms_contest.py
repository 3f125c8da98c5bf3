"""Count what each admin generates: the pages Django's admin and Flask-Admin serve for their models."""

from __future__ import annotations

import re
from typing import Any

_DJANGO_PAGES = ("changelist", "add", "change", "delete", "history")
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
