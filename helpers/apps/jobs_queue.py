"""The job queue the Flask and FastAPI apps share: RQ on Redis (REDIS_URL), queue "receipts".

Why RQ and not Celery: RQ's whole model fits in a cell (a queue is a Redis list, a job is a pickled call,
`rq worker` runs them), it needs only Redis, and it shows what the notebook measures: jobs waiting in
the queue, a job that survives the web process, a retry. Celery does the same and much more (other
brokers, routing, canvas, beat), with far more to configure. Judgement: RQ, for teaching this.
RQ's docs: https://python-rq.org/docs/ (queues), https://python-rq.org/docs/exceptions/ (retries).
"""

from __future__ import annotations

import os

from redis import Redis
from rq import Queue, Retry
from rq.job import Job

from helpers.apps.receipts import send_receipt

QUEUE = "receipts"
RETRIES = 2  # a failed receipt is tried again, at most twice


def receipts_queue(url: str | None = None) -> Queue:
    """Return the receipts queue on the Redis at `url` (REDIS_URL, else Redis's own default address)."""
    # No connection is made here: the first enqueue connects.
    return Queue(QUEUE, connection=Redis.from_url(url or os.environ.get("REDIS_URL", "redis://localhost:6379/0")))


def enqueue_receipt(queue: Queue, order_id: int, fail_times: int = 0) -> Job:
    """Put a send_receipt job on `queue`; a worker process runs it, and runs it again if it fails."""
    # The worker imports the function by its name, helpers.apps.receipts.send_receipt.
    return queue.enqueue(send_receipt, order_id, fail_times, retry=Retry(max=RETRIES), job_timeout=60)
