"""Run a real nginx in front of a server of the course: a reverse proxy on 127.0.0.1, one per name.

    proxy = start_nginx(app.url, buffering=True, static="helpers/apps/static")
    proxy.url          # http://127.0.0.1:PORT: requests go to the app, /static/ is served by nginx
    proxy.config_text  # the nginx.conf it runs, to show in a notebook
    proxy.stop()       # or helpers.stop_all(), or start another under the same name, or let the kernel exit

The configuration is the smallest one that does the job, rendered into the proxy's own folder with every
path nginx writes (pid, error log, temporary files) inside it, and `daemon off`, so the kernel owns the
master process. When the kernel is root, the master and its workers run as nobody: no `user` directive.
"""

from __future__ import annotations

import http.client
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from helpers.numbers import require_number
from helpers.services.base import (
    HOST,
    Package,
    Service,
    find_programs,
    identity,
    make_folder,
    readable_by_others,
    registry,
    start,
    validate_start,
)

PACKAGE = Package("nginx", "nginx", folders=("/usr/sbin", "/usr/local/sbin"))
PROGRAMS = ("nginx",)
DEFAULT_DEADLINE = 20.0
READY_PATH = "/.course-nginx-ready"  # answered by nginx itself: a worker is serving
REQUEST_TIMEOUT = 2.0  # seconds: the helper's own readiness request
LOOPBACK = ("127.0.0.1", "localhost")
_STATIC_URL_RE = re.compile(r"^/[A-Za-z0-9_./-]*/$")
_SAFE_PATH_RE = re.compile(r'^[^"\'\s;{}$\\]+$')  # a path that needs no quoting inside nginx.conf
# The few types the course serves; nginx answers anything else as application/octet-stream.
MIME_TYPES = {
    "text/html": "html htm",
    "text/css": "css",
    "text/plain": "txt",
    "application/javascript": "js",
    "application/json": "json",
    "image/png": "png",
    "image/jpeg": "jpg jpeg",
    "image/svg+xml": "svg",
    "image/x-icon": "ico",
    "font/woff2": "woff2",
}

_proxies = registry("nginx proxy")


@dataclass(frozen=True)
class ProxyConfig:
    """What the nginx.conf says: where requests go, whether nginx buffers them, what it serves itself."""

    upstream: str  # "127.0.0.1:PORT"
    buffering: bool = True
    static: Path | None = None
    static_url: str = "/static/"
    workers: int = 1
    worker_connections: int = 1024


def upstream_address(upstream: Any) -> str:
    """Return 'host:port' for an upstream given as 'host:port', a URL, or a server with a `url` (loopback only)."""
    text = getattr(upstream, "url", upstream)
    if not isinstance(text, str):
        raise ValueError(f"upstream must be 'host:port', a URL or a server with .url, got {upstream!r}")
    parts = urlsplit(text if "//" in text else f"http://{text}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.hostname not in LOOPBACK or not port or parts.scheme != "http":
        raise ValueError(
            f"upstream must be an http server on 127.0.0.1 with a port (e.g. '127.0.0.1:8000'), got {text!r}"
        )
    return f"{HOST}:{port}"


def render_config(config: ProxyConfig, folder: Path, port: int, log: Path) -> str:
    """Return the nginx.conf text for `config`, listening on 127.0.0.1:`port`, with every written path in `folder`."""
    buffering = "on" if config.buffering else "off"
    types = "\n".join(f"        {mime} {exts};" for mime, exts in MIME_TYPES.items())
    static = ""
    if config.static is not None:
        static = f"""
        # Files nginx sends itself, without the application.
        location {config.static_url} {{
            alias {config.static}/;
        }}
"""
    return f"""# Written by helpers.services.nginx for one throwaway proxy: every path it writes is in {folder}.
daemon off;  # the kernel owns this process: it stops it, and its workers with it
worker_processes {config.workers};
pid {folder}/nginx.pid;
error_log {log} warn;

events {{
    worker_connections {config.worker_connections};
}}

http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    types {{
{types}
    }}
    default_type application/octet-stream;

    upstream app {{
        server {config.upstream};
        keepalive 16;  # reuse connections to the application, as production set-ups do
    }}

    server {{
        listen {HOST}:{port};
        server_name _;

        location = {READY_PATH} {{
            return 204;
        }}
{static}
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # Buffering: nginx reads a slow client's whole request, and takes the application's whole
            # response, so a worker of the application is never held by a slow client.
            proxy_request_buffering {buffering};
            proxy_buffering {buffering};
        }}
    }}
}}
"""


class Nginx(Service):
    """A running nginx proxy: its URL, its configuration, and stop()."""

    kind = "nginx"  # SIGTERM, the default stop signal, is nginx's fast shutdown (SIGQUIT would wait)

    def __init__(self, name: str, port: int, config: ProxyConfig) -> None:
        who = identity(self.kind)
        super().__init__(name, make_folder("nginx", name, who), port, who, _proxies)
        self.config = config
        self._config_text = ""

    @property
    def url(self) -> str:
        """Return the proxy's base URL, e.g. http://127.0.0.1:PORT."""
        return f"http://{self.host}:{self.port}"

    @property
    def config_path(self) -> Path:
        """Return the path of the nginx.conf it runs."""
        return self.folder / "nginx.conf"

    @property
    def config_text(self) -> str:
        """Return the nginx.conf it runs (read when it started: the folder goes when it stops)."""
        return self._config_text

    def _repr_html_(self) -> str:
        state = "running" if self.running else "stopped"
        buffering = "buffering" if self.config.buffering else "not buffering"
        return (
            f"<code>{self.name}</code>: nginx, {state} at <code>{self.url}</code>, {buffering}, "
            f"in front of <code>{self.config.upstream}</code>"
        )


def _answers(port: int, timeout: float) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", READY_PATH)
        return conn.getresponse().status == 204
    except OSError:
        return False
    finally:
        conn.close()


def start_nginx(
    upstream: Any,
    name: str = "nginx",
    *,
    buffering: bool = True,
    static: str | os.PathLike | None = None,
    static_url: str = "/static/",
    workers: int = 1,
    worker_connections: int = 1024,
    port: int = 0,
    deadline: float = DEFAULT_DEADLINE,
    bin_dir: str | None = None,
) -> Nginx:
    """Start nginx in front of `upstream` (e.g. '127.0.0.1:8000' or a server); replace any proxy called `name`.

    buffering=False turns off nginx's request and response buffering (proxy_request_buffering and
    proxy_buffering), so a slow client holds the application's worker again. `static` is a folder nginx
    serves itself under `static_url`. `bin_dir` is the folder of the nginx program (PATH or /usr/sbin otherwise).
    """
    validate_start(name, port, deadline)
    address = upstream_address(upstream)
    if not isinstance(buffering, bool):
        raise ValueError(f"buffering must be True or False, got {buffering!r}")
    require_number("workers", workers, 1, 16, integer=True)
    require_number("worker_connections", worker_connections, 16, 65536, integer=True)
    if not isinstance(static_url, str) or not _STATIC_URL_RE.match(static_url):
        raise ValueError(f"static_url must start and end with '/', e.g. '/static/', got {static_url!r}")
    folder = None
    if static is not None:
        folder = Path(static).resolve()
        if not folder.is_dir() or not _SAFE_PATH_RE.match(str(folder)):
            raise ValueError(f"static must be an existing folder whose path has no spaces or quotes, got {static!r}")
    programs = find_programs(PACKAGE, PROGRAMS, bin_dir)
    config = ProxyConfig(address, buffering, folder, static_url, workers, worker_connections)

    def launch(proxy: Nginx) -> None:
        if folder is not None and proxy.identity.prefix and not readable_by_others(folder):
            raise ValueError(
                f"nginx runs as nobody here (the kernel is root), and nobody may not read {folder}: "
                "serve a folder others may read (chmod o+rx on it and the folders above it)"
            )
        proxy._config_text = render_config(config, proxy.folder, proxy.port, proxy.log_path)
        proxy.config_path.write_text(proxy._config_text)
        # -e: nginx opens its error log before it reads the configuration; -p: relative paths resolve here.
        argv = [programs["nginx"], "-p", f"{proxy.folder}/", "-c", str(proxy.config_path), "-e", str(proxy.log_path)]
        proxy.spawn(argv)
        proxy.wait_until_ready(lambda left: _answers(proxy.port, min(REQUEST_TIMEOUT, left)), deadline)

    return start(lambda p: Nginx(name, p, config), _proxies, name, port, launch)


def get_nginx(name: str = "nginx") -> Nginx:
    """Return the running nginx proxy called `name`."""
    return _proxies.get(name)


def stop_nginx() -> int:
    """Stop every nginx proxy this kernel started; return how many."""
    return _proxies.stop_all()
