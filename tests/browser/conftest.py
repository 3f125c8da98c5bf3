"""One JupyterLab and one Chromium for the browser tests; browser tests skip (or fail in CI) without Chromium."""

from __future__ import annotations

import pytest

from harness.chromium import launch_chromium, missing_chromium
from harness.lab import ROOT, SHOTS, blank_copy, shutdown_kernels, start_lab, stop_lab
from tests.conftest import skip_unless


@pytest.fixture(scope="session")
def browser_ready():
    """Skip with a one-line reason where Chromium is missing; fail instead when CI requires it."""
    skip_unless(missing_chromium(), required_by="COURSE_REQUIRE_BROWSER")


# Package scope: playwright's sync API keeps an event loop running in the main thread
# while it is open, and asyncio.run() in any later test would refuse to start.
@pytest.fixture(scope="package")
def lab(browser_ready, tmp_path_factory):
    """Start JupyterLab over a copy of the notebooks (the real ones are never opened); stop it and its kernels."""
    work = tmp_path_factory.mktemp("jupyterlab")
    root = work / "root"
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        blank_copy(nb, root / "notebooks" / nb.name)
    (root / "broken").mkdir()
    server = start_lab(work, root)
    try:
        yield server
    finally:
        stop_lab(server)


@pytest.fixture(scope="package")
def browser(browser_ready):
    """Launch Debian's Chromium through playwright (never a downloaded browser)."""
    with launch_chromium() as b:
        yield b


@pytest.fixture
def page(browser, lab):
    """A fresh 1280×800 tab logged into the lab; closed (with its kernel shut down) after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        yield pg
    finally:
        shutdown_kernels(lab)
        context.close()


@pytest.fixture(scope="session")
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
