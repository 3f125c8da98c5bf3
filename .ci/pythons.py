"""Run the unit tests and strict nbval on every other supported Python this machine has; say which ran.

    python .ci/pythons.py [--default-status RC --default-seconds S] [--versions 3.12 3.13]

The supported Pythons come from helpers.envcheck.SUPPORTED_PYTHONS. The one running this
script has had the whole suite already (.ci/run), so it is listed, not re-run. Each other
version gets a venv under the cache folder (COURSE_CI_CACHE, default ~/.cache/course-ci),
rebuilt only when a requirements file changes, with `pip install -r tests/requirements.txt`.
A version the machine lacks is reported as "skipped 3.12: not installed", never passed over
in silence. Exit status 1 if any run failed.
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT_FILES = ["requirements.txt", "binder/requirements.txt", "tests/requirements.txt", "pyproject.toml"]
# The browser and hub suites need one Chromium and one hub, and run on the default Python only.
PYTEST_ARGS = ["tests", "notebooks", "--ignore=tests/browser", "--ignore=tests/hub", "-q", "-p", "no:randomly"]


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
        done = subprocess.run([exe, "-c", "import platform; print(platform.python_version())"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def find_interpreter(version: str, search_root: Path | None = None) -> tuple[str, str] | None:
    """Return (path, full version) of a working Python `version` ("3.12"), or None: PATH first, then pyenv."""
    candidates = [shutil.which(f"python{version}")]
    root = search_root if search_root is not None else pyenv_root()
    if root is not None:
        candidates += sorted(glob.glob(str(root / "versions" / f"{version}.*" / "bin" / f"python{version}")),
                             reverse=True)
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
    """Return the folder for the venvs (COURSE_CI_CACHE, else ~/.cache/course-ci)."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "course-ci"
    return Path(os.environ.get("COURSE_CI_CACHE", default))


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
        for cmd in ([exe, "-m", "venv", str(venv)],
                    [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                     "-r", "tests/requirements.txt"]):
            if subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, timeout=1800).returncode:
                raise RuntimeError(f"{' '.join(cmd[:4])} ... failed; see {log}")
    stamp.write_text(key)
    return venv, time.perf_counter() - t0


def run_suite(venv: Path, version: str, basetemp: Path) -> tuple[int, float, str]:
    """Run the unit tests and strict nbval in `venv`; return exit code, seconds and pytest's last line."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("COURSE_REQUIRE_BROWSER", None)
    cmd = [str(venv / "bin" / "python"), "-m", "pytest", *PYTEST_ARGS, f"--basetemp={basetemp / version}"]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - t0
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode:
        print(done.stdout[-6000:], done.stderr[-2000:], sep="\n", flush=True)
    return done.returncode, seconds, lines[-1] if lines else "(no output)"


def main(argv: list[str] | None = None) -> int:
    """Run every other supported Python the machine has; print one line per version and a summary."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--versions", nargs="+", help="versions to try (default: helpers.envcheck's list)")
    parser.add_argument("--default-status", type=int, help="exit code of the whole suite on this Python")
    parser.add_argument("--default-seconds", type=float, help="its run time")
    args = parser.parse_args(argv)
    current = f"{sys.version_info.major}.{sys.version_info.minor}"
    versions = args.versions or supported_versions()
    summary, failed = [], False
    if args.default_status is not None:
        verdict = "passed" if args.default_status == 0 else f"FAILED (exit {args.default_status})"
        took = f" in {args.default_seconds:.0f} s" if args.default_seconds is not None else ""
        summary.append(f"ran {current} ({sys.version.split()[0]}, default): whole suite {verdict}{took}")
        failed = args.default_status != 0
    basetemp = Path(tempfile.mkdtemp(prefix="course-ci-pythons-"))
    try:
        for version in versions:
            if version == current:
                continue
            found = find_interpreter(version)
            if found is None:
                line = f"skipped {version}: not installed"
                print(line, flush=True)
                summary.append(line)
                continue
            exe, full = found
            print(f"--- Python {full} ({exe}): unit tests and strict nbval", flush=True)
            log = cache_dir() / f"py{version}-install.log"
            try:
                venv, install_s = ensure_venv(version, exe, full, log)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                print(log.read_text()[-3000:] if log.exists() else "", flush=True)
                summary.append(f"ran {version} ({full}): install FAILED: {exc}")
                failed = True
                continue
            code, seconds, last = run_suite(venv, version, basetemp)
            verdict = "passed" if code == 0 else f"FAILED (exit {code})"
            install = f"venv built in {install_s:.0f} s" if install_s else "venv reused"
            line = f"ran {version} ({full}): unit tests + strict nbval {verdict} in {seconds:.0f} s ({install}; {last})"
            print(line, flush=True)
            summary.append(line)
            failed = failed or code != 0
    finally:
        shutil.rmtree(basetemp, ignore_errors=True)
    print("\nPythons:\n  " + "\n  ".join(summary), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
