"""Debian's Chromium, launched through playwright: never a browser playwright downloads."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# Headless, and nothing that phones home: the tests must see every request a page makes.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def find_chromium() -> str | None:
    """Return the path of Debian's Chromium, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def missing_chromium() -> str | None:
    """Return why Chromium can't be driven here (one line), or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r tests/requirements.txt)"
    if not find_chromium():
        return "Chromium not found (Debian: apt-get install chromium)"
    return None


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    """Launch Debian's Chromium headless through playwright; close it on the way out."""
    from playwright.sync_api import sync_playwright

    reason = missing_chromium()
    if reason:
        raise RuntimeError(reason)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()
