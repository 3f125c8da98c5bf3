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


def test_the_line_count_covers_each_sides_login_and_csrf_protection():
    from helpers.apps import cms_flask
    from helpers.usecases.decision import APPS

    lines = cms_contest.admin_lines()
    assert set(lines) == {"Django", "Flask"} and all(n > 0 for n in lines.values())
    flask_code = "".join((APPS / f).read_text() for f in cms_contest.ADMIN_FILES["Flask"])
    for needed in ("def is_accessible", "def inaccessible_callback", "SecureForm", "login_user", "user_loader"):
        assert needed in flask_code, f"the Flask count leaves out {needed}"
    # The Flask app's own files outside the count are its models and its factory, not its protection.
    counted = {f.split("/")[1] for f in cms_contest.ADMIN_FILES["Flask"]}
    rest = "".join(p.read_text() for p in APPS.joinpath("cms_flask").glob("*.py") if p.name not in counted)
    assert "is_accessible" not in rest and "login_user" not in rest and "SecureForm" not in rest
    assert cms_flask.create_app().test_client().get("/admin/article/").status_code == 302  # the protection is on
