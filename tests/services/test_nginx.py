"""nginx started by the course in front of a server: it proxies, serves static files, buffers or not, and leaves nothing."""

from __future__ import annotations

import http.server
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import helpers
import helpers.services.nginx as nginx_service
from helpers.services import nginx
from helpers.services.base import ServiceNotInstalledError, ServiceTimeoutError
from helpers.services.nginx import get_nginx, render_config, start_nginx, stop_nginx, upstream_address
from tests.services.conftest import left_behind, require, uids_of

NAME = "t-nginx"
DELAY = 0.6  # seconds the upstream waits between the two halves of /stream


class Upstream(http.server.BaseHTTPRequestHandler):
    """The application behind the proxy: it says what it saw, and streams /stream in two halves."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/stream":
            self.send_response(200)
            self.send_header("Content-Length", "11")
            self.end_headers()
            self.wfile.write(b"first")
            self.wfile.flush()
            time.sleep(DELAY)
            self.wfile.write(b"second")
            return
        body = f"app saw {self.path} for {self.headers['X-Forwarded-For']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def programs():
    """Skip where nginx is missing (fail in CI); stop every proxy a test left."""
    require(nginx.PACKAGE, nginx.PROGRAMS)
    yield
    stop_nginx()


@pytest.fixture
def app() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def static() -> Iterator[Path]:
    """A folder of static files others may read (pytest's tmp_path is closed to nobody)."""
    folder = Path(tempfile.mkdtemp(prefix="course-test-static-"))
    folder.chmod(0o755)
    (folder / "site.css").write_text("body { color: black }")
    (folder / "site.css").chmod(0o644)
    yield folder
    shutil.rmtree(folder)


def get(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read(), response.headers.get("Content-Type", "")


def first_byte_after(port: int) -> tuple[float, bytes]:
    """Return the seconds until the first half of /stream arrives through the proxy, and the whole body."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        t0 = time.perf_counter()
        conn.sendall(b"GET /stream HTTP/1.1\r\nHost: course\r\nConnection: close\r\n\r\n")
        data = b""
        while b"first" not in data:
            data += conn.recv(4096)
        seconds = time.perf_counter() - t0
        while chunk := conn.recv(4096):
            data += chunk
    return seconds, data.split(b"\r\n\r\n", 1)[1]


def test_it_proxies_to_the_app_and_serves_static_files_itself(app, static):
    proxy = start_nginx(app, NAME, static=static)
    assert get(proxy.url + "/hello") == (200, b"app saw /hello for 127.0.0.1", "")
    status, body, kind = get(proxy.url + "/static/site.css")
    assert (status, body, kind) == (200, b"body { color: black }", "text/css")
    assert "proxy_buffering on;" in proxy.config_text and f"alias {static}/;" in proxy.config_text


def test_buffering_on_holds_the_response_and_off_streams_it(app):
    # Off, the first half arrives at once; on, nginx takes the whole response before it answers.
    streamed, body = first_byte_after(start_nginx(app, NAME, buffering=False).port)
    assert body == b"firstsecond" and streamed < DELAY / 2, streamed
    held, body = first_byte_after(start_nginx(app, NAME, buffering=True).port)
    assert body == b"firstsecond" and held >= DELAY * 0.9, held


def test_every_path_it_writes_is_in_its_folder_and_it_never_runs_as_root(app):
    proxy = start_nginx(app, NAME)
    text = proxy.config_text
    assert "daemon off;" in text and "\nuser " not in text
    for directive in ("pid", "error_log", "client_body_temp_path", "proxy_temp_path"):
        line = next(line for line in text.splitlines() if line.strip().startswith(directive + " "))
        assert str(proxy.folder) in line, line
    assert f"listen 127.0.0.1:{proxy.port};" in text
    uids = uids_of(proxy.processes())
    assert len(proxy.processes()) == 2  # the master and its one worker
    assert uids == ({pwd.getpwnam("nobody").pw_uid} if os.geteuid() == 0 else {os.getuid()}), uids


def test_stop_leaves_no_process_port_or_folder(app):
    proxy = start_nginx(app, NAME)
    pids, port, folder = [p.pid for p in proxy.processes()], proxy.port, proxy.folder
    proxy.stop()
    assert pids and not left_behind(pids, port, folder)
    assert proxy.config_text  # still there to show
    with pytest.raises(KeyError, match=NAME):
        get_nginx(NAME)


def test_starting_twice_under_one_name_replaces_the_first(app):
    first = start_nginx(app, NAME)
    pids, port, folder = [p.pid for p in first.processes()], first.port, first.folder
    second = start_nginx(app, NAME, port=port, buffering=False)
    assert not left_behind(pids, None, folder)
    assert get_nginx(NAME) is second and second.port == port
    assert get(second.url + "/again")[0] == 200


def test_stop_all_stops_it(app):
    proxy = start_nginx(app, NAME)
    pids, port, folder = [p.pid for p in proxy.processes()], proxy.port, proxy.folder
    assert helpers.stop_all() >= 1
    assert not left_behind(pids, port, folder)


def test_the_kernels_exit_stops_it(app):
    code = (
        "from helpers.services.nginx import start_nginx\n"
        f"p = start_nginx({app!r}, 't-exit')\n"
        "print(p.port, p.folder, *[x.pid for x in p.processes()])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    port, folder, *pids = done.stdout.split()
    assert pids and not left_behind([int(p) for p in pids], int(port), Path(folder))


def test_a_missing_program_gives_one_clear_message(app, tmp_path):
    with pytest.raises(ServiceNotInstalledError) as err:
        start_nginx(app, NAME, bin_dir=str(tmp_path))
    assert f"nginx not found in {tmp_path}" in str(err.value)
    assert "apt-get install -y nginx" in str(err.value) and "binder/apt.txt" in str(err.value)


def test_a_missed_deadline_names_the_service_and_its_port(app, monkeypatch):
    # A proxy that never answers, whatever the machine's speed (a tiny deadline alone raced a fast start).
    monkeypatch.setattr(nginx_service, "_answers", lambda *args: False)
    with pytest.raises(ServiceTimeoutError, match=r"nginx 't-nginx' did not answer on 127\.0\.0\.1:\d+ within"):
        start_nginx(app, NAME, deadline=0.5)


@pytest.mark.skipif(os.geteuid() != 0, reason="only a root kernel runs nginx as another user")
def test_a_static_folder_nobody_may_read_is_refused_with_the_fix(app, tmp_path):
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    with pytest.raises(ValueError, match="chmod o\\+rx"):
        start_nginx(app, NAME, static=closed)


@pytest.mark.parametrize(
    "upstream, expected",
    [
        ("127.0.0.1:8000", "127.0.0.1:8000"),
        ("http://localhost:8001/", "127.0.0.1:8001"),
        (type("Server", (), {"url": "http://127.0.0.1:8002"})(), "127.0.0.1:8002"),
    ],
)
def test_the_upstream_may_be_an_address_a_url_or_a_server(upstream, expected):
    assert upstream_address(upstream) == expected


@pytest.mark.parametrize("upstream", ["example.com:80", "127.0.0.1", "https://127.0.0.1:8000", 8000])
def test_an_upstream_off_loopback_or_without_a_port_is_refused(upstream):
    with pytest.raises(ValueError, match="upstream must be"):
        upstream_address(upstream)


def test_the_rendered_config_turns_both_buffers_off_together(tmp_path):
    text = render_config(nginx.ProxyConfig("127.0.0.1:1", buffering=False), tmp_path, 2, tmp_path / "log")
    assert "proxy_buffering off;" in text and "proxy_request_buffering off;" in text and " on;" not in text
