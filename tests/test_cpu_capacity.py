"""Cores this kernel may use, and the share of them it gets."""

import pytest

from helpers.concurrency.cpu_capacity import free_cores, usable_cores


def test_usable_cores_is_at_least_one():
    assert 1 <= usable_cores()


def test_free_cores_is_between_nothing_and_the_spinners():
    one = free_cores(1, seconds=0.05)
    assert 0 < one <= 1.0
    assert 0 < free_cores(2, seconds=0.05) <= 2.0


@pytest.mark.parametrize("kwargs", [{"processes": 0}, {"seconds": 0}, {"processes": 1.5}])
def test_bad_parameters(kwargs):
    with pytest.raises(ValueError):
        free_cores(**kwargs)
