"""Browser links to in-kernel servers, locally and behind jupyter-server-proxy."""

from __future__ import annotations

import html
import os

from helpers.numbers import require_number


def proxy_prefix() -> str:
    """Return the Jupyter server's URL prefix: JupyterHub's per-user path, or '/'."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/") or "/"
    if not prefix.startswith("/"):
        prefix = "/" + prefix
    return prefix if prefix.endswith("/") else prefix + "/"


def on_jupyterhub() -> bool:
    """Tell whether this kernel runs under JupyterHub or Binder."""
    return bool(os.environ.get("JUPYTERHUB_SERVICE_PREFIX"))


def _check(port: object, path: object) -> None:
    require_number("port", port, 1, 65535, integer=True)
    if not isinstance(path, str):
        raise TypeError(f"path must be a str like '/admin/', got {path!r}")


def proxy_url(port: int, path: str = "/") -> str:
    """Return the jupyter-server-proxy path that reaches `port` (trailing slash kept)."""
    _check(port, path)
    return f"{proxy_prefix()}proxy/{port}/{path.lstrip('/')}"


def direct_url(port: int, path: str = "/") -> str:
    """Return the loopback URL of `port`, which works when the browser runs on this machine."""
    _check(port, path)
    return f"http://127.0.0.1:{port}/{path.lstrip('/')}"


def browser_url(port: int, path: str = "/") -> str:
    """Return the link a learner should click: the proxy on JupyterHub, loopback otherwise."""
    _check(port, path)
    return proxy_url(port, path) if on_jupyterhub() else direct_url(port, path)


def link_html(name: str, port: int, path: str = "/") -> str:
    """Return an HTML snippet with the link to click and the alternative route."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str like 'django', got {name!r}")
    _check(port, path)
    main = browser_url(port, path)
    other = direct_url(port, path) if on_jupyterhub() else proxy_url(port, path)
    other_label = "on this machine" if on_jupyterhub() else "through Jupyter's proxy"
    esc = html.escape
    return (
        f'<a href="{esc(main)}" target="_blank">open {esc(name)}</a>'
        f' <small>(or <a href="{esc(other)}" target="_blank">{esc(other_label)}</a>)</small>'
    )
