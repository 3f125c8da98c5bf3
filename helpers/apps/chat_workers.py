"""The FastAPI chat room as `--workers 2` runs it: each worker process keeps a room of its own, in its memory.

Each newcomer first learns which worker process it reached (that worker's process id), so a notebook
can see where the room splits. Everything else is helpers.apps.chat_fastapi unchanged.
"""

from __future__ import annotations

import os
from typing import Any

from helpers.apps.chat_fastapi import ChatRoom, create_app


class WorkerRoom(ChatRoom):
    """A chat room that tells each newcomer which worker process holds it."""

    def welcome(self, name: str) -> list[dict[str, Any]]:
        """Return one event naming this worker process: the room lives in its memory, and only there."""
        return [{"type": "worker", "pid": os.getpid()}]


app = create_app(WorkerRoom)
