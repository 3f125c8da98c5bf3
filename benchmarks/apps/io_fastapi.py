"""A FastAPI app whose endpoint waits on simulated I/O and echoes a request id."""

import asyncio

from fastapi import FastAPI

app = FastAPI()


@app.get("/io/{rid}")
async def io(rid: int, ms: float = 100.0) -> dict[str, int]:
    # await, not time.sleep: the event loop serves other requests meanwhile.
    await asyncio.sleep(ms / 1000)
    return {"id": rid}
