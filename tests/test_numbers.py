"""The one number rule and the one percentile every helper uses."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.display import shorten
from helpers.numbers import percentile, require_number


@pytest.mark.parametrize("value", [True, "3", None, math.nan, math.inf, 11, -1])
def test_require_number_names_the_argument_the_range_and_the_value(value):
    with pytest.raises(ValueError, match=r"width must be a number in \[0, 10\], got"):
        require_number("width", value, 0, 10)


def test_require_number_accepts_the_edges_and_integers_where_asked():
    require_number("n", 0, 0, 10, integer=True)
    require_number("n", 10, 0, 10, integer=True)
    with pytest.raises(ValueError, match="n must be an int in"):
        require_number("n", 2.5, 0, 10, integer=True)


def test_an_open_lower_bound_refuses_the_bound_itself():
    require_number("timeout", 0.001, 0, 600, low_open=True)
    with pytest.raises(ValueError, match=r"timeout must be .* in \(0, 600\]"):
        require_number("timeout", 0, 0, 600, low_open=True)


def test_percentile_is_nearest_rank():
    values = [5, 1, 4, 2, 3]
    assert [percentile(values, p) for p in (0, 20, 21, 50, 95, 100)] == [1, 1, 2, 3, 5, 5]
    assert percentile([], 95) == 0.0
    with pytest.raises(ValueError, match="p must be"):
        percentile(values, 101)


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50), st.floats(0, 100))
def test_percentile_is_a_member_and_grows_with_p(values, p):
    assert percentile(values, p) in values
    assert percentile(values, p) <= percentile(values, min(100, p + 10))


def test_shorten_folds_space_and_cuts_with_an_ellipsis():
    assert shorten("  two\n words ", 9) == "two words"
    assert shorten("x" * 10, 5) == "xxxx…"
    with pytest.raises(ValueError, match="limit"):
        shorten("x", 0)
