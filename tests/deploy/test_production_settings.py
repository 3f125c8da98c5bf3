"""Production settings: Django's check --deploy before and after, and the course's questions of Flask and FastAPI."""

from __future__ import annotations

import importlib

import pytest

from helpers.deploy import production_settings as ps
from helpers.deploy.production_settings import (
    django_check_deploy,
    fastapi_check,
    flask_check,
    production_settings,
    stage_env,
)

STARTPROJECT_WARNINGS = {
    "security.W004",  # no HSTS
    "security.W008",  # no SSL redirect
    "security.W009",  # a django-insecure- secret key
    "security.W012",  # session cookie over HTTP
    "security.W016",  # CSRF cookie over HTTP
    "security.W018",  # DEBUG on
    "security.W020",  # ALLOWED_HOSTS empty
}


@pytest.fixture(scope="module")
def report():
    return production_settings()


def test_django_check_deploy_reports_startprojects_settings_and_passes_the_fixed_ones(report):
    before, after = report.get("django", "before"), report.get("django", "after")
    assert set(before.ids) == STARTPROJECT_WARNINGS, before.messages
    assert "DEBUG" in before.messages["security.W018"]
    assert after.ok and after.ids == [] and after.error == "", after
    assert after.silenced == ["security.W021"]  # the one decision left to the site's owner, written down


def test_the_fixed_django_settings_read_the_environment():
    env = stage_env("django", "after")
    debug = django_check_deploy("after", {**env, "DJANGO_DEBUG": "1"})
    assert debug.ids == ["security.W018"]
    no_silence = django_check_deploy("after", {k: v for k, v in env.items() if k != "DJANGO_SILENCED_SYSTEM_CHECKS"})
    assert no_silence.ids == ["security.W021"]
    short_key = django_check_deploy("after", {**env, "DJANGO_SECRET_KEY": "short"})
    assert short_key.ids == ["security.W009"]


def test_the_fixed_django_settings_refuse_to_load_without_a_secret():
    check = django_check_deploy("after", {})
    assert not check.ok and "DJANGO_SECRET_KEY is not set" in check.error


def test_flask_before_and_after(report):
    before, after = report.get("flask", "before"), report.get("flask", "after")
    assert set(before.ids) == {
        "flask.debug",
        "flask.secret_key",
        "flask.session_cookie_secure",
        "flask.session_cookie_samesite",
        "flask.proxy_fix",
    }, before
    assert after.ok, after
    again = flask_check("after", {**stage_env("flask", "after"), "FLASK_DEBUG": "true"})
    assert again.ids == ["flask.debug"]  # FLASK_* variables reach app.config through from_prefixed_env


def test_fastapi_before_and_after(report):
    before, after = report.get("fastapi", "before"), report.get("fastapi", "after")
    assert set(before.ids) == {"fastapi.secret_key", "fastapi.debug", "fastapi.allowed_hosts"}, before
    assert after.ok, after
    missing = fastapi_check("after", {})
    assert not missing.ok and "APP_SECRET_KEY" in missing.error  # pydantic-settings: the required field is missing


def test_rows_name_the_docs_and_never_hold_a_secret(report):
    rows = report.rows()
    assert [r["framework"] for r in rows] == list(ps.FRAMEWORKS)
    assert rows[0]["docs"] == "https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/"
    assert stage_env("flask", "after")["FLASK_SECRET_KEY"] != stage_env("flask", "after")["FLASK_SECRET_KEY"]
    secret = "course-secret-" + "k" * 40
    checks = [
        django_check_deploy("after", {**stage_env("django", "after"), "DJANGO_SECRET_KEY": secret}),
        flask_check("after", {**stage_env("flask", "after"), "FLASK_SECRET_KEY": secret}),
        fastapi_check("after", {**stage_env("fastapi", "after"), "APP_SECRET_KEY": secret}),
    ]
    for check in checks:
        assert check.ok, check
        assert secret not in repr(check)  # the names of the variables are kept, never their values
        assert any("SECRET_KEY" in name for name in check.env_names)


def test_the_env_reader_refuses_a_value_it_cannot_read(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    module = importlib.import_module("helpers.apps.deploy_settings_env")
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG must be one of"):
        module.env_bool("DJANGO_DEBUG", False)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", " a.example , b.example,")
    assert module.env_list("DJANGO_ALLOWED_HOSTS") == ["a.example", "b.example"]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: django_check_deploy("later"), "stage must be one of"),
        (lambda: flask_check("after", {"lower": "x"}), "env must map UPPER_CASE"),
        (lambda: fastapi_check("after", {"APP_DEBUG": 1}), "env must map UPPER_CASE names to strings"),
        (lambda: stage_env("pyramid", "after"), "framework must be one of"),
        (lambda: production_settings(("django", "rails")), "frameworks must be"),
    ],
)
def test_bad_input_is_refused_naming_what_is_allowed(call, expected):
    with pytest.raises(ValueError, match=expected):
        call()
