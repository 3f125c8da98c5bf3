"""FastAPI endpoints for the concurrency notebook: await, block the loop, or use the threadpool."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Query

from helpers.numbers import require_number

MAX_MS = 5000  # a typo like ms=100000 should not hang a notebook cell for minutes
Ms = Query(100, ge=0, le=MAX_MS)

router = APIRouter()


def burn_cpu(seconds: float) -> None:
    """Spin in pure Python for `seconds` of this thread's CPU time: work that holds the GIL."""
    # thread_time, not the wall clock: while other threads hold the GIL this thread's
    # clock stops, so every request really does `seconds` of work.
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


@router.get("/io")
async def io(ms: int = Ms) -> dict:
    # await hands control back to the event loop: it serves other requests meanwhile.
    await asyncio.sleep(ms / 1000)
    return {"framework": "FastAPI", "awaited_ms": ms}


@router.get("/blocking")
async def blocking(ms: int = Ms) -> dict:
    # The classic mistake: a blocking call inside async def stops the whole event loop.
    time.sleep(ms / 1000)
    return {"framework": "FastAPI", "blocked_ms": ms}


@router.get("/sync-io")
def sync_io(ms: int = Ms) -> dict:
    # A plain def endpoint runs in a threadpool (anyio's limiter: 40 threads by default), not on the loop.
    time.sleep(ms / 1000)
    return {"framework": "FastAPI", "waited_ms": ms}


@router.get("/cpu")
async def cpu(ms: int = Ms) -> dict:
    # CPU work holds the loop however it is written: there is nothing to await.
    burn_cpu(ms / 1000)
    return {"framework": "FastAPI", "computed_ms": ms}


def create_app(threads: int | None = None) -> FastAPI:
    """Return the app; with `threads`, its plain def endpoints may use that many threads instead of 40."""
    if threads is None:
        app = FastAPI()
    else:
        require_number("threads", threads, 1, 1000, integer=True)

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            # FastAPI runs plain def endpoints (and def dependencies) with anyio.to_thread.run_sync,
            # limited by the event loop's default CapacityLimiter: 40 tokens unless raised here,
            # at start-up, in the loop that serves the app (Starlette's docs, "Thread Pool").
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
            yield

        app = FastAPI(lifespan=lifespan)
    app.include_router(router)
    return app


app = create_app()
