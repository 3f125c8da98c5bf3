"""Bad input: every public helper, called with wrong types, out-of-range and absurd values, raises
a clear ValueError/TypeError (or KeyError for an unknown name) whose message names the parameter.
"""
from __future__ import annotations

import math
import sys
from typing import Any, Callable

import httpx
import pytest

import helpers
from helpers.coursework import checks
from helpers import display
from helpers.serving import django_kernel, links


def bare_wsgi(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


# (call, exception types allowed, a word the message must contain: the parameter's name)
CASES: list[Any] = [
    # helpers.serve and friends
    (lambda: helpers.serve(bare_wsgi, 5), ValueError, "name"),
    (lambda: helpers.serve(bare_wsgi, "x" * 41), ValueError, "name"),
    (lambda: helpers.serve(bare_wsgi, "t-in", port=True), ValueError, "port"),
    (lambda: helpers.serve(bare_wsgi, "t-in", port=1.5), ValueError, "port"),
    (lambda: helpers.serve(bare_wsgi, "t-in", port=10**9), ValueError, "port"),
    (lambda: helpers.serve(bare_wsgi, "t-in", deadline=math.nan), ValueError, "deadline"),
    (lambda: helpers.serve(bare_wsgi, "t-in", deadline=math.inf), ValueError, "deadline"),
    (lambda: helpers.serve(bare_wsgi, "t-in", deadline=-1), ValueError, "deadline"),
    (lambda: helpers.serve(bare_wsgi, "t-in", deadline="5"), ValueError, "deadline"),
    (lambda: helpers.serve(bare_wsgi, "t-in", ready_path=None), ValueError, "ready_path"),
    (lambda: helpers.serve(bare_wsgi, "t-in", interface="http"), ValueError, "interface"),
    (lambda: helpers.serve(None, "t-in"), TypeError, "app"),
    (lambda: helpers.serve(42, "t-in"), TypeError, "app"),
    (lambda: helpers.serve_wsgi(bare_wsgi, "t-in", workers=4), TypeError, "ASGI"),
    (lambda: helpers.serve(bare_wsgi, "t-in", threaded="no"), ValueError, "threaded"),
    (lambda: helpers.serve(bare_wsgi, "t-in", lifespan="sometimes"), ValueError, "lifespan"),
    (lambda: helpers.get_server(""), KeyError, "no server named"),
    (lambda: helpers.get_server(None), KeyError, "no server named"),
    (lambda: helpers.server_logs(-1), ValueError, "last"),
    (lambda: helpers.server_logs(2.5), ValueError, "last"),
    (lambda: helpers.server_logs("all"), ValueError, "last"),
    (lambda: helpers.server_logs(True), ValueError, "last"),
    # links
    (lambda: links.proxy_url("8000"), ValueError, "port"),
    (lambda: links.proxy_url(0), ValueError, "port"),
    (lambda: links.direct_url(-5), ValueError, "port"),
    (lambda: links.browser_url(70000), ValueError, "port"),
    (lambda: links.direct_url(8000, path=5), TypeError, "path"),
    (lambda: links.proxy_url(8000, path=None), TypeError, "path"),
    (lambda: links.browser_url(8000, path=b"/"), TypeError, "path"),
    (lambda: links.link_html("django", 8000, path=5), TypeError, "path"),
    (lambda: links.direct_url(True), ValueError, "port"),
    # display
    (lambda: display.Table([[1, 2]], ["a"]), ValueError, "values"),
    (lambda: display.Table(5, ["a"]), TypeError, "rows"),
    (lambda: display.Table("ab", ["a"]), TypeError, "rows"),
    (lambda: display.Table([5], ["a"]), TypeError, "row"),
    (lambda: display.compare_responses([httpx.Response(200)]), TypeError, "responses"),
    (lambda: display.compare_responses({"A": "200 OK"}), TypeError, "responses"),
    (lambda: display.short_body("text"), TypeError, "response"),
    (lambda: display.short_body(httpx.Response(200, text="x" * 50), limit=0), ValueError, "limit"),
    (lambda: display.short_body(httpx.Response(200, text="x" * 50), limit=-3), ValueError, "limit"),
    (lambda: display.short_body(httpx.Response(200, text="x" * 50), limit=True), ValueError, "limit"),
    (lambda: display.short_body(httpx.Response(200, text="x" * 50), limit=2.5), ValueError, "limit"),
    (lambda: display.show_code("no_such_module_anywhere"), ImportError, "no_such_module_anywhere"),
    # checks
    (lambda: checks.check("99.99", 1), KeyError, "99.99"),
    (lambda: checks.check(None, 1), KeyError, "None"),
    (lambda: checks.show_solution("nope"), KeyError, "nope"),
    (lambda: checks.solution_code(3), KeyError, "3"),
    # django_kernel (argument checks that run before Django is touched)
    (lambda: django_kernel.setup_django(debug=True), ValueError, "debug"),
    (lambda: django_kernel.set_urls("", []), ValueError, "group"),
    (lambda: django_kernel.set_urls(None, []), ValueError, "group"),
    (lambda: django_kernel.set_urls("g", 5), TypeError, "patterns"),
    (lambda: django_kernel.set_urls("g", None), TypeError, "patterns"),
]


def _case_id(case: Any) -> str:
    values = case.values if hasattr(case, "values") else case
    return f"{values[2]}-{CASES.index(case)}"


@pytest.mark.parametrize("call, errors, word", CASES, ids=[_case_id(c) for c in CASES])
def test_bad_input_raises_a_clear_error_naming_the_parameter(call: Callable, errors, word: str, no_leaks):
    with pytest.raises(errors) as info:
        call()
    assert word.lower() in str(info.value).lower(), f"{type(info.value).__name__}: {info.value}"


def test_set_urls_rejects_non_patterns_once_django_is_set_up():
    django_kernel.setup_django()
    with pytest.raises(TypeError, match="patterns"):
        django_kernel.set_urls("t-bad-input", [5])


@pytest.mark.parametrize("kwargs, word", [
    ({"timeout": 0}, "timeout"), ({"timeout": -1}, "timeout"), ({"timeout": math.nan}, "timeout"),
    ({"timeout": 10**6}, "timeout"), ({"timeout": "5"}, "timeout"), ({"timeout": True}, "timeout"),
])
def test_server_clients_reject_bad_timeouts(kwargs, word, no_leaks):
    with helpers.serve(bare_wsgi, "t-in-client") as srv:
        for make in (srv.client, srv.async_client):
            with pytest.raises(ValueError, match=word):
                make(**kwargs)
        with pytest.raises(ValueError, match=word):
            srv.get("/", **kwargs)


@pytest.mark.parametrize("value", [0, -3, 2.5, "10", None, True])
def test_async_client_rejects_bad_max_connections(value, no_leaks):
    with helpers.serve(bare_wsgi, "t-in-maxconn") as srv:
        with pytest.raises(ValueError, match="max_connections"):
            srv.async_client(max_connections=value)


# -- notebook 02's helpers (issue 4): the same bad-input rule --------------------------------
simulation = pytest.importorskip("helpers.concurrency.simulation")
from helpers.concurrency import load, scenarios, timeline_plot  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

simulate = simulation.simulate

CASES_02: list[Any] = [
    (lambda: simulate("threads"), ValueError, "mode"),
    (lambda: simulate(n=-1), ValueError, "n"),
    (lambda: simulate(n=10**9), ValueError, "n"),
    (lambda: simulate(n=2.5), ValueError, "n"),
    (lambda: simulate(io=-0.1), ValueError, "io"),
    (lambda: simulate(io=math.inf), ValueError, "io"),
    (lambda: simulate(io=math.nan), ValueError, "io"),
    (lambda: simulate(cpu="1"), ValueError, "cpu"),
    (lambda: simulate(interval=-1), ValueError, "interval"),
    (lambda: simulate(overhead=-1), ValueError, "overhead"),
    (lambda: simulate("wsgi", workers=0), ValueError, "workers"),
    (lambda: simulate("wsgi", threads=True), ValueError, "threads"),
    (lambda: simulate("wsgi", workers=1000, threads=1000), ValueError, "workers"),
    (lambda: simulate("threadpool", pool=0), ValueError, "pool"),
    (lambda: simulate().percentile(101), ValueError, "p"),
    (lambda: simulate().percentile(None), ValueError, "p"),
    (lambda: timeline_plot.plot_timeline([]), TypeError, "results"),
    (lambda: timeline_plot.plot_timeline(simulate(), cursor=-1), ValueError, "cursor"),
    (lambda: timeline_plot.plot_timeline(simulate(), max_rows=0), ValueError, "max_rows"),
    (lambda: timeline_plot.plot_timeline(5), TypeError, "results"),
    (lambda: timeline_plot.plot_timeline(simulate(), width=-1), ValueError, "width"),
    (lambda: load.run_load("http://127.0.0.1:9", "/", 0), ValueError, "n"),
    (lambda: load.run_load("http://127.0.0.1:9", "/", 10**6), ValueError, "n"),
    (lambda: load.run_load("http://127.0.0.1:9", "/", 1, timeout=0), ValueError, "timeout"),
    (lambda: scenarios.measure("no-such-scenario"), ValueError, "name"),
    (lambda: scenarios.measure("fastapi-async", n=0), ValueError, "n"),
    (lambda: scenarios.measure("fastapi-async", n=10**6), ValueError, "n"),
]


@pytest.mark.parametrize("call, errors, word", CASES_02, ids=[f"02-{_case_id(c) if c in CASES else i}"
                                                              for i, c in enumerate(CASES_02)])
def test_notebook_02_helpers_reject_bad_input_naming_the_parameter(call, errors, word, no_leaks):
    with pytest.raises(errors) as info:
        call()
    assert word.lower() in str(info.value).lower(), f"{type(info.value).__name__}: {info.value}"


# Property tests of the simulation. derandomize: the same examples on every run (CI must
# not be flaky); database=None: nothing written into the repository.
PROPS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow])
EPS = 1e-9

workloads = st.fixed_dictionaries({
    "n": st.integers(0, 60),
    "io": st.floats(0, 0.5, allow_nan=False),
    "cpu": st.floats(0, 0.05, allow_nan=False),
    "overhead": st.floats(0, 0.005, allow_nan=False),
    "interval": st.sampled_from([0.0, 0.0, 0.001, 0.01, 0.05]),
})
servers = st.one_of(
    st.fixed_dictionaries({"mode": st.just("wsgi"), "workers": st.integers(1, 4), "threads": st.integers(1, 8)}),
    st.fixed_dictionaries({"mode": st.just("threadpool"), "pool": st.integers(1, 50)}),
    st.fixed_dictionaries({"mode": st.sampled_from(["async", "blocking"])}),
)


@PROPS
@given(workloads, servers)
def test_no_request_finishes_before_it_starts_or_before_its_own_work(work, server):
    result = simulate(**work, **server)
    assert sorted(r.index for r in result.requests) == list(range(work["n"]))  # each request once
    own = work["io"] + work["cpu"] + work["overhead"]
    for r in result.requests:
        assert r.arrival - EPS <= r.start <= r.finish + EPS
        assert r.finish - r.arrival >= own - EPS  # nobody beats their own CPU + I/O
    for s in result.segments:
        assert s.start <= s.end + EPS


@PROPS
@given(workloads, servers)
def test_makespan_is_at_least_the_single_request_floor_and_the_serialised_cpu(work, server):
    result = simulate(**work, **server)
    if work["n"] == 0:
        assert result.makespan == 0
        return
    own = work["io"] + work["cpu"] + work["overhead"]
    assert result.makespan >= own - EPS
    # CPU never overlaps within one process (the GIL): W processes at best divide it by W.
    processes = server.get("workers", 1)
    assert result.makespan >= work["n"] * (work["cpu"] + work["overhead"]) / processes - EPS
    if server["mode"] == "blocking":  # the loop is held for the whole of each request
        assert result.makespan >= work["n"] * own - EPS
    ps = [result.percentile(p) for p in (0, 50, 95, 100)]
    assert ps == sorted(ps) and ps[-1] == pytest.approx(max(result.latencies))


pure_io = st.fixed_dictionaries({
    "n": st.integers(1, 60),
    "io": st.floats(0.001, 0.5, allow_nan=False),
    "interval": st.sampled_from([0.0, 0.001, 0.01, 0.05]),
})


@PROPS
@given(pure_io, st.integers(1, 4), st.integers(1, 8), st.integers(1, 50))
def test_more_workers_threads_or_pool_never_make_pure_io_slower(work, workers, threads, pool):
    base = simulate("wsgi", workers=workers, threads=threads, **work).makespan
    assert simulate("wsgi", workers=workers + 1, threads=threads, **work).makespan <= base + EPS
    assert simulate("wsgi", workers=workers, threads=threads + 1, **work).makespan <= base + EPS
    tp = simulate("threadpool", pool=pool, **work).makespan
    assert simulate("threadpool", pool=pool + 1, **work).makespan <= tp + EPS
    # And awaiting I/O is never slower than blocking the loop with it.
    assert simulate("async", **work).makespan <= simulate("blocking", **work).makespan + EPS


def test_the_properties_can_fail_on_a_broken_model(monkeypatch):
    """Break the model on purpose (finish = start, no I/O wait): the floor property catches it."""
    real = simulation.simulate

    def broken(*args, **kwargs):
        result = real(*args, **kwargs)
        result.requests = [simulation.RequestTimes(r.index, r.arrival, r.start, r.start) for r in result.requests]
        return result

    monkeypatch.setattr(sys.modules[__name__], "simulate", broken)
    with pytest.raises(AssertionError):
        test_no_request_finishes_before_it_starts_or_before_its_own_work()
