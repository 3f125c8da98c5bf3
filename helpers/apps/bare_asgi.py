"""A bare ASGI app: one coroutine, no framework, answering JSON."""

import json


async def app(scope: dict, receive, send) -> None:
    """Answer every HTTP request with a small JSON document naming the path."""
    if scope["type"] != "http":  # lifespan and websocket events: nothing to do here
        return
    body = json.dumps({"protocol": "ASGI", "path": scope["path"]}).encode()
    # The response goes out as two messages: the start (status, headers), then the body.
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
