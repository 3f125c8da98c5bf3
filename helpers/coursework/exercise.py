"""What one exercise is, and the decorator a notebook's exercise module collects its checks with."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CheckFn = Callable[[Any], "str | None"]  # returns what is wrong, or None when right
# Given an answer that passed: why the measurements it claims disagree with the machine that ran it, or None. The
# grader calls it on the machine that ran the answer cell, and flags the row (never changes a mark).
WitnessFn = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Exercise:
    """One exercise: its check, a hint, and a solution kept out of the learner's way."""

    id: str
    title: str
    check: CheckFn
    hint: str
    solution: str  # code that binds `answer`
    praise: str = "Well done."
    # The answer is plain data (a string, numbers, a tuple, list, set or dict of them): the grader judges it
    # outside the learner's kernel (helpers/coursework/judge.py). Otherwise the check runs in that kernel.
    data: bool = False
    witness: WitnessFn | None = None  # for answers that carry the learner's own measurements (03.4)
    # "wsgi" or "asgi" for an answer that is a web app: in grading the replay serves it and the grader's judge
    # runs the check against it over a socket (helpers/coursework/served.py), as well as the replay's own check.
    served: str = ""
    # With served="call": the function a check calls the answer through, port(answer, *args) -> JSON-able; in grading
    # the replay serves it beside the answer and the judge calls it with arguments of its own choosing. With "wsgi"
    # or "asgi": port(answer) is the app to serve (08.4's answer is a model; the API built from it is served).
    port: Callable[..., Any] | None = None


class ExerciseSet:
    """The exercises of one notebook, in the order they are declared."""

    def __init__(self, notebook: str) -> None:
        self.notebook = notebook
        self.items: dict[str, Exercise] = {}

    def __call__(
        self,
        id: str,
        title: str,
        *,
        hint: str,
        solution: str,
        praise: str = "Well done.",
        data: bool = False,
        witness: WitnessFn | None = None,
        served: str = "",
        port: Callable[..., Any] | None = None,
    ) -> Callable:
        """Return a decorator that adds the decorated function as the check of exercise `id`."""
        if not id.startswith(self.notebook + "."):
            raise ValueError(f"exercise {id!r} does not belong to notebook {self.notebook!r}")
        if id in self.items:
            raise ValueError(f"exercise {id!r} is declared twice")
        if served not in ("", "wsgi", "asgi", "call"):
            raise ValueError(f'exercise {id!r}: served is "", "wsgi", "asgi" or "call", not {served!r}')
        if served == "call" and port is None or not served and port is not None:
            raise ValueError(f'exercise {id!r}: served="call" needs a port, and a port needs served')

        def add(fn: CheckFn) -> CheckFn:
            self.items[id] = Exercise(
                id, title, fn, hint, textwrap.dedent(solution).strip(), praise, data, witness, served, port
            )
            return fn

        return add
