"""The chat load: the same client script measures every server; a thread per socket shows up in the figures.

And the one-process limit of an in-memory room: with two workers, a message stays on its worker.
"""

import pytest

from helpers import serve
from helpers.apps import chat_fastapi, chat_flask
from helpers.serving.processes import start_gunicorn, start_uvicorn, stop_processes
from helpers.usecases.chat_contest import Member, RoomSplit, chat_load, split_room


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_both_servers_hold_every_client_and_only_flask_grows_threads(anyio_backend, no_leaks):
    figures = {}
    for label, app in [("FastAPI", chat_fastapi.create_app()), ("Flask", chat_flask.create_app())]:
        with serve(app, f"t-chat-load-{label}") as srv:
            figures[label] = await chat_load(srv.url, clients=12, rounds=5)
            assert srv.get("/").json()["members"] == []  # every client left
    assert all(f.held == 12 for f in figures.values())
    assert figures["Flask"].threads_per_client >= 1 > figures["FastAPI"].threads_per_client + 0.5
    assert all(f.p95_ms >= f.median_ms > 0 for f in figures.values())


@pytest.fixture
def chat_processes(no_leaks):
    """The contest's three production set-ups, each in processes of its own."""
    try:
        yield {
            "FastAPI (uvicorn)": start_uvicorn("helpers.apps.chat_fastapi:app", "t-chat-uvicorn"),
            "Flask (gunicorn gthread)": start_gunicorn(
                "helpers.apps.chat_flask:create_app()", "t-chat-gthread", threads=100
            ),
            "Flask (gunicorn gevent)": start_gunicorn(
                "helpers.apps.chat_flask:create_app()", "t-chat-gevent", gevent=True
            ),
        }
    finally:
        stop_processes()


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_gevent_holds_the_clients_without_a_thread_each_as_threads_do_not(anyio_backend, chat_processes):
    figures = {label: await chat_load(p.url, clients=30, rounds=5, server=p) for label, p in chat_processes.items()}
    assert all(f.held == 30 for f in figures.values()), figures
    gthread, gevent, fastapi = (
        figures["Flask (gunicorn gthread)"],
        figures["Flask (gunicorn gevent)"],
        figures["FastAPI (uvicorn)"],
    )
    assert gthread.threads_per_client >= 1 > max(gevent.threads_per_client, fastapi.threads_per_client) + 0.5, figures
    assert all(f.kib_per_client > 0 for f in figures.values()), figures  # read from the servers' own processes


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_with_two_workers_a_message_stays_on_its_workers_room(anyio_backend, no_leaks):
    try:
        two = start_uvicorn("helpers.apps.chat_workers:app", "t-chat-2-workers", workers=2)
        split = await split_room(two.url, max_clients=60)
        assert split.workers == 2 and not split.note, split
        assert split.stays_on_its_worker, split
        firsts = [next(m for m in split.members if m.worker == w) for w in (1, 2)]
        assert [m.join_seq for m in firsts] == [1, 1]  # each worker's room numbers its own events
        one = start_uvicorn("helpers.apps.chat_workers:app", "t-chat-1-worker", workers=1)
        alone = await split_room(one.url, max_clients=6)  # the control: one process, one room
        assert alone.workers == 1 and "same worker" in alone.note and not alone.stays_on_its_worker
        assert [m.join_seq for m in alone.members] == list(range(1, 7))
    finally:
        stop_processes()


def test_a_split_counts_only_when_complete():
    members = (Member("w0", 1, 1, True), Member("w1", 1, 2, True), Member("w2", 2, 1, False))
    assert RoomSplit(members, "hi").stays_on_its_worker
    assert RoomSplit(members, "hi").rows()[2] == ["w2", "worker 2", 1, "no"]
    assert RoomSplit(members, "hi").summary().endswith("w1 (worker 1, join 2) got it, w2 (worker 2, join 1) did not")
    assert not RoomSplit(members, "hi", note="a client waited too long").stays_on_its_worker
    leaked = (*members[:2], Member("w2", 2, 1, True))  # a shared room (a broker) would reach w2 too
    assert not RoomSplit(leaked, "hi").stays_on_its_worker
    assert not RoomSplit(members[:2], "hi").stays_on_its_worker  # one worker: nothing shown


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize(
    "kwargs, words", [({"clients": 0}, "clients"), ({"rounds": 1.5}, "rounds"), ({"timeout": 0}, "timeout")]
)
async def test_bad_settings_are_refused(anyio_backend, kwargs, words):
    with pytest.raises(ValueError, match=words):
        await chat_load("http://127.0.0.1:1", **kwargs)
    with pytest.raises(ValueError, match="max_clients"):
        await split_room("http://127.0.0.1:1", max_clients=1)
