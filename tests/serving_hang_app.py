"""A test ASGI app that never answers: a server that starts but never becomes ready."""

import asyncio


async def app(scope, receive, send):
    if scope["type"] == "http":
        await asyncio.sleep(3600)
