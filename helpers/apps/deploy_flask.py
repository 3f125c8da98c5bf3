"""A Flask app for the deployment notebook: a JSON hello, an upload read whole, a large answer, static files.

Its configuration comes from environment variables, as Flask's docs advise for a deployment
(https://flask.palletsprojects.com/en/stable/config/#configuring-from-environment-variables):
`app.config.from_prefixed_env()` reads every FLASK_* variable (FLASK_SECRET_KEY, FLASK_SESSION_COOKIE_SECURE=true).
COURSE_STATIC_DIR names the folder Flask sends /static/ files from (send_from_directory).
"""

import os

from flask import Flask, abort, request, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix


def create_app() -> Flask:
    """Build the app, configured from the environment."""
    app = Flask(__name__, static_folder=None)  # /static/ is the explicit route below
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY -> SECRET_KEY; values are parsed as JSON where they can be
    if os.environ.get("COURSE_BEHIND_PROXY") == "1":
        # Flask's "Tell Flask it is behind a proxy": trust one hop of X-Forwarded-For/-Proto (nginx sets them).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    static_dir = os.environ.get("COURSE_STATIC_DIR", "")

    @app.get("/json")
    def hello() -> dict[str, str]:
        return {"framework": "Flask", "message": "Hello!"}

    @app.post("/upload")
    def upload() -> dict[str, int]:
        # Reads the whole body: under a sync worker, a client that sends it slowly holds the worker.
        return {"received": len(request.get_data())}

    @app.get("/big")
    def big() -> bytes:
        # A large answer: a client that reads it slowly holds a sync worker until the last byte is taken.
        kb = min(int(request.args.get("kb", 1024)), 16 * 1024)
        return b"x" * (kb * 1024), 200, {"Content-Type": "application/octet-stream"}

    @app.get("/static/<path:name>")
    def static_file(name: str):
        if not static_dir:
            abort(404)
        # send_from_directory refuses paths that leave the folder, and answers If-None-Match / Range.
        return send_from_directory(static_dir, name)

    return app


app = create_app()
