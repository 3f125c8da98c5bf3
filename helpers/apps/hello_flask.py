"""Hello from Flask: an app factory with one route that returns JSON."""

from flask import Flask


def create_app() -> Flask:
    """Build the Flask hello app."""
    app = Flask(__name__)

    @app.get("/")
    def hello() -> dict[str, str]:
        # Flask turns a returned dict into a JSON response.
        return {"framework": "Flask", "message": "Hello!"}

    return app
