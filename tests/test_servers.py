"""The in-kernel server helpers: serving, replacing, stopping, failing clearly."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from flask import Flask

from helpers import ServerStartError, get_server, list_servers, serve, serve_asgi, serve_wsgi, server_logs
from helpers.serving import django_kernel
from helpers.serving.logs import logs_since
from helpers.serving.logs import mark as logs_mark
from helpers.serving.servers import ServerLink, relative_location, stop_servers
from tests.conftest import listening_ports, settle


def flask_app() -> Flask:
    app = Flask("t")

    @app.get("/")
    def index():
        return {"framework": "flask"}

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom from flask")

    return app


def fastapi_app() -> FastAPI:
    app = FastAPI()

    @app.get("/")
    async def index():
        return {"framework": "fastapi"}

    return app


def bare_wsgi(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"bare wsgi"]


async def bare_asgi(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"bare asgi"})


def django_wsgi():
    from django.http import JsonResponse
    from django.urls import path

    django_kernel.setup_django()
    django_kernel.set_urls("test-servers", [path("", lambda r: JsonResponse({"framework": "django"}))])
    return django_kernel.wsgi_app()


def django_asgi():
    django_wsgi()
    return django_kernel.asgi_app()


APPS = {
    "flask": (flask_app, "wsgi", "flask"),
    "fastapi": (fastapi_app, "asgi", "fastapi"),
    "bare-wsgi": (lambda: bare_wsgi, "wsgi", "bare wsgi"),
    "bare-asgi": (lambda: bare_asgi, "asgi", "bare asgi"),
    "django-wsgi": (django_wsgi, "wsgi", "django"),
    "django-asgi": (django_asgi, "asgi", "django"),
}


@pytest.mark.parametrize("kind", list(APPS))
def test_serves_every_kind_of_app_and_detects_its_interface(kind, no_leaks):
    factory, interface, marker = APPS[kind]
    with serve(factory(), f"t-{kind}") as srv:
        assert srv.interface == interface
        assert srv.running and srv.port > 0
        r = srv.get("/")
        assert r.status_code == 200 and marker in r.text.lower()
    assert not srv.running


def test_binds_loopback_only_per_the_socket_table(no_leaks):
    for srv in (serve(flask_app(), "t-lo-wsgi"), serve(fastapi_app(), "t-lo-asgi")):
        ips = {ip for ip, port in listening_ports() if port == srv.port}
        assert ips == {"127.0.0.1"}


def test_long_lived_server_keeps_serving_across_calls(no_leaks):
    srv = serve(flask_app(), "t-long")
    assert [s.name for s in list_servers()] == ["t-long"]
    assert get_server("t-long") is srv
    for _ in range(3):
        assert srv.get("/").status_code == 200
    with srv.client() as c:
        assert c.timeout.read == pytest.approx(10.0)
        assert c.get("/").json() == {"framework": "flask"}
    srv.stop()
    srv.stop()  # idempotent
    assert list_servers() == []


def test_async_client_with_many_connections(no_leaks):
    srv = serve(fastapi_app(), "t-async")

    async def fetch_all():
        async with srv.async_client(max_connections=20) as c:
            return await asyncio.gather(*(c.get("/") for _ in range(20)))

    assert all(r.status_code == 200 for r in asyncio.run(fetch_all()))


@pytest.mark.parametrize("factory", [flask_app, fastapi_app], ids=["wsgi", "asgi"])
def test_rerunning_a_cell_replaces_the_server_without_leaks(factory, no_leaks):
    first = serve(factory(), "t-rerun")
    first_port = first.port
    threads = threading.active_count()
    ports = listening_ports()
    for _ in range(5):
        latest = serve(factory(), "t-rerun")
    assert not first.running
    assert first_port not in {p for _, p in listening_ports()}
    assert len(list_servers()) == 1 and list_servers()[0] is latest
    assert settle(threads) <= threads
    assert len(listening_ports()) == len(ports)


def test_explicit_port_can_be_reused_by_the_same_name(no_leaks):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    a = serve(flask_app(), "t-fixed", port=port)
    b = serve(flask_app(), "t-fixed", port=port)  # re-run: no "address already in use"
    assert b.port == port and not a.running


def test_stop_servers_stops_every_server_and_counts(no_leaks):
    serve(flask_app(), "t-a")
    serve(fastapi_app(), "t-b")
    assert stop_servers() == 2
    assert list_servers() == []
    assert stop_servers() == 0


def test_stop_servers_runs_at_interpreter_exit():
    # The observer is registered first, so atexit runs it last: after stop_servers.
    code = (
        "import atexit\n"
        "atexit.register(lambda: print('left running:', len(__import__('helpers').list_servers())))\n"
        "import helpers\n"
        "helpers.serve(lambda e, s: (s('200 OK', []), [b'x'])[1], 'exit-test', interface='wsgi')\n"
        "print('serving:', len(helpers.list_servers()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "serving: 1" in out.stdout and "left running: 0" in out.stdout


@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
def test_busy_port_gives_a_clear_error_fast(interface, no_leaks):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        app = bare_wsgi if interface == "wsgi" else bare_asgi
        t0 = time.monotonic()
        with pytest.raises(ServerStartError) as err:
            serve(app, "t-busy", port=port, deadline=5)
        assert time.monotonic() - t0 < 5
    message = str(err.value)
    assert "t-busy" in message and ("in use" in message.lower() or "address" in message.lower())
    assert list_servers() == []


def test_port_held_by_another_helper_server_is_named(no_leaks):
    a = serve(flask_app(), "t-holder")
    with pytest.raises(ServerStartError, match="t-holder"):
        serve(flask_app(), "t-other", port=a.port)


def test_app_failing_at_startup_is_reported_with_its_error(no_leaks):
    @asynccontextmanager
    async def lifespan(app):
        raise RuntimeError("database unreachable")
        yield

    app = FastAPI(lifespan=lifespan)
    t0 = time.monotonic()
    with pytest.raises(ServerStartError, match="database unreachable"):
        serve(app, "t-lifespan", deadline=5)
    assert time.monotonic() - t0 < 5


@pytest.mark.parametrize("threaded", [True, False])
def test_server_that_never_answers_times_out_within_the_deadline(threaded, no_leaks):
    release = threading.Event()

    def stuck(environ, start_response):
        release.wait(10)
        start_response("200 OK", [])
        return [b"late"]

    t0 = time.monotonic()
    try:
        with pytest.raises(ServerStartError, match="did not answer"):
            serve(stuck, "t-stuck", interface="wsgi", threaded=threaded, deadline=0.5)
        assert time.monotonic() - t0 < 3
    finally:
        release.set()


def test_blocked_asgi_server_still_stops(no_leaks):
    async def slow(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/slow":
            await asyncio.sleep(30)
        await bare_asgi(scope, receive, send)

    srv = serve(slow, "t-slow")

    def call_slow():
        with contextlib.suppress(httpx.HTTPError):
            srv.get("/slow", timeout=5)

    client = threading.Thread(target=call_slow)
    client.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    srv.stop(timeout=2)
    assert time.monotonic() - t0 < 5
    client.join(6)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"name": ""}, "name"),
        ({"name": "has space"}, "name"),
        ({"port": -1}, "port"),
        ({"port": 70000}, "port"),
        ({"port": "80"}, "port"),
        ({"deadline": 0}, "deadline"),
        ({"deadline": 1e9}, "deadline"),
        ({"interface": "cgi"}, "interface"),
        ({"ready_path": "health"}, "ready_path"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, match):
    args = {"name": "t-bad", **kwargs}
    with pytest.raises(ValueError, match=match):
        serve(bare_wsgi, **args)


def test_non_callable_app_is_a_type_error():
    with pytest.raises(TypeError, match="WSGI or ASGI"):
        serve("not an app", "t-bad")


def test_interface_specific_options_are_checked():
    with pytest.raises(TypeError, match="ASGI apps only"):
        serve_wsgi(bare_wsgi, "t-opt", limit_concurrency=3)
    with pytest.raises(ValueError, match="WSGI apps only"):
        serve_asgi(bare_asgi, "t-opt", threaded=False)


def test_bad_client_arguments_name_the_parameter(no_leaks):
    with serve(bare_wsgi, "t-client") as srv:
        with pytest.raises(ValueError, match="timeout"):
            srv.client(timeout=-1)
        with pytest.raises(ValueError, match="max_connections"):
            srv.async_client(max_connections=0)


def test_server_errors_go_to_the_log_not_to_stderr(capfd, no_leaks):
    with serve(flask_app(), "t-logs") as srv:
        assert srv.get("/boom").status_code == 500
    out, err = capfd.readouterr()
    assert "boom from flask" not in out + err
    assert "boom from flask" in server_logs(200)


def test_a_flask_traceback_is_logged_once(no_leaks):
    from flask.logging import default_handler

    app = flask_app()
    # In a kernel the root logger has no handler, so Flask gives the app's logger its own (under pytest it has one).
    app.logger.addHandler(default_handler)
    mark = logs_mark()
    with serve(app, "t-logs-once") as srv:
        assert srv.get("/boom").status_code == 500
    logged = "\n".join(logs_since(mark))
    # Flask's default handler also writes to wsgi.errors: the same traceback must not be stored twice.
    assert logged.count("Exception on /boom [GET]") == 1 and logged.count("RuntimeError: boom from flask") == 1


def test_unknown_server_name_lists_the_running_ones(no_leaks):
    serve(bare_wsgi, "t-known")
    with pytest.raises(KeyError, match="t-known"):
        get_server("nope")


def test_forwarded_prefix_reaches_wsgi_and_asgi_apps(no_leaks):
    """jupyter-server-proxy sends X-Forwarded-Prefix; apps must build links under it."""
    prefix = {"X-Forwarded-Prefix": "/user/ana/proxy/1234"}
    with serve(django_wsgi(), "t-prefix-dj") as srv:
        r = srv.get("/admin/", headers=prefix)
        assert r.status_code == 302
        # Relative, so jupyter-server-proxy's own Location rewrite can't double the prefix.
        page = "https://hub.example.org/user/ana/proxy/1234/admin/"
        target = urllib.parse.urljoin(page, r.headers["location"])
        assert target.startswith("https://hub.example.org/user/ana/proxy/1234/admin/login/?next=")
        assert not r.headers["location"].startswith("/")
        assert srv.get("/admin/").headers["location"].startswith("/admin/login/")  # no proxy: unchanged
    app = FastAPI()
    app.get("/old")(lambda: RedirectResponse("/docs"))

    @app.get("/older")
    def older(request: Request) -> RedirectResponse:
        return RedirectResponse(request.scope["root_path"] + "/docs")

    with serve(app, "t-prefix-fa") as srv:
        moved = srv.get("/old", headers=prefix)
        # Starlette's redirect ignores root_path: left root-relative for the proxy to prefix.
        assert moved.status_code == 307 and moved.headers["location"] == "/docs", moved.headers
        assert srv.get("/older", headers=prefix).headers["location"] == "docs"
        assert "/user/ana/proxy/1234/openapi.json" in srv.get("/docs", headers=prefix).text
        assert "'/openapi.json'" in srv.get("/docs").text or '"/openapi.json"' in srv.get("/docs").text


def test_repr_and_link_show_the_url(no_leaks, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    with serve(bare_wsgi, "t-repr") as srv:
        assert srv.url in repr(srv) and "running" in repr(srv)
        data, _ = ServerLink.bundle(srv.name, srv.link().path)
        assert f"http://127.0.0.1:{srv.port}/" in data["text/html"]
        assert srv.url in srv._repr_html_()
    assert "stopped" in repr(srv)
    assert "not running" in ServerLink.bundle("t-repr", "/")[0]["text/html"]


@pytest.mark.parametrize(
    "location, page, expected",
    [
        ("/p/admin/login/?next=/p/admin/", "/p/admin/", "login/?next=/p/admin/"),
        ("/p/admin/login/", "/p/admin", "admin/login/"),
        ("/p/admin/", "/p/admin/", "./"),
        ("/p/", "/p/admin/books/", "../../"),
        ("/p/docs", "/p/old", "docs"),
        ("/p/a:b", "/p/x", "./a:b"),
        ("https://elsewhere.example/x", "/p/", "https://elsewhere.example/x"),
        ("login/", "/p/admin/", "login/"),
        ("/docs", "/p/old", "/docs"),  # outside the prefix: jupyter-server-proxy prefixes it itself
        ("/pp/x", "/p/old", "/pp/x"),
    ],
)
def test_relative_location_resolves_to_the_same_page(location, page, expected):
    """A redirect made relative lands where the absolute one pointed."""
    assert relative_location(location, page, "/p") == expected
    base = "https://hub.example.org" + page
    assert urllib.parse.urljoin(base, expected) == urllib.parse.urljoin(base, location)
