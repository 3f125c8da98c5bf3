"""FastAPI's /docs and /redoc render in Chromium through jupyter-server-proxy with the internet cut off."""

from __future__ import annotations

import urllib.parse

import pytest

from helpers import serve
from tests.test_offline_docs import course_fastapi_apps


def cut_off_the_internet(context, blocked: list[str]) -> None:
    """Abort every request that leaves this machine, and remember it: the page must not need one."""

    def route(r):
        host = urllib.parse.urlsplit(r.request.url).hostname or ""
        if host in ("127.0.0.1", "localhost") or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            blocked.append((r.request.resource_type, r.request.url))
            r.abort()

    context.route("**/*", route)


@pytest.fixture
def offline_page(browser, lab):
    """A tab that sends the lab's token with every request and reaches nothing beyond loopback."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, extra_http_headers={"Authorization": f"token {lab.token}"}
    )
    blocked: list[str] = []
    cut_off_the_internet(context, blocked)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.blocked = blocked
    try:
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("name", sorted(course_fastapi_apps()))
def test_docs_render_offline_through_the_proxy(offline_page, lab, shots, name):
    app = course_fastapi_apps()[name]
    server = serve(app, "offline-docs-browser")
    try:
        base = f"{lab.url}proxy/{server.port}"
        offline_page.goto(f"{base}{app.docs_url}")
        # Rendered operations, not just the page shell: Swagger UI ran and read the schema through the proxy.
        offline_page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
        operations = offline_page.locator(".swagger-ui .opblock").count()
        assert operations == sum(len(methods) for methods in _operations(app)), operations
        offline_page.screenshot(path=str(shots / f"docs_offline_{name.rsplit('.', 1)[-1]}.png"))
        offline_page.goto(f"{base}{app.redoc_url}")
        # ReDoc lists every operation in its side menu once it has rendered the schema.
        offline_page.wait_for_selector("redoc [role=menuitem], .menu-content li", timeout=30_000)
        assert offline_page.locator("text=Something went wrong").count() == 0
        # Only decoration may be missing (ReDoc's "API docs by Redocly" logo comes from its CDN).
        needed = [(kind, url) for kind, url in offline_page.blocked if kind != "image"]
        assert not needed, needed
    finally:
        server.stop()


def _operations(app) -> list[list[str]]:
    """Return, per path in the app's schema, the HTTP methods Swagger UI shows as operations."""
    paths = app.openapi()["paths"]
    return [
        [m for m in ops if m in ("get", "put", "post", "delete", "patch", "options", "head", "trace")]
        for ops in paths.values()
    ]


def test_the_check_fails_on_a_page_that_needs_the_internet(offline_page, lab, monkeypatch):
    """FastAPI's own page (scripts from a CDN) must not pass: no operations render, and the request is seen."""
    from fastapi import FastAPI

    from helpers.serving import servers

    app = FastAPI()

    @app.get("/hello")
    def hello() -> dict:
        return {}

    monkeypatch.setattr(servers, "with_offline_docs", lambda a: a)  # FastAPI alone, as before this module
    server = servers.serve(app, "cdn-docs")
    try:
        offline_page.goto(f"{lab.url}proxy/{server.port}/docs")
        offline_page.wait_for_timeout(2_000)
        assert offline_page.locator(".swagger-ui .opblock").count() == 0
        assert any(kind == "script" and "swagger-ui" in url for kind, url in offline_page.blocked), offline_page.blocked
    finally:
        server.stop()
