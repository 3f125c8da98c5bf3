"""Tool-dependent tests skip with a reason on a learner's machine and fail in CI, through one rule."""

from __future__ import annotations

import pytest

from tests.conftest import skip_unless


def test_a_missing_tool_skips_with_its_reason(monkeypatch):
    monkeypatch.delenv("COURSE_REQUIRE_X", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        skip_unless("no chromium", required_by="COURSE_REQUIRE_X")


def test_a_missing_tool_fails_where_ci_requires_it(monkeypatch):
    monkeypatch.setenv("COURSE_REQUIRE_X", "1")
    with pytest.raises(pytest.fail.Exception, match="COURSE_REQUIRE_X=1 but no chromium"):
        skip_unless("no chromium", required_by="COURSE_REQUIRE_X")


def test_nothing_missing_runs_the_test(monkeypatch):
    monkeypatch.setenv("COURSE_REQUIRE_X", "1")
    skip_unless(None, required_by="COURSE_REQUIRE_X")
