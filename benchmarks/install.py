"""Figure 7: time and size of a fresh venv with requirements.txt installed (slow; behind --install).

python -m benchmarks.install
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

from ._common import ROOT, Figure, table

REFERENCE = "(reported; COURSE.md saw ~30 s, ~530 MB)"


def dir_size(path: Path) -> int:
    """Return the bytes under `path` (files only, symlinks not followed)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def measure(quick: bool = False) -> list[Figure]:
    """Create a venv, install requirements.txt into it, and report seconds and MB."""
    with tempfile.TemporaryDirectory(prefix="course-venv-") as tmp:
        env_dir = Path(tmp) / "venv"
        t0 = time.perf_counter()
        venv.EnvBuilder(with_pip=True).create(env_dir)
        created = time.perf_counter() - t0
        pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        proc = subprocess.run(
            [*pip, "-r", str(ROOT / "requirements.txt")], cwd=ROOT, capture_output=True, text=True, timeout=1800
        )
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            return [
                Figure(
                    "install.seconds",
                    "7. fresh venv + pip install -r requirements.txt",
                    None,
                    "s",
                    REFERENCE,
                    False,
                    note=f"pip failed: {proc.stderr[-300:]}",
                )
            ]
        size_mb = dir_size(env_dir) / 1e6
    return [
        Figure(
            "install.seconds",
            "7. fresh venv + pip install -r requirements.txt",
            seconds,
            "s",
            REFERENCE,
            None,
            details={"venv_create_s": created},
            note="with pip's cache as it is on this machine; a cold cache adds download time",
        ),
        Figure("install.size", "7. size of that venv", size_mb, "MB", "(reported)", None),
    ]


if __name__ == "__main__":
    print(table(measure()))
    sys.exit(0)
