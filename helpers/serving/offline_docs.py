"""Serve FastAPI's /docs and /redoc with Swagger UI and ReDoc from a pinned package, so they work offline.

FastAPI's own docs pages load Swagger UI and ReDoc from a CDN, so they are blank on a
hub behind a firewall or a laptop on a train. `with_offline_docs(app)` wraps a FastAPI
app: requests for its `docs_url` and `redoc_url` get the same pages FastAPI builds
(`fastapi.openapi.docs`), with the scripts, stylesheet and favicon served by the wrapper
from the files the `fastapi-offline` package ships. Every other request goes to the app
unchanged, and the app object itself is not touched (its routes stay what the learner wrote).
URLs start with the ASGI `root_path`, so the pages also work behind jupyter-server-proxy
(`/proxy/PORT/docs`) and JupyterHub (`/user/NAME/proxy/PORT/docs`).
`helpers.serve` applies it to every FastAPI app; apps run in their own process can
call it on the app they hand to uvicorn.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Where the wrapper serves the assets: a path no course app uses.
ASSETS_PATH = "/_offline_docs"
ASSETS = {  # file name -> media type, all from fastapi-offline's static folder
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}


def assets_dir() -> Path:
    """Return the folder of Swagger UI and ReDoc files that the pinned `fastapi-offline` package installs."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).resolve().parent / "static"


@functools.cache
def _asset(name: str) -> bytes:
    return (assets_dir() / name).read_bytes()


def _is_fastapi(app: Any) -> bool:
    try:
        from fastapi import FastAPI
    except ImportError:  # a course without FastAPI installed has nothing to wrap
        return False
    return isinstance(app, FastAPI)


def _route_path(scope: dict) -> str:
    """Return the path the app routes on: the request path without the `root_path` prefix, as Starlette does."""
    path, root = scope.get("path", "/"), scope.get("root_path", "").rstrip("/")
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root) :] or "/"
    return path


def _uses_fastapi_page(app: Any, path: str | None, endpoint: str) -> bool:
    """Tell whether `path` is served by FastAPI's own docs page (a learner's own route there is left alone)."""
    if not path or not app.openapi_url:
        return False
    return any(
        getattr(r, "path", None) == path and getattr(getattr(r, "endpoint", None), "__name__", "") == endpoint
        for r in app.routes
    )


def swagger_html(app: Any, root_path: str) -> str:
    """Return the Swagger UI page FastAPI would build for `app`, with every asset URL under `root_path`."""
    from fastapi.openapi.docs import get_swagger_ui_html

    root = root_path.rstrip("/")
    oauth2 = app.swagger_ui_oauth2_redirect_url
    response = get_swagger_ui_html(
        openapi_url=root + app.openapi_url,
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS_PATH}/favicon.png",
        oauth2_redirect_url=root + oauth2 if oauth2 else None,
        init_oauth=app.swagger_ui_init_oauth,
        # validatorUrl None: Swagger UI would otherwise send the schema to an online validator.
        swagger_ui_parameters={"validatorUrl": None, **(app.swagger_ui_parameters or {})},
    )
    return response.body.decode()


def redoc_html(app: Any, root_path: str) -> str:
    """Return the ReDoc page FastAPI would build for `app`, its script under `root_path` and no web fonts."""
    from fastapi.openapi.docs import get_redoc_html

    root = root_path.rstrip("/")
    response = get_redoc_html(
        openapi_url=root + app.openapi_url,
        title=f"{app.title} - ReDoc",
        redoc_js_url=f"{root}{ASSETS_PATH}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSETS_PATH}/favicon.png",
        with_google_fonts=False,  # fonts from a CDN would be one more thing that fails offline
    )
    return response.body.decode()


async def _send(send: Callable, status: int, body: bytes, media_type: str, cache: bool = False) -> None:
    headers = [(b"content-type", media_type.encode()), (b"content-length", str(len(body)).encode())]
    if cache:
        headers.append((b"cache-control", b"public, max-age=3600"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def with_offline_docs(app: Any) -> Any:
    """Return an ASGI app that serves `app`'s /docs and /redoc offline; any other app comes back unchanged."""
    if not _is_fastapi(app) or getattr(app, "_course_offline_docs", False):
        return app

    async def offline_docs(scope: dict, receive: Callable, send: Callable) -> None:
        if scope.get("type") != "http" or scope.get("method") not in ("GET", "HEAD"):
            await app(scope, receive, send)
            return
        path = _route_path(scope)
        if path.startswith(ASSETS_PATH + "/") and path[len(ASSETS_PATH) + 1 :] in ASSETS:
            name = path[len(ASSETS_PATH) + 1 :]
            await _send(send, 200, _asset(name), ASSETS[name], cache=True)
        elif path == app.docs_url and _uses_fastapi_page(app, path, "swagger_ui_html"):
            await _send(send, 200, swagger_html(app, scope.get("root_path", "")).encode(), "text/html; charset=utf-8")
        elif path == app.redoc_url and _uses_fastapi_page(app, path, "redoc_html"):
            await _send(send, 200, redoc_html(app, scope.get("root_path", "")).encode(), "text/html; charset=utf-8")
        else:
            await app(scope, receive, send)

    offline_docs._course_offline_docs = True  # type: ignore[attr-defined]
    offline_docs.app = app  # type: ignore[attr-defined]
    return offline_docs
