"""A FastAPI app configured as FastAPI's docs advise: a pydantic-settings `Settings` read from environment variables.

https://fastapi.tiangolo.com/advanced/settings/: a `BaseSettings` class reads each field from the environment
(here with the prefix APP_, e.g. APP_SECRET_KEY), validates it, and fails at start-up when a required one is
missing. The app is built by `create_app()` (uvicorn's --factory), so importing this module reads nothing.
"""

from fastapi import FastAPI
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything that differs between a laptop and production, from APP_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="APP_")

    secret_key: SecretStr  # required: no default, so a missing APP_SECRET_KEY stops the app at start-up
    debug: bool = False
    allowed_hosts: list[str] = ["127.0.0.1", "localhost"]  # APP_ALLOWED_HOSTS='["shop.example.com"]' (JSON)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app from `settings` (read from the environment when not given)."""
    settings = settings or Settings()
    app = FastAPI(debug=settings.debug)
    app.state.settings = settings
    # Starlette's TrustedHostMiddleware answers 400 to any Host header not listed (FastAPI's "Advanced Middleware").
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)

    @app.get("/json")
    async def hello() -> dict[str, str]:
        return {"framework": "FastAPI", "message": "Hello!"}

    return app
