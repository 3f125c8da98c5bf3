"""The task: the course's send_receipt, declared with Django's @task so a worker can run it later."""

from django_tasks import task

from helpers.apps import receipts


@task()
def send_receipt(order_id: int, fail_times: int = 0) -> str:
    # Arguments and return value are stored as JSON in the database, so they must be JSON values.
    return receipts.send_receipt(order_id, fail_times)
