"""FastAPI's /docs and /redoc, served by helpers.serve, load every asset from this machine."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from fastapi import FastAPI
from flask import Flask

import helpers.apps
from helpers import serve
from helpers.serving import offline_docs
from helpers.serving.offline_docs import ASSETS, ASSETS_PATH, with_offline_docs

ASSET_URL = re.compile(r"""(?:src|href)="([^"]+)"|url: '([^']+)'|spec-url="([^"]+)\"""")


def course_fastapi_apps() -> dict[str, FastAPI]:
    """Return the FastAPI app every helpers/apps/*fastapi*.py module exposes as `app` (new ones join by themselves)."""
    found = {}
    for info in pkgutil.iter_modules(helpers.apps.__path__, "helpers.apps."):
        if "fastapi" not in info.name:  # the Django modules need settings first
            continue
        module = importlib.import_module(info.name)
        if isinstance(getattr(module, "app", None), FastAPI):
            found[info.name] = module.app
    return found


def urls(page: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in ASSET_URL.finditer(page)]


def test_the_course_has_fastapi_apps_to_check():
    assert {"helpers.apps.hello_fastapi", "helpers.apps.bookshelf_fastapi"} <= set(course_fastapi_apps())


@pytest.mark.parametrize("root", ["", "/proxy/8000", "/user/ann/proxy/8000/"])
def test_the_pages_reference_local_assets_under_the_root_path(root):
    app = FastAPI(title="Books")
    prefix = root.rstrip("/")
    for page, needed in (
        (offline_docs.swagger_html(app, root), ["swagger-ui-bundle.js", "swagger-ui.css"]),
        (offline_docs.redoc_html(app, root), ["redoc.standalone.js"]),
    ):
        found = urls(page)
        assert found and all(u.startswith(prefix + "/") for u in found), found
        assert not any(u.startswith(("http:", "https:", "//")) for u in found), found
        assert "googleapis" not in page and "jsdelivr" not in page
        for name in needed:
            assert f"{prefix}{ASSETS_PATH}/{name}" in found, found
        assert f"{prefix}/openapi.json" in found


def test_fastapi_alone_would_load_from_a_cdn():
    """The reason for the module: without it the page needs the internet (if this fails, FastAPI changed)."""
    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html

    page = (
        get_swagger_ui_html(openapi_url="/openapi.json", title="t").body.decode()
        + get_redoc_html(openapi_url="/openapi.json", title="t").body.decode()
    )
    assert any(u.startswith("https://") for u in urls(page)), urls(page)


@pytest.mark.parametrize("name", sorted(course_fastapi_apps()))
def test_every_course_fastapi_app_serves_its_docs_offline(name, no_leaks):
    app = course_fastapi_apps()[name]
    server = serve(app, "offline-docs")
    try:
        for path, marker in ((app.docs_url, "SwaggerUIBundle"), (app.redoc_url, "<redoc")):
            prefix = f"/proxy/{server.port}"
            for headers, root in (({}, ""), ({"X-Forwarded-Prefix": prefix}, prefix)):
                page = server.get(path, headers=headers)
                assert page.status_code == 200 and marker in page.text, (path, page.status_code)
                local = [u for u in urls(page.text) if ASSETS_PATH in u]
                assert local and all(u.startswith(root + ASSETS_PATH) for u in local), local
                for url in local:  # the browser asks the proxy for url; the proxy strips its prefix
                    asset = server.get(url[len(root) :], headers=headers)
                    assert asset.status_code == 200 and len(asset.content) > 1000, url
        assert server.get(app.openapi_url).json()["openapi"].startswith("3.")
    finally:
        server.stop()


def test_the_assets_are_the_pinned_package_files(no_leaks):
    with serve(FastAPI(), "offline-docs") as server:
        for name, media_type in ASSETS.items():
            r = server.get(f"{ASSETS_PATH}/{name}")
            assert r.status_code == 200, name
            assert r.headers["content-type"] == media_type
            assert r.content == (offline_docs.assets_dir() / name).read_bytes()
        assert b"SwaggerUIBundle" in server.get(f"{ASSETS_PATH}/swagger-ui-bundle.js").content
        assert server.get(f"{ASSETS_PATH}/../../secret").status_code == 404
        assert server.get(f"{ASSETS_PATH}/other.js").status_code == 404


def test_other_routes_and_apps_are_left_alone(no_leaks):
    flask_app = Flask(__name__)
    assert with_offline_docs(flask_app) is flask_app
    no_docs = FastAPI(docs_url=None, redoc_url=None)
    own = FastAPI(docs_url=None)

    @own.get("/docs")
    def my_docs() -> dict:
        return {"mine": True}

    custom = FastAPI(docs_url="/api-docs")
    with serve(no_docs, "no-docs") as a, serve(own, "own-docs") as b, serve(custom, "custom-docs") as c:
        assert a.get("/docs").status_code == 404 and a.get("/redoc").status_code == 404
        assert b.get("/docs").json() == {"mine": True}
        assert "SwaggerUIBundle" in c.get("/api-docs").text and ASSETS_PATH in c.get("/api-docs").text
        assert c.get("/docs").status_code == 404
        assert c.post("/api-docs").status_code == 405  # only GET is the docs page


def test_wrapping_twice_wraps_once():
    app = FastAPI()
    once = with_offline_docs(app)
    assert once is not app and with_offline_docs(once) is once and once.app is app
