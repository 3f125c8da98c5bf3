"""The chat room: several clients see each other's messages in one order; disconnects are handled."""

import inspect

import pytest

from helpers import serve
from helpers.apps.chat_fastapi import create_app
from helpers.usecases.chat_clients import ChatClient, messages


@pytest.fixture
def chat(no_leaks):
    with serve(create_app(), "t-chat") as srv:
        yield srv


def test_several_clients_receive_every_message_in_the_same_order(chat):
    clients = [ChatClient(chat.url, name) for name in ("ada", "bob", "cy")]
    try:
        for round_ in range(3):
            for c in clients:  # sent without waiting: the server decides one order for all
                c.send(f"{c.name} {round_}")
        last = 3 + 9  # three joins, nine messages
        seen = {c.name: [e for e in c.receive_until(last) if e["type"] == "message"] for c in clients}
    finally:
        for c in clients:
            c.close()
    orders = {name: [(e["seq"], e["user"], e["text"]) for e in events] for name, events in seen.items()}
    assert orders["ada"] == orders["bob"] == orders["cy"]
    assert len(orders["ada"]) == 9
    assert [s for s, _, _ in orders["ada"]] == list(range(4, 13))
    for name in ("ada", "bob", "cy"):  # each sender's own messages keep their order
        assert [t for _, u, t in orders["ada"] if u == name] == [f"{name} {i}" for i in range(3)]


def test_a_disconnect_is_announced_and_the_room_goes_on(chat):
    with ChatClient(chat.url, "ada") as ada:
        bob = ChatClient(chat.url, "bob")
        ada.receive_until(2)
        bob.close()
        assert messages([ada.receive()]) == ["3 bob left"]
        with ChatClient(chat.url, "cy") as cy:
            cy.send("still here?")
            assert messages(ada.receive_until(5))[-1] == "5 cy: still here?"
        assert chat.get("/").json()["members"] == ["ada"]


def test_a_taken_name_is_refused(chat):
    with ChatClient(chat.url, "ada"), ChatClient(chat.url, "ada") as twin:
        assert twin.receive()["type"] == "error"
    assert chat.get("/").json()["members"] == []


def test_client_refuses_bad_names_and_timeouts():
    with pytest.raises(ValueError, match="name"):
        ChatClient("http://127.0.0.1:1", "a b")
    with pytest.raises(ValueError, match="timeout"):
        ChatClient("http://127.0.0.1:1", "ada", timeout=0)


def test_browser_page_joins_and_receives_messages(chat):
    from harness.chromium import launch_chromium, missing_chromium

    reason = missing_chromium()
    if reason:
        pytest.skip(reason)
    assert "new WebSocket" in chat.get("/room").text
    with launch_chromium() as browser:
        page = browser.new_page()
        page.goto(chat.url + "/room", timeout=10_000)
        page.fill("#name", "web")
        page.click("#join")
        page.wait_for_function("document.getElementById('log').textContent.includes('web join')", timeout=10_000)
        with ChatClient(chat.url, "ada") as ada:
            ada.receive()
            ada.send("hello browser")
            page.wait_for_function(
                "document.getElementById('log').textContent.includes('ada: hello browser')", timeout=10_000
            )
            page.fill("#text", "hi ada")
            page.click("#send")
            assert messages(ada.receive_until(4))[-1] == "4 web: hi ada"


def test_the_room_page_says_each_event_in_words_and_why_a_join_failed():
    """The browser page's describe() (run in Node) words every event type the room sends; a taken name says so."""
    import json
    import re
    import shutil
    import subprocess

    from helpers.apps import chat_fastapi

    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    script = re.search(r"const describe = .*?\n};", chat_fastapi.PAGE, re.S).group(0)
    events = [
        {"type": "error", "text": "the name 'ada' is taken"},
        {"type": "message", "seq": 3, "user": "ada", "text": "hi"},
        {"type": "join", "seq": 1, "user": "cy"},
        {"type": "leave", "seq": 4, "user": "cy"},
    ]
    code = script + f"\nfor (const e of {json.dumps(events)}) console.log(describe(e));"
    lines = subprocess.run(
        [node, "-e", code], capture_output=True, text=True, timeout=30, check=True
    ).stdout.splitlines()
    assert lines == ["Could not join: the name 'ada' is taken", "3 ada: hi", "1 cy joined", "4 cy left"]
    sent = set(re.findall(r'"type": "(\w+)"', inspect.getsource(chat_fastapi)))
    assert sent <= {e["type"] for e in events}, f"the page has no words for {sent - {e['type'] for e in events}}"


def test_the_worker_room_names_its_process_before_the_join(no_leaks):
    import os

    from helpers.apps import chat_workers

    with serve(chat_workers.create_app(chat_workers.WorkerRoom), "t-chat-workers") as srv:
        with ChatClient(srv.url, "ada") as ada:
            assert ada.receive() == {"type": "worker", "pid": os.getpid()}  # served in this kernel's process
            assert messages([ada.receive()]) == ["1 ada joined"]
