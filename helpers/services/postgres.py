"""Run a real PostgreSQL server for a notebook: a throwaway cluster on 127.0.0.1, one per name.

    db = start_postgres(max_connections=20)
    db.dsn    # postgresql://course@127.0.0.1:PORT/course?connect_timeout=10  (psycopg.connect, libpq)
    db.url    # postgresql+psycopg://course@127.0.0.1:PORT/course?connect_timeout=10  (SQLAlchemy, sync and async)
    db.stop() # or helpers.stop_all(), or start another under the same name, or let the kernel exit

The cluster is made by `initdb` in a temporary folder and served by `postgres` itself (no pg_ctl, so the
kernel owns the process). Durability is switched off (fsync, synchronous commit): the data is thrown away.
Clients connect as `course`, an ordinary role owning the database `course`; PostgreSQL keeps
`reserved_connections` of `max_connections` for superusers, so `admin_dsn` (the `postgres` superuser) can
still look at `pg_stat_activity` when the application has taken every other slot.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Mapping
from typing import Any

from helpers.numbers import require_number
from helpers.services.base import (
    HOST,
    Package,
    Service,
    ServiceError,
    find_programs,
    identity,
    make_folder,
    registry,
    start,
    validate_start,
)

PACKAGE = Package("PostgreSQL", "postgresql", folders=("/usr/lib/postgresql/*/bin",))
PROGRAMS = ("initdb", "postgres")
ADMIN = "postgres"  # the superuser initdb creates
CONNECT_TIMEOUT = 10  # seconds: every DSN and URL carries it, so no client waits for ever on a connection
QUERY_TIMEOUT = 10.0  # seconds: the helper's own queries
DEFAULT_DEADLINE = 30.0
MAX_CONNECTIONS = 2000
# Throwaway data: nothing is worth an fsync. Small shared buffers keep Binder's 2 GB for the servers.
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
    "timezone": "UTC",
    "log_min_messages": "warning",
}
_IDENT_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SETTING_RE = re.compile(r"^[a-z_][a-z0-9_.]*$")

_servers = registry("PostgreSQL server")


class Postgres(Service):
    """A running PostgreSQL server: its DSN, SQLAlchemy URL, Django settings, a query helper and stop()."""

    kind = "PostgreSQL"
    # Fast shutdown: PostgreSQL ends every session and exits (SIGTERM would wait for clients to leave).
    stop_signal = signal.SIGINT

    def __init__(self, name: str, port: int, database: str, user: str, max_connections: int, reserved: int) -> None:
        who = identity(self.kind)
        super().__init__(name, make_folder("postgres", name, who), port, who, _servers)
        self.database = database
        self.user = user
        self.max_connections = max_connections
        self.reserved_connections = reserved

    @property
    def data_dir(self) -> str:
        """Return the cluster's data folder (PGDATA)."""
        return str(self.folder / "data")

    @property
    def socket_dir(self) -> str:
        """Return the folder of the server's Unix socket (libpq's host= for a socket connection)."""
        return str(self.folder)

    @property
    def dsn(self) -> str:
        """Return the libpq connection URI for the application's role and database (psycopg.connect takes it)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}?connect_timeout={CONNECT_TIMEOUT}"

    @property
    def admin_dsn(self) -> str:
        """Return the libpq URI for the superuser, who may use the reserved connections."""
        return f"postgresql://{ADMIN}@{self.host}:{self.port}/{self.database}?connect_timeout={CONNECT_TIMEOUT}"

    @property
    def url(self) -> str:
        """Return the SQLAlchemy URL (psycopg 3: create_engine and create_async_engine both take it)."""
        return self.dsn.replace("postgresql://", "postgresql+psycopg://", 1)

    def django_database(self) -> dict[str, Any]:
        """Return a DATABASES entry for Django's PostgreSQL backend (psycopg 3)."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": self.database,
            "USER": self.user,
            "HOST": self.host,
            "PORT": str(self.port),
            "OPTIONS": {"connect_timeout": CONNECT_TIMEOUT},
        }

    def query(self, sql: str, params: tuple | None = None, *, admin: bool = True, timeout: float = QUERY_TIMEOUT):
        """Run one statement and return its rows (a list of tuples; [] if it returns none), within `timeout` s.

        As the superuser by default, so it works while the application holds every ordinary connection.
        """
        require_number("timeout", timeout, 0, 600, low_open=True, unit="seconds")
        psycopg = _psycopg()
        options = f"-c statement_timeout={int(timeout * 1000)}"
        with psycopg.connect(self.admin_dsn if admin else self.dsn, options=options, autocommit=True) as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def held_connections(self) -> int:
        """Return how many connections to the application's database the server holds (pg_stat_activity)."""
        rows = self.query(
            # Client backends only: an autovacuum worker also names the database while it runs.
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
            "AND pid <> pg_backend_pid()",
            (self.database,),
        )
        return int(rows[0][0])

    def _repr_html_(self) -> str:
        state = "running" if self.running else "stopped"
        return (
            f"<code>{self.name}</code>: PostgreSQL, {state} at <code>{self.dsn}</code>, "
            f"max_connections={self.max_connections} ({self.reserved_connections} kept for superusers)"
        )


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise ServiceError(
            "the PostgreSQL driver psycopg is not installed: pip install -r requirements.txt "
            "(binder/requirements.txt pins psycopg[binary])"
        ) from None
    return psycopg


def start_postgres(
    name: str = "postgres",
    *,
    max_connections: int = 100,
    reserved_connections: int = 3,
    database: str = "course",
    user: str = "course",
    settings: Mapping[str, str] | None = None,
    port: int = 0,
    deadline: float = DEFAULT_DEADLINE,
    bin_dir: str | None = None,
) -> Postgres:
    """Start a throwaway PostgreSQL server with database `database` owned by role `user`; replace any called `name`.

    `max_connections` is the server's limit; `reserved_connections` of them are kept for superusers
    (PostgreSQL's superuser_reserved_connections, 3 by default), so the application's role gets the rest.
    `settings` adds server settings (name -> value, e.g. {"log_connections": "on"}). `bin_dir` is the
    folder of initdb and postgres (found on PATH or in /usr/lib/postgresql/VERSION/bin otherwise).
    """
    validate_start(name, port, deadline)
    require_number("max_connections", max_connections, 1, MAX_CONNECTIONS, integer=True)
    require_number("reserved_connections", reserved_connections, 0, max_connections - 1, integer=True)
    for label, ident in (("database", database), ("user", user)):
        if not isinstance(ident, str) or not _IDENT_RE.match(ident):
            raise ValueError(f"{label} must be a lower-case SQL name (letters, digits, '_'), got {ident!r}")
    extra = dict(settings or {})
    if not all(isinstance(k, str) and _SETTING_RE.match(k) and isinstance(v, str) for k, v in extra.items()):
        raise ValueError(f"settings must map setting names to strings, got {settings!r}")
    programs = find_programs(PACKAGE, PROGRAMS, bin_dir)  # one clear error before any folder is made
    _psycopg()

    def launch(db: Postgres) -> None:
        db.run(
            [
                programs["initdb"],
                "--pgdata",
                db.data_dir,
                "--username",
                ADMIN,
                "--auth",
                "trust",  # loopback and a socket in a folder only its user may enter
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
                "--no-instructions",
            ]
        )
        chosen = {
            **SETTINGS,
            **extra,
            "listen_addresses": HOST,
            "port": str(db.port),
            "unix_socket_directories": db.socket_dir,
            "max_connections": str(max_connections),
            "superuser_reserved_connections": str(reserved_connections),
        }
        argv = [programs["postgres"], "-D", db.data_dir]
        for key, value in chosen.items():
            argv += ["-c", f"{key}={value}"]
        db.spawn(argv)
        psycopg = _psycopg()

        def ready(left: float) -> bool:
            try:
                # libpq's connect_timeout is whole seconds, at least 2: a refused connection fails at once anyway.
                with psycopg.connect(
                    db.admin_dsn.replace(f"/{database}?", "/postgres?"), connect_timeout=max(2, int(left))
                ):
                    return True
            except psycopg.OperationalError:
                return False  # not listening yet, or "the database system is starting up"

        db.wait_until_ready(ready, deadline)
        with psycopg.connect(
            db.admin_dsn.replace(f"/{database}?", "/postgres?"), autocommit=True, options="-c statement_timeout=30000"
        ) as conn:
            if user != ADMIN:
                conn.execute(f'CREATE ROLE "{user}" LOGIN')
            conn.execute(f'CREATE DATABASE "{database}" OWNER "{user}"')

    return start(
        lambda p: Postgres(name, p, database, user, max_connections, reserved_connections),
        _servers,
        name,
        port,
        launch,
    )


def get_postgres(name: str = "postgres") -> Postgres:
    """Return the running PostgreSQL server called `name`."""
    return _servers.get(name)


def stop_postgres() -> int:
    """Stop every PostgreSQL server this kernel started; return how many."""
    return _servers.stop_all()
