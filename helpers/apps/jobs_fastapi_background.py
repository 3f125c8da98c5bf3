"""FastAPI sends the receipt with BackgroundTasks: after the response, inside the web process.

FastAPI's docs, https://fastapi.tiangolo.com/tutorial/background-tasks/ : a task added to
`BackgroundTasks` runs after the response is sent, in the same process; for heavy work the page
points to "bigger tools like Celery". Nothing stores the task: if the process dies, the task dies too.
"""

from fastapi import BackgroundTasks, FastAPI

from helpers.apps.receipts import send_receipt

app = FastAPI()


@app.post("/orders/{order_id}", status_code=202)
def place_order(order_id: int, background_tasks: BackgroundTasks, fail: int = 0) -> dict:
    # A plain `def` job runs in the thread pool once the response has gone out.
    background_tasks.add_task(send_receipt, order_id, fail)
    return {"order": order_id, "receipt": "after the response"}


@app.post("/orders/{order_id}/inline", status_code=201)
def place_order_inline(order_id: int) -> dict:
    # The same job inside the request: the client waits for the mail server too.
    send_receipt(order_id)
    return {"order": order_id, "receipt": "sent"}
