"""Django configured once per kernel: idempotent, one shared database, admin that logs in."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from django.http import JsonResponse
from django.urls import path

from helpers import serve
from helpers.serving import django_kernel as dk


def test_setup_is_idempotent_and_keeps_the_database():
    dk.setup_django()
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    dk.setup_django()
    dk.setup_django(DEBUG=settings.DEBUG)  # same value: accepted
    assert settings.DATABASES["default"]["NAME"] == name
    assert "mode=memory" in name and "cache=shared" in name


def test_changing_a_setting_later_asks_for_a_restart():
    dk.setup_django()
    with pytest.raises(dk.DjangoRestartNeeded, match="USE_TZ.*Restart the kernel"):
        dk.setup_django(USE_TZ=False)


def test_setting_names_must_be_upper_case():
    with pytest.raises(ValueError, match="UPPER_CASE"):
        dk.setup_django(debug=True)


def test_secret_key_is_random_per_process():
    dk.setup_django()
    from django.conf import settings

    assert len(settings.SECRET_KEY) >= 50 and "insecure" not in settings.SECRET_KEY


def test_server_threads_share_the_kernels_database(no_leaks):
    dk.setup_django()
    from django.contrib.auth.models import User

    def count(request):
        return JsonResponse({"users": User.objects.filter(username__startswith="shared-").count()})

    dk.set_urls("test-shared", [path("count/", count)])
    User.objects.filter(username__startswith="shared-").delete()
    User.objects.create(username="shared-1")
    for interface in ("wsgi", "asgi"):
        app = dk.wsgi_app() if interface == "wsgi" else dk.asgi_app()
        with serve(app, f"t-dj-{interface}") as srv:
            assert srv.get("/count/").json() == {"users": 1}


def test_set_urls_replaces_a_group_on_rerun(no_leaks):
    dk.setup_django()
    dk.set_urls("test-group", [path("v/", lambda r: JsonResponse({"v": 1}))])
    dk.set_urls("test-group", [path("v/", lambda r: JsonResponse({"v": 2}))])
    with serve(dk.wsgi_app(), "t-dj-urls") as srv:
        assert srv.get("/v/").json() == {"v": 2}
    with pytest.raises(TypeError, match="path"):
        dk.set_urls("test-group", ["v/"])


def test_cell_defined_models_get_tables_and_can_be_redefined():
    dk.setup_django()
    from django.db import models

    def define():
        dk.forget_notebook_models()

        class Note(models.Model):
            text = models.CharField(max_length=50)

            class Meta:
                app_label = "notebook"

        dk.create_tables(Note)
        return Note

    Note = define()
    Note.objects.create(text="first")
    Note = define()  # a re-run: fresh table, no "already registered" conflict
    assert Note.objects.count() == 0


def test_admin_login_works_over_http(no_leaks):
    dk.setup_django()
    dk.create_superuser("teacher", "s3cret-pass")
    with serve(dk.wsgi_app(), "t-admin") as srv, srv.client() as c:
        page = c.get("/admin/login/")
        assert page.status_code == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        r = c.post(
            "/admin/login/?next=/admin/",
            data={"csrfmiddlewaretoken": token, "username": "teacher", "password": "s3cret-pass", "next": "/admin/"},
        )
        assert r.status_code == 302 and r.headers["location"] == "/admin/"
        home = c.get("/admin/")
        assert home.status_code == 200 and "Site administration" in home.text
        assert c.get("/static/admin/css/base.css").status_code == 200


def test_wrong_admin_password_is_refused(no_leaks):
    dk.setup_django()
    dk.create_superuser("teacher", "s3cret-pass")
    with serve(dk.wsgi_app(), "t-admin-bad") as srv, srv.client() as c:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', c.get("/admin/login/").text).group(1)
        r = c.post("/admin/login/", data={"csrfmiddlewaretoken": token, "username": "teacher", "password": "nope"})
        assert r.status_code == 200 and "correct username and password" in r.text


def test_admin_login_works_behind_an_https_hub_proxy(no_leaks):
    """Headers as JupyterHub + jupyter-server-proxy send them: browser's Host and Origin, https."""
    dk.setup_django()
    dk.create_superuser("teacher", "s3cret-pass")
    hub = {"Host": "hub.example.org", "X-Forwarded-Proto": "https", "X-Forwarded-Prefix": "/user/ana/proxy/8000"}
    with serve(dk.wsgi_app(), "t-admin-hub") as srv, srv.client(headers=hub) as c:
        page = c.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        r = c.post(
            "/admin/login/",
            data={
                "csrfmiddlewaretoken": token,
                "username": "teacher",
                "password": "s3cret-pass",
                "next": "/user/ana/proxy/8000/admin/",
            },
            headers={
                "Origin": "https://hub.example.org",
                "Referer": "https://hub.example.org/user/ana/proxy/8000/admin/login/",
            },
        )
        assert r.status_code == 302, r.text[:300]
        # Relative (see servers.relative_location), it lands on the admin index in the browser.
        landed = urllib.parse.urljoin("https://hub.example.org/user/ana/proxy/8000/admin/login/", r.headers["location"])
        assert landed == "https://hub.example.org/user/ana/proxy/8000/admin/"
