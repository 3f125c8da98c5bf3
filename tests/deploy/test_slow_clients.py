"""Slow clients hold gunicorn's sync workers; nginx's buffering frees them."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from helpers.deploy import slow_clients as sc
from helpers.deploy.slow_clients import SlowClients, slow_clients


@pytest.fixture(scope="module")
def measured():
    """One run of all three arrangements, shared by the tests that read it (about 12 s)."""
    from helpers.services import nginx
    from tests.services.conftest import require

    require(nginx.PACKAGE, nginx.PROGRAMS)
    return slow_clients(4, workers=2, seconds=1.5, request_timeout=1.0, arrangements=sc.ARRANGEMENTS)


def test_alone_the_slow_clients_hold_every_sync_worker(measured):
    alone = measured["alone"]
    assert alone.done == 0, alone  # 4 slow uploads, 2 workers: no normal request is answered
    assert alone.failed >= 2 and set(alone.errors) == {"timeout"}, alone
    assert alone.slow_connected == 4


def test_behind_nginx_normal_requests_go_through(measured):
    behind, alone = measured["nginx"], measured["alone"]
    assert behind.done >= 50, behind  # hundreds to thousands on a quiet machine
    assert behind.done > 20 * max(1, alone.done)
    assert behind.failed == 0, behind.errors
    assert 0 < behind.p50_ms <= behind.p95_ms < 1000  # answered within the request timeout


def test_without_buffering_nginx_protects_nothing(measured):
    # proxy_request_buffering off: nginx streams each slow body to a worker as it comes, so the workers are held again.
    unbuffered = measured["nginx-unbuffered"]
    assert unbuffered.done == 0, unbuffered
    assert measured["nginx"].done > 20 * max(1, unbuffered.done)


@pytest.fixture(scope="module")
def measured_reads():
    """Slow downloads instead of slow uploads: the answer is what holds the worker now (about 12 s)."""
    from helpers.services import nginx
    from tests.services.conftest import require

    require(nginx.PACKAGE, nginx.PROGRAMS)
    return slow_clients(4, workers=2, seconds=1.0, request_timeout=1.0, arrangements=sc.ARRANGEMENTS, mode="read")


def test_slow_readers_hold_the_workers_unless_nginx_buffers_the_answer(measured_reads):
    assert measured_reads.mode == "read"
    assert measured_reads["alone"].done == 0, measured_reads["alone"]
    assert measured_reads["nginx-unbuffered"].done == 0, measured_reads["nginx-unbuffered"]  # proxy_buffering off
    behind = measured_reads["nginx"]
    assert behind.done >= 50 and behind.failed == 0, behind
    assert all(a.slow_connected == 4 for a in measured_reads.arrangements)  # no reader gave up or was cut off


def test_rows_are_plain_data(measured):
    rows = measured.rows()
    assert [r["name"] for r in rows] == list(sc.ARRANGEMENTS)
    assert all(r["failed"] == sum(r["errors"].values()) for r in rows)
    with pytest.raises(KeyError, match="measured"):
        measured["gevent"]


def test_a_measurement_leaves_nothing_running(needs_nginx, no_processes_left, no_leaks):
    result = slow_clients(3, workers=1, seconds=0.3, request_timeout=0.3, arrangements=("nginx",))
    assert result["nginx"].done > 0


def test_slow_clients_trickle_their_bodies_and_close():
    """Against a plain socket server: the head arrives at once, the body CHUNK bytes per INTERVAL."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        received = bytearray()

        def read() -> None:
            conn, _ = listener.accept()
            conn.settimeout(5)
            with conn:
                while chunk := conn.recv(1024):
                    received.extend(chunk)

        reader = threading.Thread(target=read)
        reader.start()
        clients = SlowClients("127.0.0.1", port, 1, body_bytes=400)
        clients.start()
        time.sleep(sc.INTERVAL * 2.5)
        clients.stop()
        reader.join(5)
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    assert b"POST /upload HTTP/1.1" in head and b"Content-Length: 400" in head
    assert 1 * sc.CHUNK <= len(body) <= 3 * sc.CHUNK  # two or so intervals: a trickle, not the 400 bytes
    assert not reader.is_alive()  # stop() closed the connection: the server saw the end


def test_a_slow_reader_keeps_the_sender_waiting():
    """Against a plain socket server sending 16 MiB: it cannot finish while the reader takes CHUNK bytes per INTERVAL."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        outcome = []

        def send() -> None:
            conn, _ = listener.accept()
            conn.settimeout(10)
            with conn:
                conn.recv(1024)  # the request's head
                try:
                    conn.sendall(b"x" * (16 << 20))
                    outcome.append("sent all")
                except OSError as exc:
                    outcome.append(type(exc).__name__)

        sender = threading.Thread(target=send)
        sender.start()
        clients = SlowClients("127.0.0.1", port, 1, mode="read")
        clients.start()
        time.sleep(sc.INTERVAL * 2.5)
        held = sender.is_alive()
        clients.stop()
        sender.join(10)
    assert held  # still sending: the reader holds it
    assert outcome and outcome != ["sent all"]  # closing the reader ended the send with an error, not a finish
    assert not sender.is_alive()


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"slow": 0}, "slow must be an int in"),
        ({"slow": 2.5}, "slow must be an int"),
        ({"workers": 0}, "workers must be"),
        ({"seconds": -1}, "seconds must be"),
        ({"arrangements": ("alone", "haproxy")}, "arrangements must be .*'nginx-unbuffered'"),
        ({"arrangements": ()}, "arrangements must be"),
        ({"arrangements": ("alone", "alone")}, "distinct"),
        ({"mode": "write"}, "mode must be one of \\('send', 'read'\\)"),
    ],
)
def test_bad_input_is_refused_naming_what_is_allowed(kwargs, expected):
    with pytest.raises(ValueError, match=expected):
        slow_clients(**kwargs)
