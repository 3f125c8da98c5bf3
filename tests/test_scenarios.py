"""Real servers: the orderings that must hold, with wide margins (never raw times)."""

from __future__ import annotations

import pytest

from helpers.concurrency.scenarios import SCENARIOS, Measurement, measure
from helpers.serving.servers import list_servers


@pytest.fixture(scope="module")
def spans() -> dict[str, Measurement]:
    names = ["flask-one-worker", "flask-threaded", "fastapi-async", "fastapi-blocking", "fastapi-def", "django-asgi"]
    return {name: measure(name, n=10) for name in names}


def test_blocking_in_async_is_about_one_sync_worker(spans):
    ratio = spans["fastapi-blocking"].measured_makespan / spans["flask-one-worker"].measured_makespan
    assert 0.5 < ratio < 2


def test_serialised_servers_are_far_slower_than_concurrent_ones(spans):
    slow = min(spans[n].measured_makespan for n in ("fastapi-blocking", "flask-one-worker"))
    fast = max(spans[n].measured_makespan for n in ("flask-threaded", "fastapi-async", "fastapi-def", "django-asgi"))
    assert slow > 3 * fast


def test_threads_are_about_as_good_as_the_loop_on_pure_io(spans):
    ratio = spans["flask-threaded"].measured_makespan / spans["fastapi-async"].measured_makespan
    assert 1 / 3 < ratio < 3


def test_the_model_predicts_the_serialised_ones_closely(spans):
    # Their makespan is dominated by exact sleeps, so even a busy machine stays close.
    for name in ("flask-one-worker", "fastapi-blocking"):
        assert abs(spans[name].error) < 0.5, name
        assert spans[name].predicted_p95 <= spans[name].predicted_makespan


def test_servers_are_stopped_after_measuring(spans):
    assert not [s for s in list_servers() if s.name.startswith("scenario-")]


def test_every_scenario_is_described_with_a_model():
    for name, s in SCENARIOS.items():
        assert s.name == name and s.description and s.model["mode"] in ("wsgi", "async", "blocking", "threadpool")


@pytest.mark.parametrize("name,n", [("no-such-scenario", None), ("fastapi-async", 0), ("fastapi-async", 1000)])
def test_bad_arguments_are_refused(name, n):
    with pytest.raises(ValueError, match="must be"):
        measure(name, n=n)


def test_every_scenario_says_where_the_model_may_miss():
    assert all(len(s.caveat) > 40 for s in SCENARIOS.values())
