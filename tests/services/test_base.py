"""What every service shares: a killed kernel's services die with it, and the next start clears their folders."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from helpers.services import postgres
from helpers.services.base import (
    OWNER_FILE,
    Package,
    ServiceNotInstalledError,
    find_programs,
    remove_orphaned_folders,
)
from helpers.services.postgres import start_postgres, stop_postgres
from tests.services.conftest import REQUIRE, alive, require

KILLED_KERNEL = """
import time
from helpers.services.postgres import start_postgres
db = start_postgres("t-killed")
print(db.folder, *[p.pid for p in db.processes()], flush=True)
time.sleep(60)
"""


@pytest.fixture
def programs():
    require(postgres.PACKAGE, postgres.PROGRAMS)
    yield
    stop_postgres()


def test_a_killed_kernels_server_dies_with_it_and_the_next_start_removes_its_folder(programs):
    kernel = subprocess.Popen([sys.executable, "-c", KILLED_KERNEL], stdout=subprocess.PIPE, text=True)
    try:
        folder, *pids = kernel.stdout.readline().split()
    finally:
        kernel.send_signal(signal.SIGKILL)  # no atexit: only the parent-death signal reaches the server
        kernel.wait(10)
    end = time.monotonic() + 10
    while any(alive(int(p)) for p in pids) and time.monotonic() < end:
        time.sleep(0.05)
    assert pids and not any(alive(int(p)) for p in pids)
    # Its folder stayed (atexit never ran) until a start swept it: this one, or one in another test process.
    start_postgres("t-next")
    assert not Path(folder).exists()


def test_only_folders_whose_kernel_is_gone_are_removed():
    base = tempfile.mkdtemp(prefix="course-test-base-")
    dead = subprocess.Popen(["true"])
    dead.wait()
    folders = {}
    for label, owner in [("gone", f"{dead.pid} 1.0"), ("alive", f"{os.getpid()} {_started()}"), ("no-owner", None)]:
        folders[label] = Path(base) / f"course-svc-{label}-x"
        folders[label].mkdir()
        if owner:
            (folders[label] / OWNER_FILE).write_text(owner)
    try:
        assert remove_orphaned_folders("svc", base) == [folders["gone"]]
        assert folders["alive"].exists() and folders["no-owner"].exists()
    finally:
        subprocess.run(["rm", "-rf", base], check=True)


def _started() -> float:
    import psutil

    return psutil.Process().create_time()


def test_every_missing_program_is_named_in_one_message(tmp_path):
    with pytest.raises(ServiceNotInstalledError, match="initdb and postgres not found"):
        find_programs(postgres.PACKAGE, postgres.PROGRAMS, bin_dir=tmp_path)
    (tmp_path / "initdb").write_text("#!/bin/sh\n")
    (tmp_path / "initdb").chmod(0o755)
    with pytest.raises(ServiceNotInstalledError, match=r"is not installed: postgres not found"):
        find_programs(postgres.PACKAGE, postgres.PROGRAMS, bin_dir=tmp_path)


def test_a_missing_service_skips_its_tests_but_fails_them_in_ci(monkeypatch):
    missing = Package("Nothing", "no-such-package"), ("no-such-program-xyz",)
    monkeypatch.delenv(REQUIRE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y no-such-package"):
        require(*missing)
    monkeypatch.setenv(REQUIRE, "1")
    with pytest.raises(pytest.fail.Exception, match=f"{REQUIRE}=1 but Nothing is not installed"):
        require(*missing)


def test_off_path_postgresql_is_found_in_debians_folder_all_from_one_version(monkeypatch, tmp_path):
    # Binder's image: Debian's postgresql package puts initdb and postgres in /usr/lib/postgresql/VERSION/bin only.
    if not list(Path("/").glob("usr/lib/postgresql/*/bin/postgres")):
        pytest.skip("no /usr/lib/postgresql/VERSION/bin on this machine")
    (tmp_path / "initdb").write_text("#!/bin/sh\n")  # an initdb alone on PATH must not be paired with another postgres
    (tmp_path / "initdb").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    found = find_programs(postgres.PACKAGE, postgres.PROGRAMS)
    assert Path(found["initdb"]).parent == Path(found["postgres"]).parent
    assert Path(found["postgres"]).parent.match("/usr/lib/postgresql/*/bin")
