"""The chat load: the same client script measures both servers; a thread per socket shows up in the figures."""

import pytest

from helpers import serve
from helpers.apps import chat_fastapi, chat_flask
from helpers.usecases.chat_contest import chat_load


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


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize(
    "kwargs, words", [({"clients": 0}, "clients"), ({"rounds": 1.5}, "rounds"), ({"timeout": 0}, "timeout")]
)
async def test_bad_settings_are_refused(anyio_backend, kwargs, words):
    with pytest.raises(ValueError, match=words):
        await chat_load("http://127.0.0.1:1", **kwargs)
