"""The Flask (flask-sock) chat room keeps the FastAPI room's contract, with a thread per socket."""

import threading

import pytest

from helpers import serve
from helpers.apps import chat_fastapi, chat_flask
from helpers.usecases.chat_clients import ChatClient, messages


@pytest.fixture(params=["Flask", "FastAPI"])
def chat(request, no_leaks):
    app = chat_flask.create_app() if request.param == "Flask" else chat_fastapi.create_app()
    with serve(app, "t-chat-" + request.param) as srv:
        yield srv


def test_both_rooms_give_every_member_the_same_order(chat):
    clients = []
    try:
        for name in ("ada", "bob", "cy"):
            clients.append(ChatClient(chat.url, name))
            clients[-1].receive()  # its own join: the room knows it before anyone writes
        for c in clients:
            c.send(f"from {c.name}")
        seen = {
            c.name: [(e["seq"], e.get("text")) for e in c.receive_until(6) if e["type"] == "message"] for c in clients
        }
    finally:
        for c in clients:
            c.close()
    assert seen["ada"] == seen["bob"] == seen["cy"] and len(seen["ada"]) == 3


def test_both_rooms_announce_a_leave_and_refuse_a_taken_name(chat):
    with ChatClient(chat.url, "ada") as ada:
        ada.receive()  # ada's join is done: with flask-sock the handshake ends before the view runs
        with ChatClient(chat.url, "ada") as twin:
            assert twin.receive()["type"] == "error"
        bob = ChatClient(chat.url, "bob")
        bob.receive()
        bob.close()
        assert messages(ada.receive_until(3))[-2:] == ["2 bob joined", "3 bob left"]


def test_flask_holds_a_werkzeug_thread_for_each_open_socket(no_leaks):
    with serve(chat_flask.create_app(), "t-chat-threads") as srv:
        before = threading.active_count()
        clients = [ChatClient(srv.url, f"c{i}") for i in range(5)]
        for c in clients:
            c.receive()
        during = threading.active_count()
        for c in clients:
            c.close()
    # Each ChatClient has a thread of its own too; the server adds at least one more per socket.
    assert during - before >= 2 * 5
