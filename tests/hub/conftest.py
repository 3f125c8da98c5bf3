"""One throwaway JupyterHub and one Chromium for the hub test; skip (or fail in CI) when a tool is missing."""
from __future__ import annotations

import pytest

from tests.conftest import skip_unless

from tests.hub.hub import missing_tools, start_hub, stop_hub
from tools.lab import CHROMIUM_ARGS, SHOTS, find_chromium


@pytest.fixture(scope="session")
def hub_ready():
    """Skip with a one-line reason where a tool is missing; fail instead when CI requires the hub test."""
    skip_unless(missing_tools(), required_by="COURSE_REQUIRE_HUB")


@pytest.fixture(scope="package")
def hub(hub_ready, tmp_path_factory):
    """Start the hub and its proxy; stop them and every server they started, by PID."""
    server = start_hub(tmp_path_factory.mktemp("jupyterhub"))
    try:
        yield server
    finally:
        left = stop_hub(server)
        assert not left, f"the hub left processes behind (killed): {left}"


@pytest.fixture(scope="package")
def hub_browser(hub_ready):
    """Launch Debian's Chromium through playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def hub_shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
