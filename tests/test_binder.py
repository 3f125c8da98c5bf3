"""Binder builds the environment the tests run on, and the README's badge opens the first notebook."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
START_HERE = "notebooks/00_start_here.ipynb"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;#]+)")


# --- the Dockerfile repo2docker would build --------------------------------------------------------


def render_dockerfile(repo: Path) -> str:
    """Return the Dockerfile repo2docker renders for `repo` (no Docker engine needed with --no-build)."""
    pytest.importorskip(
        "repo2docker", reason="jupyter-repo2docker is not installed (pip install -r tests/requirements.txt)"
    )
    exe = shutil.which("jupyter-repo2docker")
    cmd = [exe] if exe else [sys.executable, "-m", "repo2docker"]
    done = subprocess.run([*cmd, "--no-build", "--debug", "."], cwd=repo, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"repo2docker failed ({done.returncode}):\n{done.stderr[-2000:]}"
    assert "FROM " in done.stdout, f"repo2docker printed no Dockerfile:\n{done.stderr[-2000:]}"
    return done.stdout


def dockerfile_problems(dockerfile: str, python: str) -> list[str]:
    """Return what is missing from a rendered Dockerfile for the course's Binder set-up."""
    checks = {
        "binder/requirements.txt is not pip-installed": r'pip install .*-r "?binder/requirements\.txt"?',
        "binder/postBuild is not run": r"^RUN \./binder/postBuild$",
        "binder/start is not the entrypoint": r'^ENV R2D_ENTRYPOINT="?\$\{REPO_DIR\}/binder/start"?$',
        f"the kernel is not Python {python} (binder/runtime.txt)": rf"environment\.py-{re.escape(python)}-",
    }
    # repo2docker escapes file names it copies ("-2e" is ".", "-2d" is "-", "-2f" is "/")
    unescaped = re.sub(r"-2([def])", lambda m: {"d": "-", "e": ".", "f": "/"}[m.group(1)], dockerfile)
    problems = [msg for msg, rx in checks.items() if not re.search(rx, unescaped, flags=re.M)]
    # The Debian packages of binder/apt.txt (the services the course starts), installed in one apt-get line.
    installs = re.findall(r"apt-get install --yes --no-install-recommends ([^&\n]+)", unescaped)
    wanted = apt_packages((BINDER / "apt.txt").read_text())
    if not any(wanted <= set(line.split()) for line in installs):
        problems.append(f"binder/apt.txt is not installed: the image lacks {sorted(wanted)}")
    return problems


def outputs_python() -> str:
    """Return the Python (major.minor) the stored notebook outputs were made with: Binder must run it."""
    import json

    meta = json.loads((ROOT / START_HERE).read_text())["metadata"]
    return ".".join(meta["language_info"]["version"].split(".")[:2])


def test_repo2docker_installs_the_pins_runs_postbuild_and_uses_start():
    # The tests also run on 3.12 and 3.13 (.ci/run); Binder stays on the Python the outputs were made with.
    assert (BINDER / "runtime.txt").read_text().strip() == f"python-{outputs_python()}", (
        "binder/runtime.txt must name the Python the stored notebook outputs were made with"
    )
    problems = dockerfile_problems(render_dockerfile(ROOT), outputs_python())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "remove, expected",
    [
        ("postBuild", "postBuild is not run"),
        ("start", "start is not the entrypoint"),
        ("requirements.txt", "requirements.txt is not pip-installed"),
        ("apt.txt", "apt.txt is not installed"),
    ],
)
def test_the_dockerfile_check_fails_when_a_binder_file_is_missing(tmp_path, remove, expected):
    shutil.copytree(BINDER, tmp_path / "binder")
    (tmp_path / "binder" / remove).unlink()
    problems = dockerfile_problems(render_dockerfile(tmp_path), outputs_python())
    assert any(expected in p for p in problems), problems


def test_start_hands_over_to_the_command_it_is_given():
    out = subprocess.run(
        ["bash", str(BINDER / "start"), "echo", "handed over"], capture_output=True, text=True, timeout=10
    )
    assert out.returncode == 0 and out.stdout.strip() == "handed over", out


@pytest.mark.parametrize("script", ["postBuild", "start"])
def test_binder_scripts_are_valid_bash(script):
    out = subprocess.run(["bash", "-n", str(BINDER / script)], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0, out.stderr


# --- the Debian packages: what the services need, what Binder installs and what CI installs agree ---------------


def apt_packages(text: str) -> set[str]:
    """Return the package names of an apt.txt (one a line, # comments)."""
    return {line.split("#")[0].strip() for line in text.splitlines()} - {""}


def service_packages() -> dict[str, tuple[str, ...]]:
    """Return {Debian package: its programs} for every module of helpers/services that starts a service."""
    import importlib
    import pkgutil

    import helpers.services

    found = {}
    for info in pkgutil.iter_modules(helpers.services.__path__):
        module = importlib.import_module(f"helpers.services.{info.name}")
        if hasattr(module, "PACKAGE") and hasattr(module, "PROGRAMS"):
            found[module.PACKAGE.debian] = module.PROGRAMS
    return found


def apt_problems(apt_txt: str, ci_run: str, services: dict[str, tuple[str, ...]]) -> list[str]:
    """Return where binder/apt.txt, .ci/run and the services' Debian packages disagree (empty if nowhere)."""
    listed = apt_packages(apt_txt)
    out = [f"binder/apt.txt does not list {p}, which helpers/services needs" for p in services if p not in listed]
    out += [f"binder/apt.txt lists {p}, which no service of helpers/services needs" for p in listed - set(services)]
    if not re.search(r"^\s*apt-get update && apt-get install -y \$\(grep -v '\^#' binder/apt\.txt\)", ci_run, re.M):
        out.append(".ci/run does not install binder/apt.txt's packages")
    for package, programs in services.items():
        # .ci/run installs the list when a program is missing: each package needs one program checked.
        if not any(re.search(rf"(command -v |/bin/){re.escape(p)}\b", ci_run) for p in programs):
            out.append(f".ci/run installs {package} without checking for any of {list(programs)}")
    exports = " ".join(line for line in ci_run.splitlines() if line.startswith("export "))
    if "COURSE_REQUIRE_SERVICES=1" not in exports:
        out.append(".ci/run does not export COURSE_REQUIRE_SERVICES=1: a missing service would skip its tests in CI")
    return out


def test_binder_installs_the_debian_packages_ci_installs_and_the_services_need():
    problems = apt_problems((BINDER / "apt.txt").read_text(), (ROOT / ".ci" / "run").read_text(), service_packages())
    assert not problems, "\n".join(problems)
    assert set(service_packages()) >= {"postgresql"}


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda apt, run: (apt.replace("postgresql", ""), run), "does not list postgresql"),
        (lambda apt, run: (apt + "\ncowsay\n", run), "lists cowsay"),
        (lambda apt, run: (apt, run.replace("binder/apt.txt)", "other.txt)")), "does not install binder/apt.txt"),
        (lambda apt, run: (apt, run.replace("redis-server >", "redis >")), "without checking"),
        (lambda apt, run: (apt, run.replace(" COURSE_REQUIRE_SERVICES=1", "")), "COURSE_REQUIRE_SERVICES"),
    ],
)
def test_the_apt_check_catches_each_disagreement(edit, expected):
    apt, run = edit((BINDER / "apt.txt").read_text(), (ROOT / ".ci" / "run").read_text())
    problems = apt_problems(apt, run, service_packages())
    assert any(expected in p for p in problems), problems


# --- pins equal what is installed -------------------------------------------------------------------


def read_pins(path: Path, _seen: set[Path] | None = None) -> dict[str, tuple[str, str]]:
    """Return {name: (version, file)} for every `name==version` in `path` and the files it includes with -r."""
    seen = _seen if _seen is not None else set()
    path = path.resolve()
    if path in seen:
        return {}
    seen.add(path)
    pins: dict[str, tuple[str, str]] = {}
    for raw in path.read_text().splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            pins.update(read_pins(path.parent / line.split(None, 1)[1], seen))
        elif m := PIN.match(line):
            pins[m.group(1)] = (m.group(3), str(path.relative_to(ROOT)))
    return pins


def unpinned(path: Path) -> list[str]:
    """Return the requirement lines in `path` that are not `name==version`, -r includes or `-e .`."""
    out = []
    for raw in path.read_text().splitlines():
        line = raw.split(" #")[0].strip()
        if line and not line.startswith(("#", "-r ", "--requirement ", "-e ")) and not PIN.match(line):
            out.append(line)
    return out


def drift(pins: dict[str, tuple[str, str]]) -> list[str]:
    """Return one line per pin whose installed version differs (or that is not installed)."""
    out = []
    for name, (want, where) in sorted(pins.items(), key=lambda kv: kv[0].lower()):
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out.append(f"{name}=={want} ({where}): not installed")
            continue
        try:
            same = Version(have) == Version(want)
        except InvalidVersion:
            same = have == want
        if not same:
            out.append(f"{name}=={want} ({where}): installed {have}")
    return out


@pytest.mark.parametrize("reqs", ["binder/requirements.txt", "tests/requirements.txt"])
def test_every_requirement_is_pinned(reqs):
    loose = unpinned(ROOT / reqs)
    assert not loose, f"{reqs}: pin these as name==version: {loose}"


@pytest.mark.parametrize("reqs", ["binder/requirements.txt", "tests/requirements.txt"])
def test_pins_equal_the_installed_versions(reqs):
    pins = read_pins(ROOT / reqs)
    assert len(pins) >= 2, f"no pins read from {reqs}"
    mismatches = drift(pins)
    assert not mismatches, (
        f"{len(mismatches)} pin(s) differ from this environment; update the pin or "
        f"`pip install -r {reqs}`:\n  " + "\n  ".join(mismatches)
    )


def test_drift_check_names_a_wrong_and_a_missing_pin():
    pins = {
        "pytest": ("0.0.1", "x.txt"),
        "no-such-package-xyz": ("1.0", "x.txt"),
        "packaging": (importlib.metadata.version("packaging"), "x.txt"),
    }
    out = drift(pins)
    assert len(out) == 2, out
    assert any(f"installed {importlib.metadata.version('pytest')}" in line for line in out), out
    assert any("no-such-package-xyz==1.0 (x.txt): not installed" in line for line in out), out


def test_tests_requirements_include_the_binder_pins():
    binder = read_pins(BINDER / "requirements.txt")
    tests = read_pins(ROOT / "tests" / "requirements.txt")
    assert set(binder) <= set(tests), "tests/requirements.txt must include binder/requirements.txt (via -r)"


# --- the badge ---------------------------------------------------------------------------------------


def binder_urls(readme: str) -> list[str]:
    """Return every mybinder.org launch URL in the README (badge target and any other launch links)."""
    return re.findall(r"https://mybinder\.org/v2/[^\s)\]\"'>]+", readme)


def badge_problems(readme: str, root: Path = ROOT) -> list[str]:
    """Return what is wrong with the README's Binder badge and launch links (empty if nothing)."""
    badge = re.search(
        r"\[!\[[^\]]*\]\(https://mybinder\.org/badge_logo\.svg\)\]\((https://mybinder\.org/v2/[^)]+)\)", readme
    )
    if not badge:
        return ["README.md has no Binder badge linking to a mybinder.org/v2/ launch URL"]
    out = []
    for url in binder_urls(readme):
        parsed = urlparse(url)
        if not re.match(r"^/v2/(gh|gl|git|zenodo|figshare|hydroshare|dataverse)/", parsed.path):
            out.append(f"{url}: not a Binder v2 launch path")
        urlpath = parse_qs(parsed.query).get("urlpath", [""])[0]
        if urlpath != f"lab/tree/{START_HERE}":
            out.append(f"{url}: urlpath is {urlpath!r}, want 'lab/tree/{START_HERE}' (JupyterLab on notebook 00)")
    if not (root / START_HERE).is_file():
        out.append(f"{START_HERE} does not exist")
    return out


def test_binder_badge_opens_start_here_in_jupyterlab():
    problems = badge_problems((ROOT / "README.md").read_text())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "readme, expected",
    [
        ("no badge here", "no Binder badge"),
        ("[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/o/r/HEAD)", "urlpath is ''"),
        (
            "[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/o/r/HEAD"
            "?urlpath=tree/notebooks/00_start_here.ipynb)",
            "urlpath is 'tree/",
        ),
        (
            "[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/o/r/HEAD"
            "?urlpath=lab/tree/notebooks/00_start_here.ipynb)",
            "does not exist",
        ),
    ],
)
def test_badge_check_catches_a_wrong_or_missing_badge(tmp_path, readme, expected):
    problems = badge_problems(readme, root=tmp_path)
    assert any(expected in p for p in problems), problems
