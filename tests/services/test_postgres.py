"""PostgreSQL started by the course: it answers, honours max_connections, and leaves nothing behind when stopped."""

from __future__ import annotations

import asyncio
import os
import pwd
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

import helpers
from helpers.services import postgres
from helpers.services.base import ServiceError, ServiceNotInstalledError, ServiceTimeoutError
from helpers.services.postgres import get_postgres, start_postgres, stop_postgres
from tests.services.conftest import left_behind, require, uids_of

NAME = "t-postgres"


@pytest.fixture(autouse=True)
def programs():
    """Skip where PostgreSQL is missing (fail in CI); stop every server a test left."""
    require(postgres.PACKAGE, postgres.PROGRAMS)
    yield
    stop_postgres()


def test_it_answers_sync_async_and_sqlalchemy_queries_never_as_root_and_stops_leaving_nothing():
    db = start_postgres(NAME)
    with psycopg.connect(db.dsn) as conn:
        assert conn.execute("SELECT current_user, current_database(), 1 + 1").fetchone() == ("course", "course", 2)

    async def async_query() -> int:
        async with await psycopg.AsyncConnection.connect(db.dsn) as conn:
            cur = await conn.execute("SELECT pg_backend_pid() > 0")
            return (await cur.fetchone())[0]

    assert asyncio.run(async_query()) is True
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine(db.url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("SELECT inet_server_addr()::text")).scalar() == "127.0.0.1/32"
    finally:
        engine.dispose()
    assert db.django_database()["PORT"] == str(db.port)
    # Bound to loopback only, with its socket in its own folder.
    assert db.query("SHOW listen_addresses") == [("127.0.0.1",)]
    assert any(p.name.startswith(".s.PGSQL.") for p in db.folder.iterdir())
    # And never as root: PostgreSQL refuses it, so a root kernel's server runs as nobody.
    uids = uids_of(db.processes())
    assert len(db.processes()) >= 3  # the postmaster and its helpers
    assert uids == ({pwd.getpwnam("nobody").pw_uid} if os.geteuid() == 0 else {os.getuid()}), uids
    # Stopped, it leaves no process, no listening port and no folder (its data and socket were in it).
    pids, port, folder = [p.pid for p in db.processes()], db.port, db.folder
    db.stop()
    assert not left_behind(pids, port, folder)
    db.stop()  # idempotent
    with pytest.raises(KeyError, match=NAME):
        get_postgres(NAME)


def test_starting_twice_under_one_name_replaces_the_first():
    first = start_postgres(NAME)
    pids, port, folder = [p.pid for p in first.processes()], first.port, first.folder
    second = start_postgres(NAME, port=port)  # even on the same port: the first frees it
    assert not left_behind(pids, None, folder)
    assert get_postgres(NAME) is second and second.running and not first.running and second.port == port
    assert second.query("SELECT 1") == [(1,)]


def test_stop_all_stops_it():
    db = start_postgres(NAME)
    pids, port, folder = [p.pid for p in db.processes()], db.port, db.folder
    assert helpers.stop_all() >= 1
    assert not left_behind(pids, port, folder)


def test_the_kernels_exit_stops_it():
    code = (
        "from helpers.services.postgres import start_postgres\n"
        "db = start_postgres('t-exit')\n"
        "print(db.port, db.folder, *[p.pid for p in db.processes()])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    port, folder, *pids = done.stdout.split()
    assert pids and not left_behind([int(p) for p in pids], int(port), Path(folder))


def connect_when_a_slot_frees(dsn: str, deadline: float = 60.0) -> psycopg.Connection:
    """Connect, waiting for the slot of a connection just closed (a refused one, or held_connections' own).

    PostgreSQL frees a slot when the backend has exited, which on CI's loaded core came after the next connect
    (seen: "too many clients already" on the 3.12 lane). A deadline to wait for, not a time asserted.
    """
    end = time.monotonic() + deadline
    while True:
        try:
            return psycopg.connect(dsn)
        except psycopg.OperationalError as exc:
            if "too many clients" not in str(exc) or time.monotonic() > end:
                raise
            time.sleep(0.2)


def test_max_connections_is_honoured_with_the_servers_own_errors():
    db = start_postgres(NAME, max_connections=5, reserved_connections=2)
    held = [psycopg.connect(db.dsn) for _ in range(3)]  # the application's role gets 5 - 2
    try:
        assert db.held_connections() == 3
        with pytest.raises(psycopg.OperationalError, match="reserved for"):
            held.append(psycopg.connect(db.dsn))
        held += [connect_when_a_slot_frees(db.admin_dsn) for _ in range(2)]  # the superuser takes the last two
        with pytest.raises(psycopg.OperationalError, match="too many clients already"):
            held.append(psycopg.connect(db.admin_dsn))
    finally:
        for conn in held:
            conn.close()


def test_missing_programs_give_one_clear_message(tmp_path):
    (tmp_path / "initdb").write_text("")  # present but not executable: still missing
    with pytest.raises(ServiceNotInstalledError) as err:
        start_postgres(NAME, bin_dir=str(tmp_path))
    message = str(err.value)
    assert "initdb and postgres not found" in message
    assert "apt-get install -y postgresql" in message and "binder/apt.txt" in message
    assert not list(tmp_path.parent.glob(f"course-postgres-{NAME}-*"))  # nothing was made


def test_a_missed_deadline_names_the_service_its_port_and_its_log():
    with pytest.raises(ServiceTimeoutError, match=r"PostgreSQL 't-postgres' did not answer on 127\.0\.0\.1:\d+") as e:
        start_postgres(NAME, deadline=0.001)
    assert "Its log says" in str(e.value)
    with pytest.raises(KeyError):
        get_postgres(NAME)


def test_a_setting_it_refuses_quotes_its_log():
    with pytest.raises(ServiceError, match="exited with code") as e:
        start_postgres(NAME, settings={"no_such_setting": "1"})
    assert "no_such_setting" in str(e.value)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"max_connections": 0}, "max_connections"),
        ({"max_connections": 3, "reserved_connections": 3}, "reserved_connections"),
        ({"database": "Robert'); DROP"}, "database"),
        ({"name": "bad name"}, "name"),
    ],
)
def test_bad_arguments_are_refused_before_anything_starts(kwargs, expected):
    with pytest.raises(ValueError, match=expected):
        start_postgres(**{"name": NAME, **kwargs})
