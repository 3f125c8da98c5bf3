"""Serve WSGI and ASGI apps from background threads of this kernel, one per name."""

from __future__ import annotations

import atexit
import contextlib
import functools
import html
import inspect
import io
import posixpath
import re
import socket
import ssl
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from helpers.numbers import require_number
from helpers.serving import links, logs
from helpers.serving.offline_docs import with_offline_docs
from helpers.serving.registry import Registry

HOST = "127.0.0.1"  # loopback only: nothing the course serves is reachable from outside
DEFAULT_DEADLINE = 10.0
DEFAULT_TIMEOUT = 10.0
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_INTERFACES = ("auto", "wsgi", "asgi")
_LIFESPANS = ("auto", "on", "off")  # uvicorn's choices


class ServerStartError(RuntimeError):
    """A server did not start: the message says why and what to try."""


_servers: Registry[Server] = Registry("server", in_stop_all=True)


def _is_asgi(app: Any) -> bool:
    """Tell an ASGI app (async, three arguments) from a WSGI one (sync, two)."""
    if inspect.iscoroutinefunction(app):
        return True
    call = app.__call__ if callable(app) else None  # an instance whose __call__ is async
    return inspect.iscoroutinefunction(call)


def _is_django_asgi(app: Any) -> bool:
    """Django's ASGIHandler refuses the lifespan protocol, so uvicorn must not send it."""
    return type(app).__module__.startswith("django.")


def relative_location(location: str, public_path: str, prefix: str) -> str:
    """Turn a redirect target built under `prefix` into one relative to the page the browser is on."""
    # jupyter-server-proxy prefixes every Location that starts with "/" with its own
    # path, even one the app already built under X-Forwarded-Prefix, which doubles the
    # prefix (/proxy/P/proxy/P/admin/login/). A relative reference is left alone by the
    # proxy and resolves to the same page in the browser, with or without that rewrite.
    # Targets outside the prefix ("/docs" from an app that ignores it) are the proxy's to fix.
    parts = urllib.parse.urlsplit(location)
    prefix = prefix.rstrip("/")
    if parts.scheme or parts.netloc or not (parts.path == prefix or parts.path.startswith(prefix + "/")):
        return location
    base = public_path[: public_path.rfind("/") + 1] or "/"
    relative = posixpath.relpath(parts.path, base)
    if relative == ".":
        relative = "./"
    elif parts.path.endswith("/"):
        relative += "/"
    if ":" in relative.split("/", 1)[0]:
        relative = "./" + relative  # "a:b" would read as a URL scheme
    return urllib.parse.urlunsplit(("", "", relative, parts.query, parts.fragment))


def _wsgi_middleware(app: Callable) -> Callable:
    """Send `wsgi.errors` to the log buffer and honour jupyter-server-proxy's prefix."""

    def wrapped(environ: dict, start_response: Callable) -> Any:
        environ["wsgi.errors"] = logs.stream
        prefix = environ.get("HTTP_X_FORWARDED_PREFIX", "")
        if not prefix:
            return app(environ, start_response)
        # Like werkzeug's ProxyFix(x_prefix=1): apps build links under the prefix.
        environ["SCRIPT_NAME"] = prefix.rstrip("/") + environ.get("SCRIPT_NAME", "")
        public_path = environ["SCRIPT_NAME"] + environ.get("PATH_INFO", "")

        def start(status: str, headers: list, exc_info: Any = None) -> Any:
            if status[:1] == "3":
                headers = [
                    (k, relative_location(v, public_path, prefix) if k.lower() == "location" else v) for k, v in headers
                ]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return app(environ, start)

    return wrapped


def _asgi_middleware(app: Callable) -> Callable:
    """Honour jupyter-server-proxy's prefix by setting the ASGI `root_path`."""

    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        if scope.get("type") not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        prefix = next(
            (v.decode("latin-1").rstrip("/") for k, v in scope.get("headers", ()) if k == b"x-forwarded-prefix" and v),
            "",
        )
        if not prefix:
            await app(scope, receive, send)
            return
        path = scope.get("path", "/")
        public_path = path if path.startswith(prefix + "/") else prefix + path
        scope = dict(scope, root_path=prefix)

        async def send_relative(message: dict) -> None:
            if message.get("type") == "http.response.start" and 300 <= message.get("status", 200) < 400:
                message = dict(
                    message,
                    headers=[
                        (
                            k,
                            relative_location(v.decode("latin-1"), public_path, prefix).encode("latin-1")
                            if k.lower() == b"location"
                            else v,
                        )
                        for k, v in message.get("headers", ())
                    ],
                )
            await send(message)

        await app(scope, receive, send_relative)

    return wrapped


class Requests:
    """One request at a time, each on a short-lived connection, for anything whose `client(timeout)` reaches it."""

    def client(self, timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> httpx.Client:
        raise NotImplementedError

    def request(self, method: str, path: str = "/", **kwargs: Any) -> httpx.Response:
        """Send one request on a short-lived connection and return the response."""
        timeout = kwargs.pop("timeout", DEFAULT_TIMEOUT)
        with self.client(timeout=timeout) as c:
            response = c.request(method, path, **kwargs)
            response.read()
            return response

    def get(self, path: str = "/", **kwargs: Any) -> httpx.Response:
        """GET `path` from this server."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str = "/", **kwargs: Any) -> httpx.Response:
        """POST to `path` on this server."""
        return self.request("POST", path, **kwargs)


class Server(Requests):
    """One app served from a background thread: its URL, clients, link and stop()."""

    def __init__(self, name: str, app: Any, interface: str) -> None:
        self.name = name
        self.app = app
        self.interface = interface
        self.host = HOST
        self.port: int = 0
        self.started_in: float = float("nan")  # seconds from start() to the first answer
        self._thread: threading.Thread | None = None
        self._impl: Any = None
        self._stopped = False

    # -- what a notebook uses ------------------------------------------------
    @property
    def url(self) -> str:
        """Return the base URL, e.g. http://127.0.0.1:PORT."""
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """Tell whether the server thread is alive and not stopped."""
        return bool(self._thread and self._thread.is_alive() and not self._stopped)

    def client(self, timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> httpx.Client:
        """Return an httpx.Client for this server, with a timeout on every call."""
        kwargs.setdefault("verify", _ssl_context())
        return httpx.Client(base_url=self.url, timeout=_timeout(timeout), **kwargs)

    def async_client(
        self, timeout: float = DEFAULT_TIMEOUT, max_connections: int = 100, **kwargs: Any
    ) -> httpx.AsyncClient:
        """Return an httpx.AsyncClient; raise `max_connections` for concurrent load."""
        require_number("max_connections", max_connections, 1, integer=True)
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        kwargs.setdefault("verify", _ssl_context())
        return httpx.AsyncClient(base_url=self.url, timeout=_timeout(timeout), limits=limits, **kwargs)

    def browser_url(self, path: str = "/") -> str:
        """Return the URL a learner's browser should open."""
        return links.browser_url(self.port, path)

    def link(self, path: str = "/") -> ServerLink:
        """Return a clickable link to `path` that follows this server's name across re-runs and stops."""
        return ServerLink(self.name, path)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, close the socket and join the thread (idempotent)."""
        _servers.discard(self.name, self)
        if self._stopped:
            return
        self._stopped = True
        if self.interface == "wsgi":
            _stop_wsgi(self._impl, self._thread, timeout)
        else:
            _stop_asgi(self._impl, self._thread, timeout)
        with _servers.lock:
            if _servers.find(self.name) is None:  # replaced by a new server: serve() refreshes the links
                ServerLink.refresh(self.name)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Server {self.name!r} {self.interface.upper()} {state} at {self.url}>"

    def _repr_html_(self) -> str:
        # No clickable link here: a stored repr would outlive the server. `link()` follows it.
        state = "running" if self.running else "stopped"
        return (
            f"<code>{self.name}</code>: {self.interface.upper()} server {state} at "
            f"<code>{self.url}</code> (<code>.link()</code> gives a link to click)"
        )


class ServerLink:
    """A link to a server by name: shown once, then kept up to date wherever it was shown.

    Re-running a cell that starts a server under the same name moves every earlier link to
    the new port; stopping the server turns them into a note saying which cell to re-run.
    Stored notebooks therefore never hold a link to a server that is gone. `lookup` finds
    the server now running under a name (threads here, processes in `serving.processes`).
    """

    _shown: dict[str, list[tuple[Any, str, Callable[[str], Any]]]] = {}  # name -> [(handle, path, lookup)]

    def __init__(self, name: str, path: str = "/", lookup: Callable[[str], Any] | None = None) -> None:
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"path must start with '/', like '/admin/', got {path!r}")
        self.name = name
        self.path = path
        self.lookup = lookup or _servers.find

    @staticmethod
    def bundle(
        name: str, path: str, lookup: Callable[[str], Any] | None = None
    ) -> tuple[dict[str, str], dict[str, Any]]:
        """Return the (data, metadata) to display for `name`'s link as things stand now."""
        server = (lookup or _servers.find)(name)
        meta = {"helpers": {"server_link": name}}
        if server is not None and server.running:
            html_ = links.link_html(f"{name} {path}", server.port, path)
            return {"text/html": html_, "text/plain": f"link to {name} {path}"}, meta
        note = (
            f"<code>{name}</code> is not running: re-run the cell that starts it "
            f'(it names <code>"{name}"</code>) and this link comes back.'
        )
        return {"text/html": note, "text/plain": f"{name} is not running: re-run the cell that starts it"}, meta

    @staticmethod
    def stored_bundle(name: str) -> tuple[dict[str, str], dict[str, Any]]:
        """Return the (data, metadata) a stored notebook shows for `name`'s link: no kernel has started it yet."""
        # A reader of the stored notebook has run nothing: "not running" would read as a failure.
        note = f"Run this notebook to start <code>{html.escape(name)}</code>: its link appears here."
        return (
            {"text/html": note, "text/plain": f"Run this notebook to start {name}: its link appears here."},
            {"helpers": {"server_link": name}},
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        data, meta = self.bundle(self.name, self.path, self.lookup)
        handle = display(data, metadata=meta, raw=True, display_id=True)
        if handle is not None:
            self._shown.setdefault(self.name, []).append((handle, self.path, self.lookup))

    @classmethod
    def refresh(cls, name: str) -> None:
        """Update every link to `name` shown so far (after a start, a replacement or a stop)."""
        for handle, path, lookup in cls._shown.get(name, []):
            data, meta = cls.bundle(name, path, lookup)
            try:
                handle.update(data, metadata=meta, raw=True)
            except Exception:  # no kernel to send to (a script, or shutdown): nothing to update
                pass


def show_links(servers: Iterable[Server], path: str = "/") -> None:
    """Show a link to each server, one per line, each kept up to date like `Server.link()`."""
    from IPython.display import display

    for server in servers:
        display(server.link(path))


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """Build one SSL context for all clients: httpx builds one per client otherwise (~20 ms)."""
    return ssl.create_default_context()


def _timeout(seconds: float) -> httpx.Timeout:
    require_number("timeout", seconds, 0, 600, low_open=True, unit="seconds")
    return httpx.Timeout(float(seconds))


# -- WSGI: werkzeug's server, with its connections tracked ---------------------
def _wsgi_server_class(threaded: bool) -> type:
    from werkzeug.serving import BaseWSGIServer, ThreadedWSGIServer

    base = ThreadedWSGIServer if threaded else BaseWSGIServer

    class TrackingServer(base):  # type: ignore[misc, valid-type]
        """Remember open connections so stop() can close idle keep-alive ones."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.open_connections: set[socket.socket] = set()
            super().__init__(*args, **kwargs)

        def get_request(self) -> tuple[socket.socket, Any]:
            conn, addr = super().get_request()
            self.open_connections.add(conn)
            return conn, addr

        def shutdown_request(self, request: Any) -> None:
            self.open_connections.discard(request)
            super().shutdown_request(request)

        def handle_error(self, request: Any, client_address: Any) -> None:
            # socketserver prints these to stderr, which lands in a random cell.
            logs.stream.write(f"werkzeug ERROR from {client_address}:\n{traceback.format_exc()}")

    return TrackingServer


def _start_wsgi(server: Server, port: int, threaded: bool) -> None:
    cls = _wsgi_server_class(threaded)
    captured = io.StringIO()
    try:
        # werkzeug prints why a bind failed, then calls sys.exit(1).
        with contextlib.redirect_stderr(captured):
            impl = cls(HOST, port, _wsgi_middleware(server.app))
    except SystemExit:
        reason = " ".join(captured.getvalue().split()) or "the port could not be bound"
        raise ServerStartError(
            f"{server.name!r} could not listen on {HOST}:{port}: {reason}. Use port=0 (the default) to get a free port."
        ) from None
    except OSError as exc:
        raise ServerStartError(f"{server.name!r} could not listen on {HOST}:{port}: {exc}") from None
    impl.timeout = 0.05
    server._impl = impl
    server.port = impl.server_address[1]
    # poll_interval=0.05: shutdown() waits for at most one poll (the default 0.5 s is slow).
    server._thread = threading.Thread(
        target=impl.serve_forever,
        kwargs={"poll_interval": 0.05},
        daemon=True,
        name=f"helpers-wsgi-{server.name}",
    )
    server._thread.start()


def _stop_wsgi(impl: Any, thread: threading.Thread | None, timeout: float) -> None:
    if impl is None:
        return
    # What shutdown() sets, without its unbounded wait: a single-threaded server
    # busy in a slow handler would otherwise hang the cell.
    impl._BaseServer__shutdown_request = True
    if thread is not None:
        thread.join(timeout)
    for conn in list(impl.open_connections):
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)
    impl.server_close()


# -- ASGI: uvicorn's Server in a thread with its own event loop ---------------
def _start_asgi(server: Server, port: int, lifespan: str, options: dict[str, Any]) -> None:
    import uvicorn

    if lifespan == "auto" and _is_django_asgi(server.app):
        lifespan = "off"
    config = uvicorn.Config(
        # FastAPI's /docs and /redoc load Swagger UI and ReDoc from this machine, not a CDN.
        _asgi_middleware(with_offline_docs(server.app)),
        host=HOST,
        port=port,
        lifespan=lifespan,
        log_config=None,  # keep uvicorn from reconfiguring logging on every start
        access_log=False,
        loop="asyncio",
        **options,
    )
    impl = uvicorn.Server(config)
    server._impl = impl

    def run() -> None:
        try:
            impl.run()
        except SystemExit:
            pass  # uvicorn logs why, then exits; serve() reports it from the log

    server._thread = threading.Thread(target=run, daemon=True, name=f"helpers-asgi-{server.name}")
    server._thread.start()


def _wait_asgi_started(server: Server, deadline: float, log_mark: int) -> None:
    impl, thread = server._impl, server._thread
    # A bind error or a failing lifespan only logs and ends the thread, so
    # wait for `started` only while the thread is alive.
    while not impl.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.002)
    if impl.started:
        server.port = impl.servers[0].sockets[0].getsockname()[1]
        return
    if not thread.is_alive():
        raise ServerStartError(f"{server.name!r} stopped while starting. The server said:\n{_logs_since(log_mark)}")
    raise ServerStartError(f"{server.name!r} did not start within the deadline")


def _stop_asgi(impl: Any, thread: threading.Thread | None, timeout: float) -> None:
    if impl is None:
        return
    impl.should_exit = True
    if thread is None:
        return
    thread.join(min(timeout, 2.0))
    if thread.is_alive():
        # Requests still in flight: stop waiting for them.
        impl.force_exit = True
        thread.join(timeout)


def _logs_since(mark: int) -> str:
    return "\n".join(logs.logs_since(mark)[-15:]) or "(nothing)"


def _validate(
    name: Any,
    app: Any,
    interface: Any,
    port: Any,
    threaded: Any,
    deadline: Any,
    ready_path: Any,
    lifespan: Any,
    uvicorn_options: dict[str, Any],
) -> str:
    """Check every argument of `serve` before anything starts; return the interface to use."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(
            f"name must be 1-40 characters of letters, digits, '_', '.', '-' "
            f"starting with a letter or digit, got {name!r}"
        )
    if not callable(app):
        raise TypeError(f"app must be a WSGI or ASGI callable, got {type(app).__name__}")
    if interface not in _INTERFACES:
        raise ValueError(f"interface must be one of {_INTERFACES}, got {interface!r}")
    require_number("port (0 picks a free port)", port, 0, 65535, integer=True)
    require_number("deadline", deadline, 0, 120, low_open=True, unit="seconds")
    if not isinstance(ready_path, str) or not ready_path.startswith("/"):
        raise ValueError(f"ready_path must be a path starting with '/', got {ready_path!r}")
    if not isinstance(threaded, bool):
        raise ValueError(f"threaded must be True or False, got {threaded!r}")
    if lifespan not in _LIFESPANS:
        raise ValueError(f"lifespan must be one of {_LIFESPANS}, got {lifespan!r}")
    kind = interface if interface != "auto" else ("asgi" if _is_asgi(app) else "wsgi")
    if kind == "wsgi" and uvicorn_options:
        raise TypeError(f"options {sorted(uvicorn_options)} apply to ASGI apps only")
    if kind == "asgi" and not threaded:
        raise ValueError("threaded=False applies to WSGI apps only: an ASGI server has one event loop")
    return kind


def serve(
    app: Any,
    name: str,
    *,
    interface: str = "auto",
    port: int = 0,
    threaded: bool = True,
    deadline: float = DEFAULT_DEADLINE,
    ready_path: str = "/",
    lifespan: str = "auto",
    **uvicorn_options: Any,
) -> Server:
    """Serve `app` on 127.0.0.1 under `name`, replacing any server of that name.

    WSGI apps (Flask, Django's WSGIHandler) run on werkzeug's server, one
    thread per request when `threaded`, one request at a time otherwise.
    ASGI apps (FastAPI, Django's ASGIHandler) run on uvicorn's event loop in
    a thread of their own. Returns once the server has answered an HTTP
    request on `ready_path` (any status counts), or raises ServerStartError
    within `deadline` seconds.
    """
    kind = _validate(name, app, interface, port, threaded, deadline, ready_path, lifespan, uvicorn_options)
    with _servers.lock:
        old = _servers.find(name)
        if old is not None:
            old.stop()
        if port:
            for other in _servers.running():
                if other.port == port:
                    raise ServerStartError(
                        f"port {port} is taken by server {other.name!r}: stop it first, "
                        "or use port=0 (the default) to get a free port"
                    )
        server = Server(name, app, kind)
        logs.capture_server_logs()
        logs.capture_app_logger(app)
        log_mark = logs.mark()
        t0 = time.perf_counter()
        end = time.monotonic() + deadline
        try:
            if kind == "wsgi":
                _start_wsgi(server, port, threaded)
            else:
                _start_asgi(server, port, lifespan, uvicorn_options)
                _wait_asgi_started(server, end, log_mark)
            _wait_until_answers(server, end, ready_path)
        except BaseException:
            # Also on KeyboardInterrupt: never leave a half-started server behind.
            server.stop(timeout=1.0)
            raise
        server.started_in = time.perf_counter() - t0
        _servers.add(name, server)
        ServerLink.refresh(name)  # links shown for an older server of this name now reach this one
        return server


def _wait_until_answers(server: Server, end: float, ready_path: str) -> None:
    last_error: Exception | None = None
    while time.monotonic() < end:
        if not server._thread.is_alive():
            raise ServerStartError(f"{server.name!r} stopped while starting")
        remaining = max(0.05, end - time.monotonic())
        try:
            with httpx.Client(timeout=remaining, verify=_ssl_context()) as c:
                c.get(server.url + ready_path)
            return
        except httpx.TimeoutException as exc:
            last_error = exc
            break
        except httpx.TransportError as exc:
            last_error = exc
            time.sleep(0.01)
    raise ServerStartError(
        f"{server.name!r} did not answer GET {ready_path} within the deadline "
        f"({type(last_error).__name__ if last_error else 'no answer'}). "
        "Does the app block on every request? Raise deadline= if it is just slow."
    )


def serve_wsgi(app: Any, name: str, **kwargs: Any) -> Server:
    """Serve a WSGI app (see `serve`)."""
    return serve(app, name, interface="wsgi", **kwargs)


def serve_asgi(app: Any, name: str, **kwargs: Any) -> Server:
    """Serve an ASGI app (see `serve`)."""
    return serve(app, name, interface="asgi", **kwargs)


def list_servers() -> list[Server]:
    """Return the servers this kernel is running, oldest first."""
    return _servers.running()


def get_server(name: str) -> Server:
    """Return the running server called `name`."""
    return _servers.get(name)


def stop_servers() -> int:
    """Stop every in-kernel server (not server processes: `helpers.stop_all` stops both); return how many."""
    return _servers.stop_all()


atexit.register(stop_servers)
