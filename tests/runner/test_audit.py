"""The kernel's audit hook: connections and lookups beyond loopback, and binds off loopback, are recorded; loopback is not."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers.runner import audit
from helpers.runner.course import ROOT

TRAFFIC = """
import socket
{install}
for host in ("127.0.0.1", "192.0.2.1"):
    c = socket.socket(); c.setblocking(False)
    try:
        c.connect((host, 9))
    except OSError:
        pass
    c.close()
socket.getaddrinfo("192.0.2.7", 9)
socket.getaddrinfo("localhost", 9)
for host in ("127.0.0.1", "0.0.0.0", ""):
    s = socket.socket(); s.bind((host, 0)); s.close()
{report}
"""


def run(install: bool) -> dict:
    code = TRAFFIC.format(
        install=audit.INSTALL if install else "",
        report=audit.REPORT if install else "import json; print(json.dumps({'outbound': [], 'binds': []}))",
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_what_leaves_loopback_is_recorded_and_loopback_is_not():
    seen = run(install=True)
    assert seen["outbound"] == [["connect", "192.0.2.1"], ["lookup", "192.0.2.7"]]
    assert seen["binds"] == [["bind", "0.0.0.0"], ["bind", "(every interface)"]]


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("", False),
        ("192.0.2.1", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host, loopback):
    assert audit.is_loopback(host) is loopback
