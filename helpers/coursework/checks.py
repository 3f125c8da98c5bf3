"""Check a learner's exercise answer: kind, specific feedback; raise only when grading."""
from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from typing import Any, Callable

from IPython.display import Markdown, display

from helpers.coursework.exercise import Exercise
from helpers.coursework.exercises import get_exercise

GRADING_ENV = "COURSE_GRADING"


class ExerciseFailed(AssertionError):
    """An exercise check failed while grading mode was on."""


@dataclass(frozen=True)
class Result:
    """The outcome of one check."""

    exercise: Exercise
    passed: bool
    message: str

    def __str__(self) -> str:
        return self.message


def grading() -> bool:
    """Tell whether grading mode is on (COURSE_GRADING=1)."""
    return os.environ.get(GRADING_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def evaluate(id: str, answer: Any) -> Result:
    """Run exercise `id`'s check on `answer` and say what is wrong, without printing."""
    ex = get_exercise(id)
    if answer is ...:
        return Result(ex, False, f"Exercise {id} is not answered yet: replace the `...` with your answer. Hint: {ex.hint}")
    try:
        problem = ex.check(answer)
    except Exception as exc:  # the learner's code raised: say where, not just "False"
        last = traceback.extract_tb(exc.__traceback__)[-1]
        problem = f"checking your answer raised {type(exc).__name__}: {exc} (at line {last.lineno} of {last.name})"
    if problem:
        return Result(ex, False, f"Not yet: {problem}\nHint: {ex.hint}")
    return Result(ex, True, f"Correct! {ex.praise}")


def check(id: str, answer: Any) -> None:
    """Check `answer` and print feedback; in grading mode, raise if it is wrong."""
    result = evaluate(id, answer)
    mark = "✅" if result.passed else "❌"
    print(f"{mark} Exercise {id} ({result.exercise.title}): {result.message}")
    if not result.passed and grading():
        raise ExerciseFailed(f"Exercise {id} failed: {result.message}")


def solution_code(id: str) -> str:
    """Return the solution of exercise `id` as code."""
    return get_exercise(id).solution


def show_solution(id: str) -> None:
    """Show the solution of exercise `id` (for self-study: try first!)."""
    display(Markdown(f"**Solution to exercise {id}**\n\n```python\n{solution_code(id)}\n```"))


def solution_answer(id: str) -> Any:
    """Run the solution code of exercise `id` and return the `answer` it binds."""
    namespace: dict[str, Any] = {"__name__": f"solution_{id.replace('.', '_')}"}
    exec(compile(solution_code(id), f"<solution {id}>", "exec"), namespace)
    if "answer" not in namespace:
        raise RuntimeError(f"the solution of {id} does not bind `answer`")
    return namespace["answer"]
