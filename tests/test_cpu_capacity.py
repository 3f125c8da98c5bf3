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


def test_the_cpu_bound_verdicts_follow_the_cores_used():
    from helpers.concurrency.cpu_capacity import judge_cpu_bound

    assert [v.held for v in judge_cpu_bound([1.0, 1.0, 1.9, 2.0], cores=2, capacity=2.0)] == [True, True, True]
    # threads that computed side by side, more processes than cores using more, one per core no faster than threads
    assert [v.held for v in judge_cpu_bound([1.0, 1.5, 1.6, 2.5], cores=2, capacity=2.0)] == [False, False, False]
    with pytest.raises(ValueError, match="four set-ups"):
        judge_cpu_bound([1.0], cores=2, capacity=2.0)
