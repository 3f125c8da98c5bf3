"""Check that this kernel has the Python and package versions the course was tested with."""
from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from helpers.display import Table

ROOT = Path(__file__).resolve().parent.parent
PINS_FILE = ROOT / "binder" / "requirements.txt"
PYTHON = (3, 11)
SHOWN = ("Django", "Flask", "Werkzeug", "fastapi", "starlette", "uvicorn", "pydantic",
         "SQLAlchemy", "marshmallow", "Jinja2", "httpx", "ipywidgets", "jupyterlab", "jupyter-server-proxy")


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


def environment_check() -> Table:
    """Tabulate Python and the key packages against the course's pins, with a verdict."""
    pins = pinned_versions()
    rows = [["Python", f"{PYTHON[0]}.{PYTHON[1]}.x", sys.version.split()[0],
             "ok" if sys.version_info[:2] == PYTHON else "different: most things still work"]]
    for name in SHOWN:
        have = installed_version(name)
        verdict = "ok" if have == pins.get(name) else ("missing" if have is None else "different version")
        rows.append([name, pins.get(name, "?"), have or "—", verdict])
    bad = mismatches(pins)
    title = ("Environment: every pinned package matches" if not bad else
             f"Environment: {len(bad)} package(s) differ from the pins; "
             "run `pip install -r requirements.txt` in the course folder")
    return Table(rows, ["package", "course pin", "this kernel", "verdict"], title=title)
