"""The receipt job alone, and the RQ queue that carries it: attempts and receipts recorded, retries declared."""

from __future__ import annotations

import pytest
from rq import SimpleWorker

from helpers.apps import receipts
from helpers.apps.jobs_queue import QUEUE, RETRIES, enqueue_receipt, receipts_queue


class BurstWorker(SimpleWorker):
    """RQ's in-process worker (no fork) without its command channel, which a burst run never reads.

    Its pub/sub thread sleeps up to 60 s between reads, and closing it in-process waited that long here.
    """

    def subscribe(self) -> None:
        pass


@pytest.fixture(autouse=True)
def quick(tmp_path, monkeypatch):
    """A receipts file of the test's own, and a mail server that answers in 10 ms instead of 2 s."""
    monkeypatch.setenv("RECEIPTS_DB", str(tmp_path / "receipts.sqlite3"))
    monkeypatch.setenv("RECEIPT_SECONDS", "0.01")


def test_a_receipt_is_recorded_with_its_attempt():
    assert receipts.send_receipt(7) == "receipt for order 7 sent"
    assert receipts.receipts_sent() == [7] and receipts.attempts() == {7: 1}


def test_the_first_fail_times_attempts_fail_and_each_is_counted():
    with pytest.raises(ConnectionError, match=r"order 3, attempt 1"):
        receipts.send_receipt(3, fail_times=1)
    assert receipts.receipts_sent() == []
    receipts.send_receipt(3, fail_times=1)
    assert receipts.receipts_sent() == [3] and receipts.attempts() == {3: 2}


def test_the_job_is_two_seconds_unless_told_otherwise():
    assert receipts.SECONDS == 2.0


def test_a_queued_receipt_waits_in_redis_with_its_retries_and_a_worker_sends_it(broker):
    queue = receipts_queue(broker.url)
    job = enqueue_receipt(queue, 5, fail_times=1)
    assert queue.name == QUEUE and queue.count == 1 and job.retries_left == RETRIES
    assert job.func_name == "helpers.apps.receipts.send_receipt" and job.args == (5, 1)
    # In burst mode a worker runs what is queued, then returns: here the failure, the retry, the receipt.
    BurstWorker([queue], connection=queue.connection).work(burst=True)
    assert receipts.attempts() == {5: 2} and receipts.receipts_sent() == [5]
    assert job.get_status() == "finished" and queue.count == 0
