"""Notebook 08's exercise truths: how 08.2 turns its measurements into the claims it judges."""

from helpers.coursework.exercises.nb08 import burst_winner, thread_grower
from helpers.usecases.slow_dependency import BurstFigures


def burst(*seconds: float) -> BurstFigures:
    return BurstFigures(orders=50, delay=0.1, seconds=seconds, statuses=(201,) * 50)


def test_a_tie_in_any_try_is_a_tie_and_a_winner_must_win_every_try():
    tie = {"Flask": burst(0.6, 0.7), "FastAPI": burst(0.5, 0.5)}
    fastapi = {"Flask": burst(1.5, 1.6), "FastAPI": burst(0.5, 0.5)}
    flask = {"Flask": burst(0.4, 0.4), "FastAPI": burst(1.0, 1.1)}
    assert burst_winner([tie]) == "tie"
    assert burst_winner([fastapi]) == "FastAPI"
    assert burst_winner([fastapi, fastapi]) == "FastAPI"
    assert burst_winner([fastapi, tie]) == "tie"  # a busy core slows one side; it never speeds one up
    assert burst_winner([fastapi, flask]) == "tie"  # the winners disagree: no side won


def test_a_thread_per_socket_is_half_a_thread_or_more_per_client():
    assert thread_grower({"Flask": 1.98, "FastAPI": 0.0}) == "Flask"
    assert thread_grower({"Flask": 0.0, "FastAPI": 0.0}) == "neither"
    assert thread_grower({"Flask": 2.0, "FastAPI": 1.0}) == "both"
    assert thread_grower({"Flask": 0.1, "FastAPI": 0.6}) == "FastAPI"
