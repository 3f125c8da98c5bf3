"""FastAPI `async def` with SQLAlchemy's AsyncSession on psycopg 3's async driver: GET /items/{item_id}.

Serve it with uvicorn: uvicorn helpers.apps.stock_fastapi_async:app. The session dependency follows
FastAPI's SQL tutorial (https://fastapi.tiangolo.com/tutorial/sql-databases/), made async as
SQLAlchemy's asyncio docs show (https://docs.sqlalchemy.org/en/21/orm/extensions/asyncio.html).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from helpers.apps.stock_schema import WAIT_MS_MAX, item_json
from helpers.apps.stock_sqlalchemy import engine_options, item_with_wait

url, options = engine_options()
engine = create_async_engine(url, **options)
new_session = async_sessionmaker(engine)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with new_session() as session:
        yield session  # closed after the response: its connection goes back to the pool


SessionDep = Annotated[AsyncSession, Depends(get_session)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()  # close the pool's connections when the server stops


app = FastAPI(lifespan=lifespan)


@app.get("/items/{item_id}")
async def read_item(
    item_id: int, session: SessionDep, wait_ms: Annotated[float, Query(ge=0, le=WAIT_MS_MAX)] = 50.0
) -> dict:
    # await hands the event loop back while PostgreSQL works: other requests run meanwhile.
    row = (await session.execute(item_with_wait(item_id, wait_ms))).first()
    if row is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item_json(row.Item, wait_ms)
