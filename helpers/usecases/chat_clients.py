"""Chat clients for notebooks and tests: synchronous WebSocket clients with timeouts everywhere."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from websockets.sync.client import ClientConnection, connect

DEFAULT_TIMEOUT = 3.0


class ChatClient:
    """One member of the chat room, connected over a real WebSocket."""

    def __init__(self, base_url: str, name: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"name must be a simple word like 'ada', got {name!r}")
        if not (isinstance(timeout, (int, float)) and 0 < timeout <= 30):
            raise ValueError(f"timeout must be a number of seconds from 0 to 30, got {timeout!r}")
        self.name = name
        self.timeout = float(timeout)
        self.received: list[dict[str, Any]] = []
        ws_url = base_url.replace("http://", "ws://", 1).rstrip("/") + f"/ws/{name}"
        # websockets wants its connection used as a context manager; the stack holds it open until close().
        self._stack = contextlib.ExitStack()
        self._ws: ClientConnection | None = self._stack.enter_context(
            connect(ws_url, open_timeout=timeout, close_timeout=timeout)
        )

    def send(self, text: str) -> None:
        """Send one chat message."""
        if self._ws is None:
            raise RuntimeError(f"{self.name} is closed")
        self._ws.send(text)

    def receive(self, timeout: float | None = None) -> dict[str, Any]:
        """Wait for the next event (TimeoutError after `timeout` seconds) and return it."""
        if self._ws is None:
            raise RuntimeError(f"{self.name} is closed")
        event = json.loads(self._ws.recv(timeout=self.timeout if timeout is None else timeout))
        self.received.append(event)
        return event

    def receive_until(self, seq: int, timeout: float | None = None) -> list[dict[str, Any]]:
        """Receive events until one numbered `seq` or later arrives; return them."""
        got = []
        while not got or got[-1].get("seq", 0) < seq:
            got.append(self.receive(timeout))
        return got

    def close(self) -> None:
        """Leave the room (idempotent)."""
        if self._ws is not None:
            self._ws = None
            self._stack.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def messages(events: list[dict[str, Any]]) -> list[str]:
    """Return events as short lines like '3 ada: hello' or '1 ada joined'."""
    lines = []
    for e in events:
        if e.get("type") == "message":
            lines.append(f"{e['seq']} {e['user']}: {e['text']}")
        elif e.get("type") in ("join", "leave"):
            lines.append(f"{e['seq']} {e['user']} {'joined' if e['type'] == 'join' else 'left'}")
        else:
            lines.append(f"{e.get('seq', '-')} {e.get('type')}: {e.get('text', '')}")
    return lines
