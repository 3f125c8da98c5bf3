"""Redis started by the course: it answers PING, keeps to its memory limit, and leaves nothing behind when stopped."""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import redis as redis_py

import helpers
import helpers.services.redis as redis_service
from helpers.services import base, redis
from helpers.services.base import ServiceNotInstalledError, ServiceTimeoutError
from helpers.services.redis import get_redis, start_redis, stop_redis
from tests.services.conftest import left_behind, require, uids_of

NAME = "t-redis"


@pytest.fixture(autouse=True)
def programs():
    """Skip where Redis is missing (fail in CI); stop every server a test left."""
    require(redis.PACKAGE, redis.PROGRAMS)
    yield
    stop_redis()


def client(url: str) -> redis_py.Redis:
    return redis_py.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def test_it_starts_and_answers_ping_over_tcp_and_its_socket():
    server = start_redis(NAME)
    assert server.ping()
    with client(server.url) as r:
        assert r.ping() is True
        r.set("job", "receipt")
        assert r.get("job") == b"receipt"
    with redis_py.Redis(unix_socket_path=server.socket_path, socket_timeout=2) as r:
        assert r.get("job") == b"receipt"
        assert r.config_get("bind") == {"bind": "127.0.0.1"}
        assert r.config_get("save") == {"save": ""}  # nothing written to disk


def test_it_never_runs_as_root():
    server = start_redis(NAME)
    uids = uids_of(server.processes())
    assert uids == ({pwd.getpwnam("nobody").pw_uid} if os.geteuid() == 0 else {os.getuid()}), uids


def test_stop_leaves_no_process_port_or_folder():
    server = start_redis(NAME)
    pids, port, folder = [p.pid for p in server.processes()], server.port, server.folder
    server.stop()
    assert pids and not left_behind(pids, port, folder)
    assert not server.ping(0.5)
    with pytest.raises(KeyError, match=NAME):
        get_redis(NAME)


def test_starting_twice_under_one_name_replaces_the_first():
    first = start_redis(NAME)
    pids, port, folder = [p.pid for p in first.processes()], first.port, first.folder
    second = start_redis(NAME, port=port)
    assert not left_behind(pids, None, folder)
    assert get_redis(NAME) is second and second.port == port and second.ping()


def test_stop_all_stops_it():
    server = start_redis(NAME)
    pids, port, folder = [p.pid for p in server.processes()], server.port, server.folder
    assert helpers.stop_all() >= 1
    assert not left_behind(pids, port, folder)


def test_the_kernels_exit_stops_it():
    code = (
        "from helpers.services.redis import start_redis\n"
        "r = start_redis('t-exit')\n"
        "print(r.port, r.folder, *[p.pid for p in r.processes()])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    port, folder, *pids = done.stdout.split()
    assert pids and not left_behind([int(p) for p in pids], int(port), Path(folder))


def test_its_memory_limit_is_honoured_with_the_servers_own_error():
    server = start_redis(NAME, maxmemory_mb=1)
    with client(server.url) as r, pytest.raises(redis_py.exceptions.OutOfMemoryError, match="maxmemory"):
        for i in range(64):
            r.set(f"k{i}", b"x" * 64_000)


def test_a_missing_program_gives_one_clear_message(tmp_path):
    with pytest.raises(ServiceNotInstalledError) as err:
        start_redis(NAME, bin_dir=str(tmp_path))
    message = str(err.value)
    assert f"redis-server not found in {tmp_path}" in message
    assert "apt-get install -y redis-server" in message and "binder/apt.txt" in message


def test_a_missed_deadline_names_the_service_and_its_port(monkeypatch):
    # A server that never answers its PING, whatever the machine's speed (a tiny deadline alone raced a fast start).
    monkeypatch.setattr(redis_service, "_ping", lambda *args: False)
    with pytest.raises(ServiceTimeoutError, match=r"Redis 't-redis' did not answer on 127\.0\.0\.1:\d+ within"):
        start_redis(NAME, deadline=0.5)


def test_a_port_taken_after_it_was_chosen_is_retried_on_another(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([taken.getsockname()[1], base.free_port()])
        monkeypatch.setattr(base, "free_port", lambda: next(ports))
        server = start_redis(NAME)
        assert server.port != taken.getsockname()[1] and server.ping()
