"""FastAPI plain `def` with SQLAlchemy's sync Session: GET /items/{item_id}, run in AnyIO's thread pool.

Serve it with uvicorn: uvicorn helpers.apps.stock_fastapi_sync:app. FastAPI runs a `def` endpoint (and a
`def` dependency) in a thread pool that AnyIO caps at 40 threads, so at most 40 requests wait on the
database at once per process. Set up as FastAPI's SQL tutorial does, with a SQLAlchemy Session in
place of SQLModel's: https://fastapi.tiangolo.com/tutorial/sql-databases/
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from helpers.apps.stock_schema import WAIT_MS_MAX, item_json
from helpers.apps.stock_sqlalchemy import engine_options, item_with_wait

url, options = engine_options()
engine = create_engine(url, **options)


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

app = FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: int, session: SessionDep, wait_ms: Annotated[float, Query(ge=0, le=WAIT_MS_MAX)] = 50.0) -> dict:
    # A thread of the pool blocks here while PostgreSQL works.
    row = session.execute(item_with_wait(item_id, wait_ms)).first()
    if row is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item_json(row.Item, wait_ms)
