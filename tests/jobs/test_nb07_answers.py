"""The answers exercises 07.1 and 07.3 accept are what real runs measure, not what the checks were told."""

from __future__ import annotations

from helpers.coursework.checks import solution_answer
from helpers.coursework.exercises import nb07
from helpers.jobs import runs


def test_07_1_the_predicted_survivors_are_the_receipts_a_web_kill_leaves(broker):
    expected = solution_answer("07.1")
    background = runs.kill_mid_job("fastapi-background", orders=nb07.ORDERS)
    queued = runs.kill_mid_job("fastapi-rq", orders=nb07.ORDERS, redis=broker)
    assert len(background.sent) == expected["BackgroundTasks"] and background.answered == nb07.ORDERS, background
    assert len(queued.sent) == expected["RQ"] and queued.answered == nb07.ORDERS, queued


def test_07_3_a_job_failing_three_times_runs_as_often_as_the_answer_says(broker):
    expected = solution_answer("07.3")
    rq = runs.retry_after_failure("fastapi-rq", fails=nb07.FAILURES, redis=broker)
    assert (rq.attempts, rq.sent) == (expected["RQ"], False), rq
    django = runs.retry_after_failure("django-tasks", fails=nb07.FAILURES)
    assert (django.attempts, django.sent) == (expected["Django tasks"], False), django
