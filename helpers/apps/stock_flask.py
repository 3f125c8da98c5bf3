"""Flask with SQLAlchemy's sync Session: GET /items/<id> waits on PostgreSQL, then answers the item.

Serve it with gunicorn's gthread worker: gunicorn 'helpers.apps.stock_flask:create_app()' --threads 8.
SQLAlchemy is set up as Flask's docs show it without an extension, a scoped session removed when
each request ends: https://flask.palletsprojects.com/en/stable/patterns/sqlalchemy/
"""

from flask import Flask, abort, request
from sqlalchemy import create_engine
from sqlalchemy.orm import scoped_session, sessionmaker

from helpers.apps.stock_schema import WAIT_MS_MAX, item_json
from helpers.apps.stock_sqlalchemy import engine_options, item_with_wait


def create_app() -> Flask:
    """Build the app, with an engine whose pool holds at most DB_POOL_SIZE connections."""
    app = Flask(__name__)
    url, options = engine_options()
    engine = create_engine(url, **options)
    # One session per thread, so each request (one thread in gthread) has its own.
    db_session = scoped_session(sessionmaker(engine))

    @app.teardown_appcontext
    def remove_session(exception: BaseException | None = None) -> None:
        db_session.remove()  # the connection goes back to the pool, ready for the next request

    @app.get("/items/<int:item_id>")
    def item(item_id: int):
        wait_ms = min(max(request.args.get("wait_ms", 50.0, type=float), 0.0), WAIT_MS_MAX)
        row = db_session.execute(item_with_wait(item_id, wait_ms)).first()
        if row is None:
            abort(404)
        return item_json(row.Item, wait_ms)

    return app
