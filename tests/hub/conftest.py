"""One throwaway JupyterHub and one Chromium for the hub test; skip (or fail in CI) when a tool is missing."""

from __future__ import annotations

import pytest

from harness.chromium import launch_chromium
from harness.lab import SHOTS
from tests.conftest import skip_unless
from tests.hub.hub import missing_tools, start_hub, stop_hub


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
    with launch_chromium() as b:
        yield b


@pytest.fixture(scope="session")
def hub_shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
