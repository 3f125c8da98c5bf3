"""The CMS contest counts the admin pages each framework generates, through public APIs."""

from __future__ import annotations

import pytest

from helpers.usecases import cms_contest


def test_django_admin_pages_are_counted_per_registered_model(django_ready):
    from django.apps import apps
    from django.contrib import admin

    pages = cms_contest.django_admin_pages("cms")
    registered = [m for m in apps.get_app_config("cms").get_models() if admin.site.is_registered(m)]
    assert registered and len(pages) == 5 * len(registered)  # list, add, change, delete, history
    assert "cms_article_changelist" in pages


def test_flask_admin_pages_are_its_model_views():
    from helpers.apps.cms_flask import create_app

    rules = cms_contest.flask_admin_pages(create_app())
    assert "/admin/article/" in rules and "/admin/article/edit/" in rules
    assert not [r for r in rules if not r.startswith("/admin/")]


def test_an_unknown_app_label_says_so(django_ready):
    with pytest.raises(LookupError, match="nope"):
        cms_contest.django_admin_pages("nope")
