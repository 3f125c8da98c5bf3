"""A FastAPI app for the deployment notebook: a JSON hello, an upload that reads its whole body, static files.

COURSE_STATIC_DIR names the folder Starlette's StaticFiles serves under /static/, as FastAPI's docs show
(https://fastapi.tiangolo.com/tutorial/static-files/).
"""

import os

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles


def create_app() -> FastAPI:
    """Build the app; mount /static/ when COURSE_STATIC_DIR names a folder."""
    app = FastAPI()

    @app.get("/json")
    async def hello() -> dict[str, str]:
        return {"framework": "FastAPI", "message": "Hello!"}

    @app.post("/upload")
    async def upload(request: Request) -> dict[str, int]:
        # Awaits the body: a slow client holds a coroutine, not a worker.
        return {"received": len(await request.body())}

    static_dir = os.environ.get("COURSE_STATIC_DIR")
    if static_dir:
        app.mount("/static", StaticFiles(directory=static_dir), name="static")
    return app


app = create_app()
