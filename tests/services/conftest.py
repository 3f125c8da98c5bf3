"""What every service test checks: a stopped service leaves no process, no listening port and no folder."""

from __future__ import annotations

import time
from pathlib import Path

import psutil

from helpers.services.base import Package, ServiceError, find_programs, port_is_free
from tests.conftest import skip_unless

REQUIRE = "COURSE_REQUIRE_SERVICES"  # .ci/run sets it: in CI a missing service fails its tests


def require(package: Package, programs: tuple[str, ...]) -> dict[str, str]:
    """Return the service's programs, or skip (fail in CI) saying what is missing."""
    try:
        return find_programs(package, programs)
    except ServiceError as exc:
        skip_unless(str(exc), required_by=REQUIRE)
        raise


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def uids_of(processes: list[psutil.Process]) -> set[int]:
    """Return the real uids of those of `processes` still alive (a backend may exit between listing and asking)."""
    uids = set()
    for p in processes:
        try:
            uids.add(p.uids().real)
        except psutil.NoSuchProcess:
            pass
    return uids


def using(folder: Path) -> list[int]:
    """Return the pids of processes whose command line names `folder` (a service's own folder)."""
    found = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        if any(str(folder) in arg for arg in p.info["cmdline"] or ()) and alive(p.info["pid"]):
            found.append(p.info["pid"])
    return found


def left_behind(pids: list[int], port: int | None, folder: Path, timeout: float = 5.0) -> list[str]:
    """Return what a stopped service left: live processes, its port still taken (unless None), its folder."""
    end = time.monotonic() + timeout
    while any(alive(p) for p in pids) and time.monotonic() < end:
        time.sleep(0.05)
    out = [f"process {p} alive" for p in pids if alive(p)]
    out += [f"process {p} still uses {folder}" for p in using(folder)]
    if port is not None and not port_is_free(port):
        out.append(f"port {port} still taken")
    if folder.exists():
        out.append(f"{folder} still exists: {sorted(p.name for p in folder.iterdir())}")
    return out
