"""One JupyterLab and one Chromium for the browser tests; browser tests skip (or fail in CI) without Chromium."""
from __future__ import annotations

import pytest

from tests.conftest import skip_unless

from tools.lab import (CHROMIUM_ARGS, ROOT, SHOTS, blank_copy, find_chromium, shutdown_kernels,
                               start_lab, stop_lab)


def _missing_browser() -> str | None:
    """Return why the browser tests can't run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r tests/requirements.txt)"
    if not find_chromium():
        return "Chromium not found (Debian: apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser_ready():
    """Skip with a one-line reason where Chromium is missing; fail instead when CI requires it."""
    skip_unless(_missing_browser(), required_by="COURSE_REQUIRE_BROWSER")


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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


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
