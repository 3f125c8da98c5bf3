"""Exercises 07.4 and 07.5 judge with the words and the runs of the notebook's own modules, not copies of them."""

from __future__ import annotations

from helpers.coursework.checks import evaluate, solution_answer
from helpers.coursework.exercises import nb07
from helpers.deploy import restarts, slow_clients, static_files
from helpers.deploy.production_settings import stage_env


def test_07_4_offers_the_arrangements_the_slow_client_run_measures():
    # tests/deploy/test_slow_clients.py asserts what each arrangement did; the exercise names the same ones.
    assert nb07.SLOW_CLIENTS == slow_clients.ARRANGEMENTS
    assert solution_answer("07.4")["slow clients"] == "nginx"


def test_07_4_accepts_the_server_and_the_signal_the_runs_showed():
    # tests/deploy/test_static_files.py: nginx faster than every Python server; test_restarts.py: HUP drops nothing.
    assert solution_answer("07.4")["static files"] in static_files.SERVERS
    assert restarts.PROMISES_ZERO["gunicorn-hup"] and not restarts.PROMISES_ZERO["uvicorn-kill-worker"]
    assert solution_answer("07.4")["restart"] == "HUP"


def test_07_4_reasons_follow_the_kill_and_retry_runs():
    # 07.1's and 07.3's answers are re-measured by tests/jobs/test_nb07_answers.py.
    assert solution_answer("07.1")["BackgroundTasks"] == 0 < solution_answer("07.1")["RQ"]
    assert nb07.REASONS["outlive"][0] == nb07.REASONS["retry"][0] == "queue"
    assert solution_answer("07.3")["RQ"] > 1 and nb07.REASONS["small"][0] == "BackgroundTasks"


def test_07_5_accepts_the_environment_the_notebooks_after_run_uses():
    result = evaluate("07.5", stage_env("django", "after"))
    assert result.passed, result.message


def test_07_5_names_what_the_check_still_reports():
    env = solution_answer("07.5")
    del env["DJANGO_SECURE_HSTS_SECONDS"]
    message = evaluate("07.5", env).message
    assert "security.W004" in message and "SECURE_HSTS_SECONDS" in message, message
