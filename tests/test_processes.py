"""Server processes: start, replace, stop with every worker; fail clearly; listen on loopback only."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import httpx
import psutil
import pytest

from helpers.serving import processes
from helpers.serving.processes import (
    ServerProcessError,
    get_process,
    list_processes,
    start_gunicorn,
    start_uvicorn,
    stop_processes,
)
from helpers.serving.servers import ServerLink

FLASK = "helpers.apps.serving_flask:app"
FASTAPI = "helpers.apps.serving_fastapi:app"
ROOT = processes.ROOT


def descendants() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def gone(pids, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def no_orphans():
    """Fail the test if it leaves a server process, a worker or a registry entry behind."""
    stop_processes()
    before = descendants()
    yield
    stop_processes()
    assert list_processes() == []
    assert gone(descendants() - before), [psutil.Process(p).cmdline() for p in descendants() - before]


def listening(proc) -> set[tuple[str, int]]:
    found = set()
    for p in proc.processes():
        for c in p.net_connections(kind="inet"):
            if c.status == psutil.CONN_LISTEN:
                found.add((c.laddr.ip, c.laddr.port))
    return found


def test_gunicorn_sync_workers_are_processes_and_stop_together(no_orphans):
    server = start_gunicorn(FLASK, "t-sync", workers=2, ready_path="/json")
    tree = server.processes()
    assert len(tree) == 3  # the master and two workers
    assert server.get("/json").json()["framework"] == "Flask"
    assert server.server == "gunicorn sync" and server.thread_count() >= 3 and server.rss() > 10 * 2**20
    assert get_process("t-sync") is server
    server.stop()
    assert gone([p.pid for p in tree])
    assert not server.running and server.processes() == []
    server.stop()  # idempotent


def test_gthread_worker_serves_from_threads(no_orphans):
    with start_gunicorn(FLASK, "t-gthread", workers=1, threads=4, ready_path="/json") as server:
        assert server.server == "gunicorn gthread"
        assert server.get("/io", params={"ms": 10}).json() == {"waited_ms": 10.0}
        assert "--threads 4" in server.command and f"127.0.0.1:{server.port}" in server.command


@pytest.mark.parametrize(
    "app, worker_class, framework",
    [
        (FLASK, "gevent", "Flask"),  # a greenlet per connection (Flask's docs: "Async with Gevent")
        (FASTAPI, "uvicorn", "FastAPI"),  # the uvicorn-worker package under gunicorn
        ("helpers.apps.serving_django_project:asgi", "uvicorn", "Django"),  # Django's docs: Uvicorn and Gunicorn
    ],
)
def test_gunicorn_runs_the_gevent_and_uvicorn_worker_classes(no_orphans, app, worker_class, framework):
    with start_gunicorn(app, "t-class", workers=1, worker_class=worker_class, ready_path="/json") as server:
        assert server.server == f"gunicorn {worker_class}"
        assert server.get("/json").json()["framework"] == framework
        assert f"--worker-class {processes.WORKER_CLASSES[worker_class]}" in server.command


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"worker_class": "eventlet"}, "worker_class must be one of ['gevent', 'gthread', 'sync', 'uvicorn']"),
        ({"worker_class": "gevent", "threads": 4}, "threads only apply to the gthread worker; gevent got threads=4"),
    ],
)
def test_a_worker_class_gunicorn_is_not_set_up_for_is_refused(kwargs, words):
    with pytest.raises(ValueError) as info:
        start_gunicorn(FLASK, "t-bad-class", **kwargs)
    assert words in str(info.value) and list_processes() == []


def test_gevent_worker_overlaps_waits_in_one_thread(no_orphans):
    # serving_flask's /io sleeps with time.sleep: patched by the gevent worker, it yields to the other greenlets.
    with start_gunicorn(FLASK, "t-gevent", workers=1, gevent=True, ready_path="/json") as server:
        assert server.server == "gunicorn gevent" and "--preload" not in server.command
        threads_idle = server.thread_count()

        async def burst() -> float:
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
                start = time.perf_counter()
                await asyncio.gather(*(client.get("/io", params={"ms": 200}) for _ in range(20)))
                return time.perf_counter() - start

        # One at a time would take 4 s, whatever the machine does; the quickest of three bursts (the first warms
        # the worker up) shows the overlap even on a core shared with other tests.
        took = [asyncio.run(burst()) for _ in range(3)]
        assert min(took) < 20 * 0.2 / 2, took
        assert server.thread_count() <= threads_idle + 3  # greenlets, not a thread per request
    with start_gunicorn(FLASK, "t-sync-1", workers=1, ready_path="/json") as server:
        assert "--preload" in server.command and server.server == "gunicorn sync"


@pytest.mark.parametrize("fast, label", [(True, "uvicorn uvloop+httptools"), (False, "uvicorn asyncio+h11")])
def test_uvicorn_workers(no_orphans, fast, label):
    server = start_uvicorn(FASTAPI, "t-uvicorn", workers=2, fast=fast, ready_path="/json")
    assert server.server == label
    assert len(server.processes()) >= 3  # a supervisor and two workers
    assert server.get("/json").json()["framework"] == "FastAPI"
    tree = [p.pid for p in server.processes()]
    stop_processes()
    assert gone(tree)


@pytest.mark.parametrize(
    "start, app, kwargs",
    [
        (start_gunicorn, "helpers.apps.serving_django_project:wsgi", {}),
        (start_uvicorn, "helpers.apps.serving_django_project:asgi", {"lifespan": "off"}),
    ],
)
def test_django_under_wsgi_and_asgi_servers(no_orphans, start, app, kwargs):
    with start(app, "t-django", workers=1, ready_path="/json", **kwargs) as server:
        assert server.get("/json").json() == {"framework": "Django", "message": "Hello!"}


def test_rerun_replaces_the_server_of_that_name(no_orphans):
    first = start_gunicorn(FLASK, "t-rerun", workers=2, ready_path="/json")
    first_tree = [p.pid for p in first.processes()]
    second = start_gunicorn(FLASK, "t-rerun", workers=1, ready_path="/json")
    assert gone(first_tree) and not first.running
    assert list_processes() == [second] and second.get("/json").status_code == 200


def test_stop_processes_stops_every_server_and_worker(no_orphans):
    before = descendants()  # other tests' long-lived helpers (multiprocessing's resource tracker) are not ours
    start_gunicorn(FLASK, "t-a", workers=2, ready_path="/json")
    start_uvicorn(FASTAPI, "t-b", workers=1, ready_path="/json")
    pids = descendants() - before
    assert len(pids) >= 4
    assert stop_processes() == 2
    assert gone(pids) and list_processes() == []


def test_every_process_listens_on_loopback_only(no_orphans):
    servers = [
        start_gunicorn(FLASK, "t-l1", workers=2, ready_path="/json"),
        start_gunicorn(FLASK, "t-l2", workers=1, threads=2, ready_path="/json"),
        start_uvicorn(FASTAPI, "t-l3", workers=2, ready_path="/json"),
    ]
    for server in servers:
        sockets = listening(server)
        assert sockets, server  # the table was readable
        assert {ip for ip, _ in sockets} == {"127.0.0.1"}, sockets
        assert {port for _, port in sockets} == {server.port}


@pytest.mark.parametrize("start", [start_gunicorn, start_uvicorn])
@pytest.mark.parametrize(
    "app, words",
    [
        ("helpers.apps.no_such_module:app", "no_such_module"),
        ("helpers.apps.serving_flask:no_such_app", "no_such_app"),
    ],
)
def test_bad_import_string_fails_readably_within_the_deadline(no_orphans, start, app, words):
    t0 = time.monotonic()
    with pytest.raises(ServerProcessError) as info:
        start(app, "t-bad", workers=2, deadline=15)
    assert time.monotonic() - t0 < 15
    message = str(info.value)
    assert "'t-bad'" in message and words in message and "said" in message
    assert list_processes() == []


def test_a_worker_that_crashes_while_booting_is_reported(no_orphans):
    with pytest.raises(ServerProcessError) as info:
        start_uvicorn("tests.serving_crash_app:app", "t-crash", workers=2, deadline=15)
    assert "boom: this app fails" in str(info.value)


def test_a_server_that_never_answers_fails_at_the_deadline(no_orphans):
    t0 = time.monotonic()
    with pytest.raises(ServerProcessError, match="did not answer GET / within 3 s"):
        start_uvicorn("tests.serving_hang_app:app", "t-hang", deadline=3)
    assert 2.5 < time.monotonic() - t0 < 8


def test_a_busy_port_fails_at_once(no_orphans):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        t0 = time.monotonic()
        with pytest.raises(ServerProcessError, match=f"cannot listen on 127.0.0.1:{port}.*port=0"):
            start_gunicorn(FLASK, "t-busy", port=port)
        assert time.monotonic() - t0 < 2


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"workers": 0}, "workers must be an int in [1, 16]"),
        ({"threads": "4"}, "threads must be an int"),
        ({"port": 70000}, "port must be an int in [0, 65535]"),
        ({"deadline": 0}, "deadline must be seconds"),
        ({"ready_path": "json"}, "ready_path must be a path"),
        ({"gevent": "yes"}, "gevent must be True or False"),
        ({"gevent": True, "threads": 4}, "threads must be 1 with gevent=True"),
        ({"env": {"inventory url": "x"}}, "env must map UPPER_CASE names to strings"),
        ({"env": {"INVENTORY_URL": 1}}, "env must map UPPER_CASE names to strings"),
    ],
)
def test_bad_parameters_say_what_is_allowed(no_orphans, kwargs, words):
    with pytest.raises(ValueError) as info:
        start_gunicorn(FLASK, "t-params", **kwargs)
    assert words in str(info.value)


@pytest.mark.parametrize("name, app", [("bad name!", FLASK), ("ok", "helpers.apps.serving_flask"), ("ok", "a b:c")])
def test_bad_names_and_import_strings(no_orphans, name, app):
    with pytest.raises(ValueError, match="name must|app must be an import string"):
        start_uvicorn(app, name)


def test_link_points_at_the_server(no_orphans):
    with start_gunicorn(FLASK, "t-link", ready_path="/json") as server:
        link = server.link("/json")
        html = ServerLink.bundle(link.name, link.path, link.lookup)[0]["text/html"]
        assert f":{server.port}/json" in html or f"/proxy/{server.port}/json" in html
        assert str(server.port) in server._repr_html_()


KERNEL = textwrap.dedent("""
    import json, sys
    from helpers.serving.processes import start_gunicorn
    s = start_gunicorn("helpers.apps.serving_flask:app", "t-exit", workers=2, ready_path="/json")
    print(json.dumps([p.pid for p in s.processes()]), flush=True)
    if sys.argv[1] == "hang":
        import time; time.sleep(60)
""")


@pytest.mark.parametrize("how", ["exit", "killed"])
def test_kernel_exit_stops_its_servers(how):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    kernel = subprocess.Popen(
        [sys.executable, "-c", KERNEL, "exit" if how == "exit" else "hang"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        pids = __import__("json").loads(kernel.stdout.readline())
        assert len(pids) == 3
        if how == "killed":
            kernel.send_signal(signal.SIGKILL)  # no atexit: the master learns from PR_SET_PDEATHSIG
        kernel.wait(30)
        assert gone(pids, timeout=10), [psutil.Process(p).cmdline() for p in pids if psutil.pid_exists(p)]
    finally:
        kernel.kill()
        kernel.wait()
        kernel.stdout.close()


def test_an_interrupted_start_leaves_nothing_behind(no_orphans, monkeypatch):
    seen = []

    def interrupt(proc, *args):
        seen.extend(p.pid for p in proc.processes())
        raise KeyboardInterrupt  # the learner pressed stop while the server was starting

    monkeypatch.setattr(processes, "_wait_until_answers", interrupt)
    with pytest.raises(KeyboardInterrupt):
        start_gunicorn(FLASK, "t-interrupt", workers=2)
    assert seen and list_processes() == [] and gone(seen)


@pytest.mark.parametrize("start", [processes.start_gunicorn, processes.start_uvicorn])
def test_a_chosen_port_taken_before_the_server_binds_it_is_swapped_for_another(no_orphans, monkeypatch, start):
    # Another kernel (or CI lane) binds the port free_port() chose, before the server does.
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    real = processes.free_port
    ports = iter([taken.getsockname()[1]])
    monkeypatch.setattr(processes, "free_port", lambda: next(ports, None) or real())
    app = "helpers.apps.serving_flask:app" if start is processes.start_gunicorn else "helpers.apps.serving_fastapi:app"
    try:
        server = start(app, "t-port-taken", ready_path="/json")
        try:
            assert server.port != taken.getsockname()[1] and server.get("/json").status_code == 200
        finally:
            server.stop()
        # A port the caller asked for is never swapped: taken is taken.
        with pytest.raises(processes.ServerProcessError, match="cannot listen"):
            start(app, "t-port-taken", port=taken.getsockname()[1], ready_path="/json")
    finally:
        taken.close()
