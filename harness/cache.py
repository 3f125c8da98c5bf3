"""The folder where the tests and CI keep what they install (venvs, configurable-http-proxy)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Return the cache folder: COURSE_CI_CACHE, else $XDG_CACHE_HOME/course-ci, else ~/.cache/course-ci."""
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "course-ci"
    return Path(os.environ.get("COURSE_CI_CACHE") or default)
