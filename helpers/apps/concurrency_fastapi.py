"""FastAPI endpoints for the concurrency notebook: await, block the loop, or use the threadpool."""
import asyncio
import time

from fastapi import FastAPI, Query

MAX_MS = 5000  # a typo like ms=100000 should not hang a notebook cell for minutes
Ms = Query(100, ge=0, le=MAX_MS)

app = FastAPI()


def burn_cpu(seconds: float) -> None:
    """Spin in pure Python for `seconds` of this thread's CPU time: work that holds the GIL."""
    # thread_time, not the wall clock: while other threads hold the GIL this thread's
    # clock stops, so every request really does `seconds` of work.
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


@app.get("/io")
async def io(ms: int = Ms) -> dict:
    # await hands control back to the event loop: it serves other requests meanwhile.
    await asyncio.sleep(ms / 1000)
    return {"framework": "FastAPI", "awaited_ms": ms}


@app.get("/blocking")
async def blocking(ms: int = Ms) -> dict:
    # The classic mistake: a blocking call inside async def stops the whole event loop.
    time.sleep(ms / 1000)
    return {"framework": "FastAPI", "blocked_ms": ms}


@app.get("/sync-io")
def sync_io(ms: int = Ms) -> dict:
    # A plain def endpoint runs in a threadpool (40 threads by default), not on the loop.
    time.sleep(ms / 1000)
    return {"framework": "FastAPI", "waited_ms": ms}


@app.get("/cpu")
async def cpu(ms: int = Ms) -> dict:
    # CPU work holds the loop however it is written: there is nothing to await.
    burn_cpu(ms / 1000)
    return {"framework": "FastAPI", "computed_ms": ms}
