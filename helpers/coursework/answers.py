"""Notice a stale `answer`: one last set for another exercise, or left over because the cell meant to set it raised.

In a kernel, `check("05.2", answer)` only sees a value. If the learner's 05.2 answer cell raised, or was never run,
`answer` still holds what an earlier exercise's cell gave it, and judging that value gives baffling feedback
("the answer should be a jinja2.Environment, not a set"). IPython tells us which cells ran, whether they raised and
whether they changed `answer`; this module keeps that trail so a check can name the cell to run again instead.
Outside IPython (plain Python, the grader's probe, which calls `evaluate` directly) there is no trail and no effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helpers.coursework.cells import binds_answer

_SHELL_ATTRIBUTE = "_course_answer_trail"  # one trail per shell, even when helpers is imported afresh
_UNBOUND = object()


@dataclass
class AnswerTrail:
    """What the kernel's cells did to `answer`: which cell set it last, whether one raised, what it was checked for."""

    namespace: dict[str, Any]
    generation: int = 0  # bumped each time a cell sets `answer`: the value of one generation is one answer
    bound_at: int | None = None  # the execution count ([N] in the notebook) of the cell that set `answer` last
    failed: tuple[int | None, str] | None = None  # ([N], error) of the last cell meant to set `answer`, if it raised
    checked: dict[int, str] = field(default_factory=dict)  # generation -> the exercise its answer was checked for
    _before: Any = field(default=_UNBOUND, repr=False)
    _latest: Any = field(default=_UNBOUND, repr=False)  # `answer` as the cell that set it last left it
    _pending: tuple[str, Any] | None = field(default=None, repr=False)  # a check of an `answer` the running cell set

    def pre_run_cell(self, info: Any = None) -> None:
        """Remember `answer` before a cell runs, to tell afterwards whether the cell changed it."""
        self._before = self.namespace.get("answer", _UNBOUND)
        self._pending = None

    def post_run_cell(self, result: Any) -> None:
        """Record whether the cell that just ran set `answer`, and whether it raised."""
        source = getattr(getattr(result, "info", None), "raw_cell", "") or ""
        changed = self.namespace.get("answer", _UNBOUND) is not self._before
        # The source test catches `answer = "x"` run twice (same interned object); identity catches any other way.
        if not (changed or binds_answer(source)):
            return
        error = getattr(result, "error_before_exec", None) or getattr(result, "error_in_exec", None)
        count = getattr(result, "execution_count", None)
        if changed or error is None:
            self.generation += 1
            self.bound_at = count
            self._latest = self.namespace.get("answer", _UNBOUND)
            if self._pending is not None and self._pending[1] is self._latest:
                self.checked[self.generation] = self._pending[0]  # `answer = ...` and its check in one cell
        self.failed = None if error is None else (count, f"{type(error).__name__}: {error}")

    def _fresh_in_this_cell(self, answer: Any) -> bool:
        # Set in the running cell itself (`answer = ...` then `check(...)`): no finished cell has recorded it yet.
        return answer is not self._latest

    def record_check(self, exercise_id: str, answer: Any) -> None:
        """Note that the current `answer` was checked for `exercise_id`."""
        if answer is self._latest:
            self.checked[self.generation] = exercise_id
        else:
            self._pending = (exercise_id, answer)  # the running cell set it: its generation starts when it ends

    def problem(self, exercise_id: str, answer: Any) -> str | None:
        """Say why `answer` is not exercise `exercise_id`'s latest answer, naming the cell to run; None when fine."""
        if answer is not self.namespace.get("answer", _UNBOUND):
            return None  # the learner passed another variable: this trail is about `answer` only
        if self._fresh_in_this_cell(answer):
            return None
        own = f"the answer cell of exercise {exercise_id} (the code cell above this check)"
        if self.failed is not None:
            count, error = self.failed
            where = f" (run as [{count}])" if count is not None else ""
            return (
                f"the last cell that sets `answer`{where} raised {error}, so `answer` may not hold what that cell "
                f"meant to give it, and this check would judge a leftover instead. Fix that cell (for this exercise, "
                f"{own}) and run it, then run this check again."
            )
        other = self.checked.get(self.generation)
        if other is not None and other != exercise_id:
            where = f", set by the cell run as [{self.bound_at}]" if self.bound_at is not None else ""
            return f"`answer` still holds your answer to exercise {other}{where}. Run {own}, then run this check again."
        return None


def install(shell: Any | None = None) -> AnswerTrail | None:
    """Start keeping the trail in the running IPython shell (once per shell); return it, or None outside IPython."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython ships with the course
            return None
        shell = get_ipython()
    if shell is None or not hasattr(shell, "events"):
        return None
    trail = getattr(shell, _SHELL_ATTRIBUTE, None)
    if trail is None:
        trail = AnswerTrail(shell.user_ns)
        # Installed from inside a running cell (the first import of the checks): take `answer` as that cell found it.
        trail._before = trail._latest = shell.user_ns.get("answer", _UNBOUND)
        shell.events.register("pre_run_cell", trail.pre_run_cell)
        shell.events.register("post_run_cell", trail.post_run_cell)
        setattr(shell, _SHELL_ATTRIBUTE, trail)
    return trail


def current() -> AnswerTrail | None:
    """Return the running shell's trail, or None when there is none."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    shell = get_ipython()
    return getattr(shell, _SHELL_ATTRIBUTE, None) if shell is not None else None
