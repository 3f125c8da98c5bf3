"""FastAPI puts the receipt on the same RQ queue as the Flask app: a worker process sends it.

FastAPI's background-tasks page (https://fastapi.tiangolo.com/tutorial/background-tasks/) sends heavy
work that must not depend on the web process to a queue and worker; RQ's client is synchronous, so
the endpoint is a plain `def` (FastAPI runs it in its thread pool, off the event loop).
Serve it as `helpers.apps.jobs_fastapi_rq:app`, with REDIS_URL and RECEIPTS_DB set.
"""

from fastapi import FastAPI

from helpers.apps.jobs_queue import enqueue_receipt, receipts_queue
from helpers.apps.receipts import send_receipt

app = FastAPI()
queue = receipts_queue()


@app.post("/orders/{order_id}", status_code=202)
def place_order(order_id: int, fail: int = 0) -> dict:
    job = enqueue_receipt(queue, order_id, fail)
    return {"order": order_id, "receipt": "queued", "job": job.id}


@app.post("/orders/{order_id}/inline", status_code=201)
def place_order_inline(order_id: int) -> dict:
    send_receipt(order_id)  # the same job inside the request, for comparison
    return {"order": order_id, "receipt": "sent"}
