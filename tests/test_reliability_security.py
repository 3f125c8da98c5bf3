"""Security: servers listen on loopback only (per the OS's socket table), Django's secret key is
made per process, and nothing the helpers or notebooks do connects beyond loopback."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
import threading

import pytest

from helpers import serve, stop_all
from tests.conftest import listening_ports
from tests.test_servers import APPS


def is_loopback(ip: str) -> bool:
    """Tell whether `ip` is a loopback address (127.0.0.0/8 or ::1)."""
    return ipaddress.ip_address(ip.split("%")[0]).is_loopback


def new_listeners(before: set[tuple[str, int]]) -> set[tuple[str, int]]:
    """Return the listening (ip, port) pairs this process gained since `before`."""
    return listening_ports() - before


# Every kind of app; WSGI ones also single-threaded (threaded=False is WSGI-only).
SERVER_CASES = [(kind, True) for kind in APPS] + [(kind, False) for kind, v in APPS.items() if v[1] == "wsgi"]


@pytest.mark.parametrize(
    "kind, threaded", SERVER_CASES, ids=[f"{k}-{'threads' if t else 'single'}" for k, t in SERVER_CASES]
)
def test_every_kind_of_server_listens_on_loopback_only(kind, threaded, no_leaks):
    factory, _, _ = APPS[kind]
    before = listening_ports()
    # A generous deadline: what is checked is where it listens, and a core shared with two lanes of tests once
    # kept the single-threaded Flask server from answering within the default.
    with serve(factory(), f"t-sec-{kind}", threaded=threaded, deadline=60) as srv:
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


# Each notebook's kernel is audited for connections beyond loopback and binds off it by the course's
# nbval plugin (helpers/runner/nbval_plugin.py, tested in tests/runner/test_nbval_plugin.py), in the
# same run that compares its outputs.


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
