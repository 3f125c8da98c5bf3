"""Serve Django's static files (the admin's CSS and JS) right behind jupyter-server-proxy."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler, StaticFilesHandler
from django.contrib.staticfiles.storage import StaticFilesStorage
from django.contrib.staticfiles.views import serve
from django.urls import get_script_prefix
from django.utils.encoding import filepath_to_uri


class PrefixedStaticFilesStorage(StaticFilesStorage):
    """Build static URLs under each request's script prefix, not the one seen first."""

    # Django adds the script prefix to a relative STATIC_URL once and caches it, so a
    # kernel that first answered http://127.0.0.1:PORT/ would send proxied pages to
    # /static/... at the Jupyter server's root, where nothing is. The prefix is per
    # request (a thread-local set by Django's handler), so ask for it on every call.
    def url(self, name: str | None) -> str:
        """Return the URL of static file `name` under the current script prefix."""
        if name is None:
            raise ValueError("name of a static file is needed, got None")
        return f"{get_script_prefix()}static/{filepath_to_uri(name).lstrip('/')}"


class _ByPathInfo:
    """Find the file from PATH_INFO: request.path also holds the proxy's prefix."""

    def serve(self, request: Any) -> Any:
        """Serve the static file the request names, in DEBUG or not."""
        return serve(request, self.file_path(request.path_info), insecure=True)


class StaticFiles(_ByPathInfo, StaticFilesHandler):
    """Django as WSGI, with its static files served too (as runserver does)."""


class ASGIStaticFiles(_ByPathInfo, ASGIStaticFilesHandler):
    """Django as ASGI, with its static files served too."""
