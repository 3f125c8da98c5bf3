"""Notebook 08's exercise truths: how 08.2 turns its measurements into the claims it judges."""

from helpers.coursework.checks import evaluate, solution_answer
from helpers.coursework.exercises.nb08 import burst_facts, thread_grower


def test_the_burst_follows_the_set_up_a_thread_per_order_or_orders_in_turn():
    """08.2's burst comes from gunicorn's threads against the 50 orders, not from a run a busy grader made."""
    assert burst_facts() == burst_facts(threads=100) and burst_facts()["winner"] == "tie"
    assert burst_facts(threads=100)["waits"] == {"Flask": 1, "FastAPI": 1}
    few = burst_facts(threads=2)
    assert few["waits"] == {"Flask": 25, "FastAPI": 1} and few["winner"] == "FastAPI"
    assert "25 waits in turn" in few["figures"]


def test_with_too_few_threads_the_tie_is_a_wrong_answer(monkeypatch):
    from helpers.coursework.exercises import nb08

    right = solution_answer("08.2")
    monkeypatch.setattr(nb08, "start_and_memory", lambda: {"starts sooner": "Flask", "less memory": "Flask"})
    monkeypatch.setattr(nb08, "chat_threads_per_socket", lambda: {"Flask": 2.0, "FastAPI": 0.0})
    assert evaluate("08.2", right).passed
    monkeypatch.setattr(nb08, "burst_facts", lambda: burst_facts(threads=2))
    result = evaluate("08.2", right)
    assert not result.passed and "wait in turn" in result.message


def test_a_thread_per_socket_is_half_a_thread_or_more_per_client():
    assert thread_grower({"Flask": 1.98, "FastAPI": 0.0}) == "Flask"
    assert thread_grower({"Flask": 0.0, "FastAPI": 0.0}) == "neither"
    assert thread_grower({"Flask": 2.0, "FastAPI": 1.0}) == "both"
    assert thread_grower({"Flask": 0.1, "FastAPI": 0.6}) == "FastAPI"
