"""One static file served four ways, the same load against each: requests per second.

    result = static_files()                    # nginx, WhiteNoise (Django), Flask, FastAPI; 1.5 s of load each
    result.rows()                              # one dict per server: req/s, p50/p95, errors, same bytes
    result["nginx"].req_per_s

- "nginx": nginx sends the file from its folder itself (`location /static/ { alias ...; }`), as gunicorn's and
  Django's deployment docs suggest (https://docs.djangoproject.com/en/5.2/howto/static-files/deployment/).
- "whitenoise": Django with WhiteNoise's middleware under gunicorn (sync workers), set up as WhiteNoise's docs
  configure Django (https://whitenoise.readthedocs.io/en/stable/django.html): `helpers.apps.deploy_django`.
- "flask": Flask's `send_from_directory` under gunicorn (sync workers): `helpers.apps.deploy_flask`.
- "fastapi": Starlette's `StaticFiles` mounted on FastAPI under uvicorn (uvloop + httptools):
  `helpers.apps.deploy_fastapi` (https://fastapi.tiangolo.com/tutorial/static-files/).

Django itself is not a contender: its `static()` view is for development only, "grossly inefficient and
probably insecure" in Django's own words (https://docs.djangoproject.com/en/5.2/howto/static-files/).
Every server runs `workers` processes (nginx `worker_processes`, gunicorn and uvicorn `--workers`), one server
at a time, and the same client processes send the same GET of the same file. The client is Python: against
nginx it, not nginx, may be the limit, so nginx's figure is a floor. gunicorn's sync workers close the
connection after each answer (no keep-alive: they are meant to sit behind nginx), so their clients reconnect
for every request; uvicorn and nginx keep connections open. A short run on a shared machine is one
sample: the course's fairness rule (>= 10 s, 3 repeats) is for figures published as such.
"""

from __future__ import annotations

import contextlib
import shutil
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from helpers.concurrency.loadgen import run_load
from helpers.numbers import require_number
from helpers.serving.processes import free_port, start_gunicorn, start_uvicorn

SERVERS = {
    "nginx": "nginx sends the file itself (alias)",
    "whitenoise": "Django + WhiteNoise middleware, gunicorn sync",
    "flask": "Flask send_from_directory, gunicorn sync",
    "fastapi": "FastAPI StaticFiles, uvicorn (uvloop + httptools)",
}
FILE_NAME = "course.css"
URL_PATH = f"/static/{FILE_NAME}"
CHECK_TIMEOUT = 5.0  # seconds: the one request that checks each server sends the file's bytes


@dataclass
class StaticServer:
    """One server's figures for the file."""

    name: str
    how: str
    req_per_s: float
    p50_ms: float
    p95_ms: float
    requests: int
    errors: dict[str, int]
    same_bytes: bool  # the body it sent is the file, byte for byte
    content_type: str


@dataclass
class StaticResult:
    """What `static_files` measured: the file, the load, and one `StaticServer` per server."""

    file_bytes: int
    seconds: float
    connections: int
    workers: int
    wsgi_threads: int = 1
    servers: list[StaticServer] = field(default_factory=list)

    def __getitem__(self, name: str) -> StaticServer:
        for s in self.servers:
            if s.name == name:
                return s
        raise KeyError(f"no server {name!r} measured; measured: {[s.name for s in self.servers]}")

    def rows(self) -> list[dict[str, Any]]:
        """Return one plain dict per server, for a table."""
        return [asdict(s) for s in self.servers]


@contextlib.contextmanager
def static_folder(size: int = 16384) -> Iterator[Path]:
    """Yield a throwaway folder holding FILE_NAME, `size` bytes of CSS-like text, readable by nginx's `nobody`."""
    require_number("size", size, 1, 50_000_000, integer=True)
    folder = Path(tempfile.mkdtemp(prefix="course-static-"))
    try:
        line = b".course { color: #0072b2; margin: 0 auto; }\n"
        data = (line * (size // len(line) + 1))[:size]
        (folder / FILE_NAME).write_bytes(data)
        # nginx runs as nobody when the kernel is root: it must be able to enter the folder and read the file.
        folder.chmod(folder.stat().st_mode | stat.S_IROTH | stat.S_IXOTH)
        (folder / FILE_NAME).chmod(0o644)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _serving(name: str, folder: Path, workers: int, threads: int = 1) -> Iterator[str]:
    """Start server `name` serving `folder` under /static/; yield its base URL; stop it after."""
    env = {"COURSE_STATIC_DIR": str(folder)}
    server: Any = None
    try:
        if name == "nginx":
            from helpers.services.nginx import start_nginx

            # Nothing listens upstream: every request here is for /static/, which nginx answers from the folder.
            server = start_nginx(f"127.0.0.1:{free_port()}", "deploy-static", static=folder, workers=workers)
        elif name == "whitenoise":
            server = start_gunicorn(
                "helpers.apps.deploy_django:wsgi",
                "deploy-static",
                workers=workers,
                threads=threads,
                ready_path=URL_PATH,
                env=env,
            )
        elif name == "flask":
            server = start_gunicorn(
                "helpers.apps.deploy_flask:app",
                "deploy-static",
                workers=workers,
                threads=threads,
                ready_path=URL_PATH,
                env=env,
            )
        else:
            server = start_uvicorn(
                "helpers.apps.deploy_fastapi:app", "deploy-static", workers=workers, ready_path=URL_PATH, env=env
            )
        yield server.url
    finally:
        if server is not None:
            server.stop()


def _check(url: str, data: bytes) -> tuple[bool, str]:
    with httpx.Client(timeout=CHECK_TIMEOUT) as client:
        r = client.get(url + URL_PATH)
    return r.status_code == 200 and r.content == data, r.headers.get("content-type", "")


def static_files(
    servers: tuple[str, ...] = tuple(SERVERS),
    *,
    seconds: float = 1.5,
    connections: int = 8,
    workers: int = 2,
    size: int = 16384,
    processes: int = 2,
    request_timeout: float = 5.0,
    wsgi_threads: int = 1,
) -> StaticResult:
    """Serve one `size`-byte file from each of `servers` in turn and load each for `seconds`; return req/s.

    `wsgi_threads` > 1 runs WhiteNoise's and Flask's gunicorn with gthread workers of that many threads, which
    keep connections alive as uvicorn and nginx do; 1 (the default) runs sync workers, gunicorn's default.
    """
    if (
        not isinstance(servers, (tuple, list))
        or not servers
        or any(s not in SERVERS for s in servers)
        or len(set(servers)) != len(servers)
    ):
        raise ValueError(f"servers must be a non-empty tuple of distinct names from {tuple(SERVERS)}, got {servers!r}")
    require_number("seconds", seconds, 0.2, 30, unit="seconds")
    require_number("connections", connections, 1, 256, integer=True)
    require_number("workers", workers, 1, 8, integer=True)
    require_number("processes", processes, 1, min(4, connections), integer=True)
    require_number("request_timeout", request_timeout, 0.1, 30, unit="seconds")
    require_number("wsgi_threads", wsgi_threads, 1, 64, integer=True)
    with static_folder(size) as folder:
        data = (folder / FILE_NAME).read_bytes()
        result = StaticResult(len(data), seconds, connections, workers, wsgi_threads)
        for name in servers:
            with _serving(name, folder, workers, wsgi_threads) as url:
                same, content_type = _check(url, data)
                load = run_load(
                    url,
                    URL_PATH,
                    connections=connections,
                    seconds=seconds,
                    processes=processes,
                    timeout=request_timeout,
                    progress=False,
                    warm=True,
                )
            result.servers.append(
                StaticServer(
                    name=name,
                    how=SERVERS[name].replace("gunicorn sync", f"gunicorn gthread x {wsgi_threads}")
                    if wsgi_threads > 1
                    else SERVERS[name],
                    req_per_s=round(load.throughput, 1),
                    p50_ms=round(load.percentile(50) * 1000, 2),
                    p95_ms=round(load.percentile(95) * 1000, 2),
                    requests=load.requests,
                    errors=load.errors,
                    same_bytes=same,
                    content_type=content_type,
                )
            )
    return result


__all__ = ["SERVERS", "StaticResult", "StaticServer", "static_files", "static_folder"]
