"""FastAPI plain `def` with a sync Session, the session dependency limited to the pool's size: GET /items/{item_id}.

The same app as stock_fastapi_sync, with one change: `Depends(get_session, max_concurrency=pool_size)`.
FastAPI's docs ("Limit dependency concurrency", FastAPI 0.163+:
https://fastapi.tiangolo.com/advanced/advanced-dependencies/#limit-dependency-concurrency) say a call past the
limit waits without using a worker thread. So at most DB_POOL_SIZE requests hold a session, and AnyIO's 40 threads
are never all taken by requests waiting for a connection that only a session's cleanup, in a thread too, would free.
"""

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query
from sqlalchemy.orm import Session

from helpers.apps.stock_fastapi_sync import get_session
from helpers.apps.stock_schema import WAIT_MS_MAX, item_json
from helpers.apps.stock_sqlalchemy import engine_options, item_with_wait

pool_size = engine_options()[1]["pool_size"]
# As many sessions at once as the pool has connections; the rest wait on the event loop, not in a thread.
SessionDep = Annotated[Session, Depends(get_session, max_concurrency=pool_size)]

app = FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: int, session: SessionDep, wait_ms: Annotated[float, Query(ge=0, le=WAIT_MS_MAX)] = 50.0) -> dict:
    row = session.execute(item_with_wait(item_id, wait_ms)).first()
    if row is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item_json(row.Item, wait_ms)
