"""Security: servers listen on loopback only (per the OS's socket table), Django's secret key is
made per process, and nothing the helpers or notebooks do connects beyond loopback."""
from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
import threading

import nbformat
import pytest

from helpers import serve, stop_all
from tests.conftest import COURSE_NOTEBOOKS, listening_ports, notebook_client, run_json_cell
from tests.test_servers import APPS


def is_loopback(ip: str) -> bool:
    """Tell whether `ip` is a loopback address (127.0.0.0/8 or ::1)."""
    return ipaddress.ip_address(ip.split("%")[0]).is_loopback


def new_listeners(before: set[tuple[str, int]]) -> set[tuple[str, int]]:
    """Return the listening (ip, port) pairs this process gained since `before`."""
    return listening_ports() - before


# Every kind of app; WSGI ones also single-threaded (threaded=False is WSGI-only).
SERVER_CASES = [(kind, True) for kind in APPS] + [(kind, False) for kind, v in APPS.items() if v[1] == "wsgi"]


@pytest.mark.parametrize("kind, threaded", SERVER_CASES, ids=[f"{k}-{'threads' if t else 'single'}"
                                                              for k, t in SERVER_CASES])
def test_every_kind_of_server_listens_on_loopback_only(kind, threaded, no_leaks):
    factory, _, _ = APPS[kind]
    before = listening_ports()
    with serve(factory(), f"t-sec-{kind}", threaded=threaded) as srv:
        gained = new_listeners(before)
        # The socket table, not the code: the server's port is listened on, and only on loopback.
        assert srv.port in {port for _, port in gained}
        assert gained and all(is_loopback(ip) for ip, _ in gained), gained


def test_the_loopback_check_catches_a_server_on_all_interfaces(no_leaks):
    """The check above can fail: a socket bound to 0.0.0.0 shows up as not loopback."""
    import socket

    before = listening_ports()
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        s.listen()
        gained = new_listeners(before)
    assert any(not is_loopback(ip) for ip, _ in gained)


SECRET_PROBE = (
    "import hashlib, json\n"
    "from helpers.serving import django_kernel\n"
    "django_kernel.setup_django()\n"
    "from django.conf import settings\n"
    "k = settings.SECRET_KEY\n"
    "print(json.dumps({'sha': hashlib.sha256(k.encode()).hexdigest(), 'len': len(k),"
    " 'insecure': k.startswith('django-insecure')}))\n"
)


def test_django_secret_key_is_made_per_process_and_strong():
    keys = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", SECRET_PROBE], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        keys.append(json.loads(out.stdout.strip().splitlines()[-1]))
    assert keys[0]["sha"] != keys[1]["sha"]
    assert all(k["len"] >= 50 and not k["insecure"] for k in keys)


# Injected first into a notebook's kernel: record every connect/lookup to a non-loopback host.
AUDIT = r"""
import sys as _sys, ipaddress as _ip
_course_outbound = []
def _course_audit(event, args):
    if event == "socket.connect":
        addr = args[1]
        if isinstance(addr, tuple) and addr and isinstance(addr[0], str):
            try:
                if not _ip.ip_address(addr[0].split("%")[0]).is_loopback:
                    _course_outbound.append(("connect", addr[0]))
            except ValueError:
                _course_outbound.append(("connect", addr[0]))
    elif event == "socket.getaddrinfo":
        host = args[0]
        if isinstance(host, bytes):
            host = host.decode()
        if host and host not in ("localhost", "127.0.0.1", "::1"):
            try:
                if not _ip.ip_address(host).is_loopback:
                    _course_outbound.append(("lookup", host))
            except ValueError:
                _course_outbound.append(("lookup", host))
_sys.addaudithook(_course_audit)
"""

LISTEN_PROBE = r"""
import json as _json, os as _os, psutil as _psutil
print(_json.dumps(sorted({c.laddr.ip for c in _psutil.Process(_os.getpid()).net_connections("tcp")
                          if c.status == _psutil.CONN_LISTEN})))
"""


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_notebook_listens_on_loopback_only_and_reaches_nothing_beyond(name):
    """Run the notebook with an audit hook; after every code cell, read the kernel's socket table."""
    nb, client = notebook_client(name)
    listen_ips: set[str] = set()
    with client.setup_kernel():
        client.execute_cell(nbformat.v4.new_code_cell(AUDIT), 0)
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
            if cell.cell_type == "code":
                listen_ips.update(run_json_cell(client, LISTEN_PROBE))
        outbound = run_json_cell(client, "import json; print(json.dumps(_course_outbound))")
    # The kernel's own ZMQ sockets are on loopback too (jupyter_client's default ip).
    assert listen_ips and all(is_loopback(ip) for ip in listen_ips), listen_ips
    assert outbound == [], outbound


def test_the_outbound_audit_catches_a_connection_beyond_loopback():
    """The audit hook can fail: a connect to a non-loopback address is recorded (it needn't succeed)."""
    code = AUDIT + (
        "import socket, json\n"
        "s = socket.socket(); s.setblocking(False)\n"
        "try:\n    s.connect(('192.0.2.1', 9))\nexcept OSError:\n    pass\n"
        "s.close()\n"
        "print(json.dumps(_course_outbound))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert ["connect", "192.0.2.1"] in json.loads(out.stdout.strip().splitlines()[-1])


def test_helpers_in_this_process_reach_nothing_beyond_loopback(no_leaks):
    """Serve and call every kind of app here, watching socket connects from this process."""
    outbound: list[tuple[str, str]] = []
    watching = threading.Event()

    def hook(event: str, args: tuple) -> None:
        if watching.is_set() and event == "socket.connect":
            addr = args[1]
            if isinstance(addr, tuple) and addr and isinstance(addr[0], str) and not is_loopback(addr[0]):
                outbound.append((event, addr[0]))

    sys.addaudithook(hook)  # can't be removed: the Event keeps it inert outside this test
    watching.set()
    try:
        for kind, (factory, _, _) in APPS.items():
            with serve(factory(), f"t-sec-out-{kind}") as srv:
                assert srv.get("/").status_code == 200
    finally:
        watching.clear()
        stop_all()
    assert outbound == []
