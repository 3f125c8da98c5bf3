"""Find the other supported Pythons on this machine and give each a venv with the course: for .ci/lanes.py.

The supported Pythons come from helpers.envcheck.SUPPORTED_PYTHONS. Each other version gets a
venv under the cache folder (COURSE_CI_CACHE, default ~/.cache/course-ci), rebuilt only when a
requirements file or the interpreter changes, with `pip install -r tests/requirements.txt`.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT_FILES = ["requirements.txt", "binder/requirements.txt", "tests/requirements.txt", "pyproject.toml"]


def supported_versions() -> list[str]:
    """Return the supported Pythons as "3.11", "3.12", ... from helpers.envcheck."""
    sys.path.insert(0, str(ROOT))
    from helpers.envcheck import SUPPORTED_PYTHONS

    return [f"{major}.{minor}" for major, minor in SUPPORTED_PYTHONS]


def pyenv_root() -> Path | None:
    """Return pyenv's root folder, or None without pyenv."""
    if os.environ.get("PYENV_ROOT"):
        return Path(os.environ["PYENV_ROOT"])
    exe = shutil.which("pyenv")
    if exe:
        done = subprocess.run([exe, "root"], capture_output=True, text=True, timeout=30)
        if done.returncode == 0 and done.stdout.strip():
            return Path(done.stdout.strip())
    home = Path.home() / ".pyenv"
    return home if home.is_dir() else None


def interpreter_version(exe: str) -> str | None:
    """Return "X.Y.Z" of the interpreter `exe`, or None if it does not run (a pyenv shim of a version not selected)."""
    try:
        done = subprocess.run(
            [exe, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def find_interpreter(version: str, search_root: Path | None = None) -> tuple[str, str] | None:
    """Return (path, full version) of a working Python `version` ("3.12"), or None: PATH first, then pyenv."""
    candidates = [shutil.which(f"python{version}")]
    root = search_root if search_root is not None else pyenv_root()
    if root is not None:
        candidates += sorted(
            glob.glob(str(root / "versions" / f"{version}.*" / "bin" / f"python{version}")), reverse=True
        )
    for exe in filter(None, candidates):
        full = interpreter_version(exe)
        if full and full.startswith(version + "."):
            return exe, full
    return None


def requirements_key(python_full: str) -> str:
    """Hash the requirement files and the interpreter version: a venv is reused only while both are unchanged."""
    digest = hashlib.sha256(python_full.encode())
    for rel in REQUIREMENT_FILES:
        path = ROOT / rel
        digest.update(rel.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
    return digest.hexdigest()


def cache_dir() -> Path:
    """Return the folder for the venvs: the one the tests use for what they install (harness.cache)."""
    sys.path.insert(0, str(ROOT))
    from harness.cache import cache_dir as shared

    return shared()


def ensure_venv(version: str, exe: str, full: str, log: Path) -> tuple[Path, float]:
    """Create (or reuse) the venv for `version` with the course and its test tools; return it and install seconds."""
    venv = cache_dir() / f"py{version}"
    stamp, key = venv / ".course-requirements", requirements_key(full)
    if stamp.exists() and stamp.read_text() == key and (venv / "bin" / "python").exists():
        return venv, 0.0
    t0 = time.perf_counter()
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        for cmd in (
            [exe, "-m", "venv", str(venv)],
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
                "tests/requirements.txt",
            ],
        ):
            if subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, timeout=1800).returncode:
                raise RuntimeError(f"{' '.join(cmd[:4])} ... failed; see {log}")
    stamp.write_text(key)
    return venv, time.perf_counter() - t0
