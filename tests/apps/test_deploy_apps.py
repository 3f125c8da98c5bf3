"""The deployment apps: uploads read whole, static files sent from COURSE_STATIC_DIR, settings from the environment.

Called without a socket (Flask's test client, httpx's ASGITransport); the WhiteNoise project configures Django for
its own process, so it runs under gunicorn in tests/deploy/test_static_files.py.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pydantic import ValidationError

from helpers.apps import deploy_fastapi, deploy_fastapi_settings, deploy_flask


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "site.css").write_text("body { margin: 0 }\n")
    monkeypatch.setenv("COURSE_STATIC_DIR", str(tmp_path))
    return tmp_path


def asgi_get(app, method: str, path: str, **kwargs) -> httpx.Response:
    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(call())


def test_flask_reads_the_upload_and_sends_the_file(folder):
    client = deploy_flask.create_app().test_client()
    assert client.post("/upload", data=b"x" * 123).json == {"received": 123}
    css = client.get("/static/site.css")
    assert css.status_code == 200 and css.data == b"body { margin: 0 }\n"
    assert client.get("/static/../secret.txt").status_code == 404  # send_from_directory stays in its folder
    assert client.get("/json").json["framework"] == "Flask"


def test_flask_without_a_folder_serves_no_static_file(monkeypatch):
    monkeypatch.delenv("COURSE_STATIC_DIR", raising=False)
    assert deploy_flask.create_app().test_client().get("/static/site.css").status_code == 404


def test_flask_config_comes_from_flask_variables(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("FLASK_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("COURSE_BEHIND_PROXY", "1")
    app = deploy_flask.create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is True  # parsed as JSON, not the string "true"
    assert type(app.wsgi_app).__name__ == "ProxyFix"


def test_fastapi_reads_the_upload_and_sends_the_file(folder):
    app = deploy_fastapi.create_app()
    assert asgi_get(app, "POST", "/upload", content=b"y" * 77).json() == {"received": 77}
    css = asgi_get(app, "GET", "/static/site.css")
    assert css.status_code == 200 and css.content == b"body { margin: 0 }\n"
    assert asgi_get(app, "GET", "/static/missing.css").status_code == 404


def test_fastapi_settings_come_from_app_variables(monkeypatch):
    monkeypatch.delenv("APP_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="secret_key"):
        deploy_fastapi_settings.Settings()
    monkeypatch.setenv("APP_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("APP_ALLOWED_HOSTS", '["shop.example.com"]')
    settings = deploy_fastapi_settings.Settings()
    assert settings.allowed_hosts == ["shop.example.com"] and not settings.debug
    assert "s" * 40 not in repr(settings)  # SecretStr hides it
    app = deploy_fastapi_settings.create_app(settings)
    assert asgi_get(app, "GET", "/json").status_code == 400  # Host 127.0.0.1 is not allowed
    assert asgi_get(app, "GET", "/json", headers={"Host": "shop.example.com"}).status_code == 200
