"""Record, inside a kernel, every connection or lookup beyond loopback and every bind to a non-loopback address.

`install()` adds a Python audit hook (PEP 578) to the kernel; `print_report()` prints what it saw
as one JSON line. An audit hook can't be removed: `install` is idempotent and the hook only appends.
"""

from __future__ import annotations

import ipaddress
import json
import sys

INSTALL = "import helpers.runner.audit as _course_audit; _course_audit.install()"
REPORT = "import helpers.runner.audit as _course_audit; _course_audit.print_report()"

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

_seen: dict[str, list[list[str]]] = {"outbound": [], "binds": []}
_installed = False


def is_loopback(host: str) -> bool:
    """Tell whether `host` (an address or "localhost") stays on this machine's loopback."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _host(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    return value if isinstance(value, str) else None


def hook(event: str, args: tuple) -> None:
    """Record a connect or lookup beyond loopback, and a bind on anything but loopback."""
    if event == "socket.connect" and isinstance(args[1], tuple) and args[1]:
        host = _host(args[1][0])
        if host is not None and not is_loopback(host):
            _seen["outbound"].append(["connect", host])
    elif event == "socket.getaddrinfo":
        host = _host(args[0])
        if host and not is_loopback(host):
            _seen["outbound"].append(["lookup", host])
    elif event == "socket.bind" and isinstance(args[1], tuple) and args[1]:
        host = _host(args[1][0])
        # "" and 0.0.0.0 mean every interface: exactly what a course server must never do.
        if host is not None and not is_loopback(host):
            _seen["binds"].append(["bind", host or "(every interface)"])


def install() -> None:
    """Add the audit hook to this process, once."""
    global _installed
    if not _installed:
        sys.addaudithook(hook)
        _installed = True


def report() -> dict[str, list[list[str]]]:
    """Return what the hook recorded: outbound connections and lookups, and non-loopback binds."""
    return {"outbound": list(_seen["outbound"]), "binds": list(_seen["binds"])}


def print_report() -> None:
    """Print `report()` as one JSON line."""
    print(json.dumps(report()))
