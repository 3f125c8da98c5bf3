"""A slow dependency: an async client and a blocking client on threads both overlap the waits; one thread doesn't."""

import pytest

from helpers import serve
from helpers.apps import microservice_fastapi, microservice_flask, microservice_inventory
from helpers.serving.processes import stop_processes
from helpers.usecases.slow_dependency import BurstFigures, compare, order_bursts, start_orders_services

DELAY = 0.1


@pytest.fixture
def slow_inventory(no_leaks):
    with serve(microservice_inventory.create_inventory_app(delay=DELAY), "t-slow-inventory", ready_path="/health") as s:
        yield s


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_flask_threads_and_fastapis_loop_both_overlap_the_waits(anyio_backend, slow_inventory):
    services = start_orders_services(slow_inventory.url)
    try:
        assert services["Flask"].server == "gunicorn gthread" and "--factory" in services["FastAPI"].command
        urls = {fw: p.url for fw, p in services.items()}
        # A busy core can slow either side's bursts; a tie on any of five tries is the claim (a server that
        # answers one order at a time takes 40 waits every time, and never ties).
        tries = 0
        while tries < 5:  # CI saw three starved tries in a row on a core shared with two spinners
            tries += 1
            figures = await order_bursts(urls, orders=40, delay=DELAY, repeats=3)
            # A starved core can also push the inventory past the services' 1 s timeout (a 503, by design): retry.
            if compare(figures) is None and all(f.ok for f in figures.values()):
                break
        # each try: a warm-up burst and 3 timed
        assert len(services["Flask"].get("/orders").json()["orders"]) == tries * 4 * 40
    finally:
        stop_processes()
    assert all(f.ok and len(f.seconds) == 3 for f in figures.values())
    # One order at a time would take 40 waits; overlapped, a few.
    assert all(1 <= f.waits < 40 / 4 for f in figures.values()), figures
    assert compare(figures) is None, figures  # a tie: within 1.5x of each other


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_flask_on_one_thread_waits_for_each_order_in_turn(anyio_backend, slow_inventory):
    # The control: the same blocking client on a server without threads, against FastAPI's loop.
    flask = serve(
        microservice_flask.create_app(slow_inventory.url), "t-slow-flask-1", threaded=False, ready_path="/orders"
    )
    fastapi = serve(microservice_fastapi.create_app(slow_inventory.url), "t-slow-fastapi", ready_path="/orders")
    with flask, fastapi:
        # One thread can't be quicker than 8 waits in turn: a lower bound no busy core breaks. A busy core
        # can slow FastAPI's burst (CI saw 2.5 waits on a core shared with spinners), so it gets five tries.
        for _ in range(5):
            figures = await order_bursts({"Flask": flask.url, "FastAPI": fastapi.url}, orders=8, delay=DELAY, repeats=1)
            if 8 * 0.9 > 3 * figures["FastAPI"].waits:
                break
    assert figures["Flask"].waits >= 8 * 0.9 > 3 * figures["FastAPI"].waits, figures
    assert compare(figures) == "FastAPI"


def figures(*seconds: float) -> BurstFigures:
    return BurstFigures(orders=10, delay=DELAY, seconds=seconds, statuses=(201,) * 10)


def test_compare_calls_a_tie_within_the_margin_and_a_winner_beyond_it():
    assert compare({"a": figures(0.2, 0.21, 0.22), "b": figures(0.25, 0.3, 0.28)}) is None
    assert compare({"a": figures(0.2, 0.21, 0.22), "b": figures(0.5, 0.6, 0.7)}) == "a"
    assert compare({"a": figures(0.9), "b": figures(0.3)}, margin=2) == "b"
    assert figures(0.1, 0.3, 0.2).waits == pytest.approx(2.0)
    assert figures(0.1, 0.3, 0.2).summary() == "200 ms (100-300 ms), 2.0 waits"
    assert not BurstFigures(10, DELAY, (0.1,), (201, 503)).ok
    with pytest.raises(ValueError, match="exactly two"):
        compare({"a": figures(0.1)})


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"orders": 0}, "orders"),
        ({"orders": 101}, "orders"),
        ({"delay": 0}, "delay"),
        ({"repeats": 1.5}, "repeats"),
        ({"services": {}}, "services"),
    ],
)
async def test_bad_settings_are_refused(anyio_backend, kwargs, words):
    kwargs = {"services": {"x": "http://127.0.0.1:1"}, **kwargs}
    with pytest.raises(ValueError, match=words):
        await order_bursts(**kwargs)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_client_drops_idle_connections_before_the_servers_close_them(anyio_backend, monkeypatch):
    import gunicorn.config
    import uvicorn.config

    from helpers.usecases import slow_dependency

    # A connection the server is closing, reused for an order, fails with ReadError (CI saw it on a busy core).
    built = []

    def client(**kwargs):
        built.append(kwargs["limits"])
        raise LookupError("built")

    monkeypatch.setattr(slow_dependency.httpx, "AsyncClient", client)
    with pytest.raises(LookupError):
        await order_bursts({"x": "http://127.0.0.1:1"})
    server_keepalive = min(gunicorn.config.Keepalive.default, uvicorn.config.Config("x:y").timeout_keep_alive)
    assert built and built[0].keepalive_expiry <= server_keepalive / 2
