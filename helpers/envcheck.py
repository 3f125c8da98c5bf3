"""Check that this kernel has the Python and package versions the course was tested with."""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from helpers.display import Table

ROOT = Path(__file__).resolve().parent.parent
PINS_FILE = ROOT / "binder" / "requirements.txt"
# The Pythons the tests run on (.ci/run tries each one the machine has); Binder uses the first.
SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))
SUPPORTED_RANGE = (
    f"{SUPPORTED_PYTHONS[0][0]}.{SUPPORTED_PYTHONS[0][1]}–{SUPPORTED_PYTHONS[-1][0]}.{SUPPORTED_PYTHONS[-1][1]}"
)
SHOWN = (
    "Django",
    "Flask",
    "Werkzeug",
    "fastapi",
    "starlette",
    "uvicorn",
    "pydantic",
    "SQLAlchemy",
    "marshmallow",
    "Jinja2",
    "httpx",
    "ipywidgets",
    "jupyterlab",
    "jupyter-server-proxy",
)


def pinned_versions(path: Path = PINS_FILE) -> dict[str, str]:
    """Read `name==version` pins from a requirements file."""
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)==([^\s;#]+)", line)
        if m:
            pins[m.group(1)] = m.group(2)
    return pins


def installed_version(name: str) -> str | None:
    """Return the installed version of distribution `name`, or None."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def mismatches(pins: dict[str, str] | None = None) -> dict[str, tuple[str, str | None]]:
    """Return {package: (pinned, installed)} for every pin this kernel does not match."""
    pins = pinned_versions() if pins is None else pins
    out = {}
    for name, want in pins.items():
        have = installed_version(name)
        if have != want:
            out[name] = (want, have)
    return out


def python_supported(version: tuple[int, ...] | None = None) -> bool:
    """Tell whether `version` (default: this kernel's) is one of the Pythons the course is tested on."""
    version = tuple(sys.version_info[:2] if version is None else version[:2])
    return version in SUPPORTED_PYTHONS


def python_verdict(version: tuple[int, ...] | None = None) -> str:
    """Say whether `version` (default: this kernel's) is supported, and what to do when it is not."""
    version = tuple(sys.version_info[:3] if version is None else version)
    if python_supported(version):
        return "ok"
    shown = ".".join(str(v) for v in version[:2])
    return f"Python {shown} is outside the tested range {SUPPORTED_RANGE}: install one of those (or use Binder)"


def environment_check(version: tuple[int, ...] | None = None) -> Table:
    """Tabulate Python and the key packages against the course's pins, with a verdict."""
    version = tuple(sys.version_info[:3] if version is None else version)
    pins = pinned_versions()
    rows = [["Python", SUPPORTED_RANGE, ".".join(str(v) for v in version), python_verdict(version)]]
    for name in SHOWN:
        have = installed_version(name)
        verdict = "ok" if have == pins.get(name) else ("missing" if have is None else "different version")
        rows.append([name, pins.get(name, "?"), have or "—", verdict])
    bad = mismatches(pins)
    title = (
        "Environment: every pinned package matches"
        if not bad
        else f"Environment: {len(bad)} package(s) differ from the pins; "
        "run `pip install -r requirements.txt` in the course folder"
    )
    if not python_supported(version):
        title = f"{python_verdict(version)}. {title}"
    return Table(rows, ["package", "course pin", "this kernel", "verdict"], title=title)
