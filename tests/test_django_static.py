"""The admin's CSS is found and served, directly and behind jupyter-server-proxy's prefix."""

from __future__ import annotations

import re

import pytest

from helpers import serve
from helpers.serving import django_kernel as dk

PROXY = {"X-Forwarded-Prefix": "/user/ana/proxy/1234"}


@pytest.mark.parametrize("make", [dk.wsgi_app, dk.asgi_app], ids=["wsgi", "asgi"])
def test_admin_stylesheets_resolve_under_each_requests_prefix(make, no_leaks):
    dk.setup_django()
    with serve(make(), f"t-static-{make.__name__}") as srv:
        # Direct, then proxied, then direct again: a prefix seen once must not stick.
        for headers, prefix in (({}, ""), (PROXY, PROXY["X-Forwarded-Prefix"]), ({}, "")):
            page = srv.get("/admin/login/", headers=headers)
            sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
            assert sheets and all(s.startswith(prefix + "/static/admin/css/") for s in sheets), sheets
            # What the browser asks for; the proxy strips its prefix and sends it in a header.
            css = srv.get(sheets[0].removeprefix(prefix), headers=headers)
            assert css.status_code == 200 and "text/css" in css.headers["content-type"], css.status_code


def test_a_missing_static_file_is_a_404(no_leaks):
    dk.setup_django()
    with serve(dk.wsgi_app(), "t-static-404") as srv:
        assert srv.get("/static/admin/css/no-such.css", headers=PROXY).status_code == 404


def test_storage_needs_a_name():
    from helpers.serving.django_static import PrefixedStaticFilesStorage

    with pytest.raises(ValueError, match="name"):
        PrefixedStaticFilesStorage().url(None)
