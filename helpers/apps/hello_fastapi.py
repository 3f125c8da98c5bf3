"""Hello from FastAPI: an app object with one async route that returns JSON."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def hello() -> dict[str, str]:
    # FastAPI serialises the return value (checked against the annotation) to JSON.
    return {"framework": "FastAPI", "message": "Hello!"}
