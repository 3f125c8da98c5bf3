"""The same chat room with Flask and flask-sock: a thread per socket on threads, a greenlet on gevent.

flask-sock runs on werkzeug and on gunicorn's threaded worker (a thread per open socket), and on gunicorn's
gevent worker, which patches the standard library so that each socket is a greenlet and the lock below a
gevent lock: https://flask-sock.readthedocs.io/en/latest/web_servers.html
"""

from __future__ import annotations

import json
import threading
from typing import Any

from flask import Flask
from flask_sock import ConnectionClosed, Sock


class ChatRoom:
    """The members of one room, and a numbered log of what happened in it."""

    def __init__(self) -> None:
        self.members: dict[str, Any] = {}
        self.log: list[dict[str, Any]] = []
        # One lock: numbering and sending happen together, so every member sees the same order
        # (and two threads never write to one socket at once).
        self.lock = threading.Lock()

    def broadcast(self, event: dict[str, Any]) -> None:
        """Number `event`, log it and send it to every member; drop members that are gone."""
        with self.lock:
            event = {"seq": len(self.log) + 1, **event}
            self.log.append(event)
            text = json.dumps(event)
            for name, ws in list(self.members.items()):
                try:
                    ws.send(text)
                except Exception:  # a member vanished mid-send: forget them, keep the room going
                    self.members.pop(name, None)

    def join(self, name: str, ws: Any) -> bool:
        """Accept `ws` as `name`, or refuse it if the name is taken."""
        with self.lock:
            taken = name in self.members
            if not taken:
                self.members[name] = ws
        if taken:
            ws.send(json.dumps({"type": "error", "text": f"the name {name!r} is taken"}))
            ws.close(reason=4000)
            return False
        self.broadcast({"type": "join", "user": name})
        return True

    def leave(self, name: str, ws: Any) -> None:
        """Remove `name` (if it is still this socket) and tell the others."""
        with self.lock:
            gone = self.members.get(name) is ws and self.members.pop(name, None) is not None
        if gone:
            self.broadcast({"type": "leave", "user": name})


def create_app() -> Flask:
    """Build the chat app: the same routes and events as helpers.apps.chat_fastapi."""
    app = Flask("chat")
    sock = Sock(app)
    app.extensions["chat_room"] = room = ChatRoom()

    @app.get("/")
    def who_is_here():
        return {"members": sorted(room.members), "events": len(room.log)}

    @sock.route("/ws/<name>")
    def chat(ws, name: str) -> None:
        # This function runs for as long as the socket is open: its thread (or greenlet) is held all that time.
        if not room.join(name, ws):
            return
        try:
            while True:
                text = ws.receive()
                if text is None:
                    continue
                room.broadcast({"type": "message", "user": name, "text": str(text)[:500]})
        except ConnectionClosed:
            pass
        finally:
            room.leave(name, ws)

    return app
