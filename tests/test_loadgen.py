"""The out-of-process load generator: every request counted once, failures named, bad parameters refused."""

from __future__ import annotations

import socket
import threading
import time

import psutil
import pytest
from flask import Flask

from helpers import serve
from helpers.concurrency.loadgen import LoadResult, run_load, start_load


def no_client_left() -> bool:
    end = time.monotonic() + 5
    while time.monotonic() < end:
        if not [p for p in psutil.Process().children(recursive=True) if "loadgen_client" in " ".join(p.cmdline())]:
            return True
        time.sleep(0.05)
    return False


def counting_app():
    app = Flask("t-loadgen")
    app.hits = []

    @app.get("/n/<int:i>")
    def n(i):
        app.hits.append(i)
        return {"i": i}

    @app.get("/fail")
    def fail():
        return {"error": "no"}, 500

    return app


class DroppingServer:
    """A raw HTTP/1.1 server that answers requests but hangs up without a word on every `drop_every`-th one.

    With `drop_reused` it answers each connection's first request only and hangs up on the next, as a worker
    shutting down closes a kept-alive connection just as a request arrives on it.
    """

    def __init__(self, drop_every: int = 0, silent: bool = False, drop_reused: bool = False) -> None:
        self.drop_every, self.silent, self.drop_reused = drop_every, silent, drop_reused
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self.lock = threading.Lock()
        self.stopping = False
        self.stopped = threading.Event()
        self.conns: list[socket.socket] = []
        self.threads = [threading.Thread(target=self.accept, daemon=True)]
        self.threads[0].start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def accept(self) -> None:
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.conns.append(conn)
            t = threading.Thread(target=self.serve, args=(conn,), daemon=True)
            self.threads.append(t)
            t.start()

    def serve(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        buffer = b""
        served = 0
        try:
            while not self.stopping:
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(4096)
                    if not data:
                        return
                    buffer += data
                _, buffer = buffer.split(b"\r\n\r\n", 1)
                with self.lock:
                    self.count += 1
                    k = self.count
                if self.silent:
                    self.stopped.wait(30)  # say nothing until the test stops the server
                    return
                if self.drop_every and k % self.drop_every == 0:
                    return  # hang up: the request is lost
                if self.drop_reused and served:
                    return  # hang up on a kept-alive connection before a byte of the answer
                served += 1
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        except OSError:
            return
        finally:
            conn.close()

    def stop(self) -> None:
        self.stopping = True
        self.stopped.set()
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.sock.close()
        for t in self.threads:
            t.join(12)


def test_every_request_is_counted_once(no_leaks):
    app = counting_app()
    with serve(app, "t-loadgen") as srv:
        result = run_load(srv.url, "/n/1", connections=6, requests=60, processes=2, progress=False)
    assert isinstance(result, LoadResult)
    assert result.requests == result.ok == 60 == len(app.hits)
    assert result.errors == {}
    assert all(s <= e for s, e in zip(result.starts, result.ends))
    assert 0 < result.percentile(50) <= result.percentile(95) <= result.percentile(99) <= result.makespan
    assert result.throughput == pytest.approx(60 / result.makespan)
    assert set(result.summary()) >= {"requests", "ok", "errors", "req_per_s", "p50_ms", "p95_ms", "p99_ms"}
    assert no_client_left()


def test_a_timed_run_sends_for_its_seconds_and_counts_each_request_once(no_leaks):
    app = counting_app()
    with serve(app, "t-loadgen-timed") as srv:
        result = run_load(srv.url, "/n/1", connections=4, processes=2, seconds=0.6, warm=True, progress=False)
    assert result.seconds == 0.6 and result.requests == result.ok == len(app.hits) > 4
    # The clients stop starting requests at 0.6 s and finish those in flight: a few ms past it, not seconds.
    assert 0.55 <= result.makespan < 1.5
    assert no_client_left()


def test_warm_keep_alive_connections_are_opened_once_each(no_leaks):
    from helpers.apps import serving_fastapi

    with serve(serving_fastapi.app, "t-loadgen-keep") as srv:  # uvicorn keeps connections alive
        result = run_load(srv.url, "/json", connections=4, seconds=0.3, warm=True, progress=False)
    assert result.ok == result.requests > 4
    assert result.opened == 4  # opened before the clock, reused for every request


def test_a_server_that_closes_after_each_answer_makes_the_clients_reconnect(no_leaks):
    app = counting_app()

    @app.after_request
    def close(response):
        response.headers["Connection"] = "close"  # what gunicorn's sync worker does
        return response

    with serve(app, "t-loadgen-close") as srv:
        result = run_load(srv.url, "/n/1", connections=2, requests=20, progress=False)
    assert result.ok == 20 and result.opened == 20


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"seconds": 0}, "seconds must be seconds (a number) in (0, 600]"),
        ({"seconds": 1, "requests": 10}, "give requests or seconds, not both"),
    ],
)
def test_a_timed_run_refuses_bad_seconds(kwargs, words):
    with pytest.raises(ValueError) as info:
        run_load("http://127.0.0.1:9", "/", progress=False, **kwargs)
    assert words in str(info.value)


def test_warm_connections_are_opened_before_the_clock():
    server = DroppingServer()
    try:
        result = run_load(server.url, "/", connections=5, requests=20, warm=True, progress=False)
    finally:
        server.stop()
    assert result.ok == 20 == server.count


def test_a_server_that_drops_requests_is_caught():
    server = DroppingServer(drop_every=3)
    try:
        result = run_load(server.url, "/", connections=4, requests=30, processes=2, progress=False)
    finally:
        server.stop()
    assert result.requests == 30  # every request recorded once, the lost ones too
    assert result.errors.get("dropped", 0) == 30 - result.ok >= 8
    assert result.ok + sum(result.errors.values()) == 30
    assert len(result.latencies) == result.ok


def test_a_get_a_stale_keep_alive_connection_lost_is_sent_again_only_when_asked(no_leaks):
    server = DroppingServer(drop_reused=True)
    try:
        plain = run_load(server.url, "/", connections=2, requests=20, progress=False)
        retrying = run_load(server.url, "/", connections=2, requests=20, progress=False, retry_stale=True)
    finally:
        server.stop()
    # Without retries every second request on a connection is lost; with them each is sent again on a new one.
    assert plain.errors.get("dropped", 0) >= 8 and plain.retried == 0
    assert retrying.ok == retrying.requests == 20 and retrying.errors == {}
    assert retrying.retried >= 8 and retrying.opened >= 10


def test_a_request_lost_on_a_new_connection_is_never_sent_again(no_leaks):
    server = DroppingServer(drop_every=1)  # hangs up on every request, first ones included
    try:
        result = run_load(server.url, "/", connections=2, requests=6, progress=False, retry_stale=True)
    finally:
        server.stop()
    assert result.errors == {"dropped": 6} and result.retried == 0


def test_error_statuses_are_counted(no_leaks):
    with serve(counting_app(), "t-loadgen-500") as srv:
        result = run_load(srv.url, "/fail", connections=2, requests=6, progress=False)
    assert result.ok == 0 and result.errors == {"status 500": 6}
    assert result.throughput == 0.0


def test_requests_that_never_answer_time_out():
    server = DroppingServer(silent=True)
    t0 = time.monotonic()
    try:
        result = run_load(server.url, "/", connections=3, requests=3, timeout=0.5, progress=False)
        took = time.monotonic() - t0
    finally:
        server.stop()
    assert result.errors == {"timeout": 3}
    assert took < 10


def test_a_closed_port_is_refused():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_load(f"http://127.0.0.1:{port}", "/", connections=2, requests=4, progress=False)
    assert result.errors == {"refused": 4}


def test_start_load_holds_connections_until_stopped():
    server = DroppingServer(silent=True)
    try:
        run = start_load(server.url, "/", connections=10, timeout=30)
        assert run.wait_sent(deadline=10) == 10
        time.sleep(0.2)
        assert server.count == 10
        run.stop()
        assert no_client_left()
    finally:
        server.stop()


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"connections": 0}, "connections must be an int in [1, 5000]"),
        ({"connections": 10, "requests": 5}, "requests must be an int in [10, 100000]"),
        ({"connections": 2, "processes": 3}, "processes must be an int in [1, 2]"),
        ({"timeout": 0}, "timeout must be seconds"),
        ({"connections": 1.5}, "connections must be an int"),
    ],
)
def test_bad_parameters_say_what_is_allowed(kwargs, words):
    with pytest.raises(ValueError) as info:
        run_load("http://127.0.0.1:9", "/", progress=False, **kwargs)
    assert words in str(info.value)


@pytest.mark.parametrize(
    "url, path",
    [("https://127.0.0.1:9", "/"), ("127.0.0.1:9", "/"), ("http://127.0.0.1:9", "x"), ("http://127.0.0.1:9", "/a b")],
)
def test_bad_urls_and_paths(url, path):
    with pytest.raises(ValueError, match="url must|path must"):
        run_load(url, path, progress=False)
