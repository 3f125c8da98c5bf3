"""Pools shown failing: a pool smaller than its clients times out, pools past max_connections meet the server's refusal."""

from __future__ import annotations

import time

import pytest

from helpers.concurrency.db_pools import past_max_connections, pool_exhaustion
from helpers.services import postgres
from tests.services.conftest import require


@pytest.fixture(scope="module")
def db():
    require(postgres.PACKAGE, postgres.PROGRAMS)
    server = postgres.start_postgres("t-db-pools", max_connections=10, reserved_connections=3)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def no_connection_left(db):
    """Start each test with no client connection listed: a closed one's backend can take a while to exit."""
    assert settled(db) == 0


def settled(db, deadline: float = 60.0) -> int:
    """Return the connections the server lists once they stop going down, within `deadline` seconds.

    PostgreSQL lists a closed connection until its backend has exited: on CI's loaded cores that came late (seen in
    tests/services). A deadline to wait for, not a time asserted.
    """
    end = time.monotonic() + deadline
    while (held := db.held_connections()) and time.monotonic() < end:
        time.sleep(0.2)
    return held


def test_a_pool_smaller_than_its_clients_gives_sqlalchemys_timeout_error(db):
    out = pool_exhaustion(db, pool_size=2, clients=5, hold=1.0, pool_timeout=0.2)
    assert (out.clients, out.ok, out.errors) == (5, 2, {"sqlalchemy.TimeoutError": 3})
    assert out.messages["sqlalchemy.TimeoutError"].startswith("QueuePool limit of size 2 overflow 0 reached")
    assert out.held == 2
    # The three that failed gave up (after the pool timeout) before the two that got in were done.
    assert sorted(out.latencies)[2] < sorted(out.latencies)[3]


@pytest.mark.parametrize("fix", [{"pool_size": 5}, {"pool_timeout": 10.0}])
def test_a_pool_as_large_as_the_clients_or_a_longer_wait_lets_every_client_through(db, fix):
    out = pool_exhaustion(db, **{"pool_size": 2, "clients": 5, "hold": 0.3, "pool_timeout": 0.2, **fix})
    assert (out.ok, out.errors) == (5, {})
    assert out.held == fix.get("pool_size", 2)


def test_workers_times_pool_past_max_connections_meet_the_servers_own_error(db):
    out = past_max_connections(db, workers=3, pool_size=4)  # 12 wanted, 10 - 3 reserved = 7 allowed
    assert (out.clients, out.limit, out.ok, out.held) == (12, 7, 7, 7)
    assert out.errors == {"sqlalchemy.OperationalError": 5}
    assert "remaining connection slots are reserved" in out.messages["sqlalchemy.OperationalError"]
    assert settled(db) == 0  # every connection went back and closed


def test_within_max_connections_every_worker_gets_its_pool(db):
    out = past_max_connections(db, workers=2, pool_size=3)
    assert (out.ok, out.errors, out.held, out.limit) == (6, {}, 6, 7)
