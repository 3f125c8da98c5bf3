"""A WebSocket chat room with FastAPI: everyone receives every message, in one order."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse


class ChatRoom:
    """The members of one room, and a numbered log of what happened in it."""

    def __init__(self) -> None:
        self.members: dict[str, WebSocket] = {}
        self.log: list[dict[str, Any]] = []
        # One lock: numbering and sending happen together, so every member sees the same order.
        self.lock = asyncio.Lock()

    def welcome(self, name: str) -> list[dict[str, Any]]:
        """Return the events a newcomer receives first (none here; see the exercise)."""
        return []

    async def broadcast(self, event: dict[str, Any]) -> None:
        """Number `event`, log it and send it to every member; drop members that are gone."""
        async with self.lock:
            event = {"seq": len(self.log) + 1, **event}
            self.log.append(event)
            gone = []
            for name, ws in list(self.members.items()):
                try:
                    await ws.send_json(event)
                except Exception:  # a member vanished mid-send: forget them, keep the room going
                    gone.append(name)
            for name in gone:
                self.members.pop(name, None)

    async def join(self, name: str, ws: WebSocket) -> bool:
        """Accept `ws` as `name`, or refuse it if the name is taken; send the welcome events."""
        await ws.accept()
        if name in self.members:
            await ws.send_json({"type": "error", "text": f"the name {name!r} is taken"})
            await ws.close(code=4000)
            return False
        for event in self.welcome(name):
            await ws.send_json(event)
        self.members[name] = ws
        await self.broadcast({"type": "join", "user": name})
        return True

    async def leave(self, name: str) -> None:
        """Remove `name` and tell the others."""
        if self.members.pop(name, None) is not None:
            await self.broadcast({"type": "leave", "user": name})


# A minimal browser client; relative URLs keep it working behind Jupyter's proxy.
PAGE = """<!doctype html><meta charset="utf-8"><title>Chat</title>
<p><input id="name" placeholder="your name"> <button id="join">Join</button></p>
<pre id="log" style="height:12em;overflow:auto;border:1px solid #999"></pre>
<p><input id="text" size="40" placeholder="message"> <button id="send">Send</button></p>
<script>
let ws;
const log = (line) => { const el = document.getElementById("log"); el.textContent += line + "\\n"; };
// One line per event the room sends, in words: an error says what went wrong (e.g. a name already taken).
const describe = (e) => {
  if (e.type === "error") return "Could not join: " + e.text;
  if (e.type === "message") return e.seq + " " + e.user + ": " + e.text;
  if (e.type === "join") return e.seq + " " + e.user + " joined";
  if (e.type === "leave") return e.seq + " " + e.user + " left";
  return JSON.stringify(e);
};
document.getElementById("join").onclick = () => {
  const base = location.href.replace(/^http/, "ws").replace(/room\\/?(\\?.*)?$/, "");
  ws = new WebSocket(base + "ws/" + encodeURIComponent(document.getElementById("name").value));
  ws.onmessage = (m) => log(describe(JSON.parse(m.data)));
  ws.onclose = () => log("(disconnected)");
};
document.getElementById("send").onclick = () => { ws.send(document.getElementById("text").value); };
</script>"""


def create_app(room_class: type[ChatRoom] = ChatRoom) -> FastAPI:
    """Build the chat app with one room of class `room_class`."""
    app = FastAPI(title="Chat")
    app.state.room = room = room_class()

    @app.get("/")
    async def who_is_here() -> dict[str, Any]:
        return {"members": sorted(room.members), "events": len(room.log)}

    @app.get("/room", response_class=HTMLResponse)
    async def page() -> str:
        return PAGE

    @app.websocket("/ws/{name}")
    async def chat(ws: WebSocket, name: str) -> None:
        if not await room.join(name, ws):
            return
        try:
            while True:
                text = await ws.receive_text()
                await room.broadcast({"type": "message", "user": name, "text": text[:500]})
        except WebSocketDisconnect:
            pass
        finally:
            await room.leave(name)

    return app


app = create_app()
