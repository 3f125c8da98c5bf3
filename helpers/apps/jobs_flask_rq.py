"""Flask puts the receipt on an RQ queue: a worker process sends it, whatever happens to the web process.

Flask's docs show Celery for background tasks (https://flask.palletsprojects.com/en/stable/patterns/celery/);
RQ is used the same way, from a view, with the queue made in the application factory.
Serve it as `helpers.apps.jobs_flask_rq:create_app()`, with REDIS_URL and RECEIPTS_DB set.
"""

from flask import Flask, request

from helpers.apps.jobs_queue import enqueue_receipt, receipts_queue
from helpers.apps.receipts import send_receipt


def create_app() -> Flask:
    """Build the shop: placing an order queues its receipt."""
    app = Flask(__name__)
    queue = receipts_queue()  # one Redis connection pool for the whole app

    @app.post("/orders/<int:order_id>")
    def place_order(order_id: int):
        job = enqueue_receipt(queue, order_id, request.args.get("fail", 0, type=int))
        return {"order": order_id, "receipt": "queued", "job": job.id}, 202

    @app.post("/orders/<int:order_id>/inline")
    def place_order_inline(order_id: int):
        send_receipt(order_id)  # the same job inside the request, for comparison
        return {"order": order_id, "receipt": "sent"}, 201

    return app
