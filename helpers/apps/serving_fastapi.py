"""A FastAPI app for production servers: a JSON hello, an awaited and a threaded I/O wait, a CPU-bound loop."""

import asyncio
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/json")
async def hello() -> dict[str, str]:
    return {"framework": "FastAPI", "message": "Hello!"}


@app.get("/io")
async def io(ms: float = 100.0) -> dict[str, float]:
    # await hands the event loop back: thousands of these can wait at once.
    ms = min(ms, 60_000)
    await asyncio.sleep(ms / 1000)
    return {"waited_ms": ms}


@app.get("/io-def")
def io_def(ms: float = 100.0) -> dict[str, float]:
    # Plain def: FastAPI runs it in AnyIO's thread pool, 40 threads by default, so at most 40 wait at once.
    ms = min(ms, 60_000)
    time.sleep(ms / 1000)
    return {"waited_ms": ms}


@app.get("/cpu")
def cpu(ms: float = 100.0) -> dict[str, float]:
    # Plain def: FastAPI runs it in its thread pool, but the GIL still lets one thread compute at a time.
    ms = min(ms, 10_000)
    end = time.thread_time() + ms / 1000
    spins = 0
    while time.thread_time() < end:
        spins += 1
    return {"cpu_ms": ms, "spins": spins}
