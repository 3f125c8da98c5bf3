"""Check a learner's exercise answer: kind, specific feedback that wraps at words; raise only when grading."""

from __future__ import annotations

import dis
import html
import inspect
import os
import re
import traceback
from dataclasses import dataclass
from typing import Any

from IPython.display import display

from helpers.coursework import answers
from helpers.coursework.exercise import Exercise
from helpers.coursework.exercises import get_exercise

GRADING_ENV = "COURSE_GRADING"

# A check's message that mentions a 5xx status: the learner's app crashed, and its traceback is in the logs.
_SERVER_ERROR = re.compile(r"\b(answered|returned|status(?:es)?|got)\b[^\n]{0,40}?\b5\d\d\b", re.IGNORECASE)
LOGS_ADVICE = (
    "The server answered with an error (5xx): its traceback is in the server logs. "
    "Run `from helpers import server_logs; print(server_logs())` to read it."
)

# Colour-blind-safe (Okabe-Ito) accents, same family as helpers.palette.
_ACCENT = {"right": "#009E73", "wrong": "#D55E00", "blank": "#E69F00", "stale": "#E69F00"}
# The verdict is always in words: without an emoji font the mark shows as an empty box, and colour alone
# says nothing to a screen reader or a colour-blind reader (WCAG 1.4.1). The mark only decorates.
_VERDICT = {
    "right": ("✅", "Correct"),
    "wrong": ("❌", "Not yet"),
    "blank": ("❌", "Not answered yet"),
    "stale": ("⚠️", "Not checked yet"),
}
VERDICT_WORDS = {kind: words for kind, (_, words) in _VERDICT.items()}


class ExerciseFailed(AssertionError):
    """An exercise check failed while grading mode was on."""


class SolutionsUnavailable(RuntimeError):
    """Solutions can't be shown: grading mode is on, or this copy of the course has none."""


@dataclass(frozen=True)
class Result:
    """The outcome of one check: `kind` is "right", "wrong", "blank" or "stale"; `message` never holds the hint."""

    # `message` follows the verdict's words on screen, so it never repeats them ("Not yet: not yet..."): it is the
    # praise, what is wrong, or what to do.

    exercise: Exercise
    passed: bool
    message: str
    kind: str = "wrong"
    server_error: bool = False

    @property
    def hint(self) -> str:
        """Return the exercise's hint."""
        return self.exercise.hint

    def __str__(self) -> str:
        return self.message


def grading() -> bool:
    """Tell whether grading mode is on (COURSE_GRADING=1)."""
    return os.environ.get(GRADING_ENV, "").strip().lower() in ("1", "true", "yes", "on")


_SCALARS = (str, bytes, int, float, complex)


def _crafted(answer: Any, depth: int = 0) -> str | None:
    """Name a scalar subclass in `answer` (a str whose strip() lies would fool a check), or None."""
    if isinstance(answer, _SCALARS) and type(answer) not in (*_SCALARS, bool):
        base = next(t for t in _SCALARS if isinstance(answer, t))
        return f"the answer should be a plain {base.__name__}, not a {type(answer).__name__}"
    if isinstance(answer, (tuple, list, set, frozenset)) and depth < 2:
        for item in answer:
            problem = _crafted(item, depth + 1)
            if problem:
                return problem
    if isinstance(answer, dict) and depth < 2:
        for item in (*answer.keys(), *answer.values()):
            problem = _crafted(item, depth + 1)
            if problem:
                return problem
    return None


def _sentence(text: str) -> str:
    """Return `text` with its first letter capitalised: checks phrase problems to follow "Not yet: "."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def _returns_only_ellipsis(answer: Any) -> bool:
    """Tell whether `answer` is a function whose whole body is `return ...`: an answer template left as it was."""
    if not inspect.isfunction(answer):
        return False
    ops = [(i.opname, i.argval) for i in dis.get_instructions(answer) if i.opname not in ("RESUME", "NOP", "CACHE")]
    # Python 3.11 loads the constant and returns it; 3.12 and later return the constant in one instruction.
    return ops in ([("RETURN_CONST", Ellipsis)], [("LOAD_CONST", Ellipsis), ("RETURN_VALUE", None)])


def evaluate(id: str, answer: Any) -> Result:
    """Run exercise `id`'s check on `answer` and say what is wrong, without printing."""
    ex = get_exercise(id)
    if answer is ... or _returns_only_ellipsis(answer):
        # Only what to do: a hint here would give the answer away before the learner tried (issue 14 §2).
        return Result(
            ex,
            False,
            "Replace the `...` in the answer cell with your answer, run that cell, then run this check again. "
            f'Stuck? `check("{id}", answer, hint=True)` shows a hint.',
            kind="blank",
        )
    try:
        # Checks compare plain values; a subclass could override what they call (strip, __sub__, __eq__).
        problem = _crafted(answer) or ex.check(answer)
    except Exception as exc:  # the learner's code raised: say where, not just "False"
        last = traceback.extract_tb(exc.__traceback__)[-1]
        problem = f"checking your answer raised {type(exc).__name__}: {exc} (at line {last.lineno} of {last.name})"
    if problem:
        server_error = bool(_SERVER_ERROR.search(problem))
        message = _sentence(problem)
        if server_error:
            message += "\n" + LOGS_ADVICE
        return Result(ex, False, message, kind="wrong", server_error=server_error)
    return Result(ex, True, ex.praise, kind="right")


def _inline_html(text: str) -> str:
    """Escape `text` for HTML, turning `code` spans into <code> and newlines into <br>."""
    parts = html.escape(text).split("`")
    out = "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))
    return out.replace("\n", "<br>")


@dataclass(frozen=True)
class Feedback:
    """What `check` shows: HTML that wraps at words in JupyterLab, with a plain-text twin for nbval and terminals."""

    result: Result
    with_hint: bool = False

    def lines(self) -> tuple[str, str, list[str]]:
        """Return the verdict line, the mark, and the body lines (message, then the hint if shown)."""
        mark, verdict = _VERDICT[self.result.kind]
        ex = self.result.exercise
        body = [self.result.message]
        if self.with_hint:
            body.append(f"Hint: {self.result.hint}")
        return f"{verdict}: exercise {ex.id} ({ex.title})", mark, body

    def __str__(self) -> str:
        head, mark, body = self.lines()
        return "\n".join([f"{mark} {head}", *body])  # the words carry the verdict; the mark is decoration

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        head, mark, body = self.lines()
        colour = _ACCENT[self.result.kind]
        paragraphs = "".join(f'<p style="margin:0.3em 0">{_inline_html(b)}</p>' for b in body)
        # font-family inherit + white-space normal: prose, wrapped between words, not a monospace stream.
        return (
            f'<div class="course-feedback course-feedback-{self.result.kind}" role="status" '
            f'style="border-left:4px solid {colour};padding:0.3em 0.8em;font-family:inherit;'
            f'white-space:normal;overflow-wrap:break-word;word-break:normal;max-width:60em">'
            f'<p style="margin:0.2em 0"><strong><span aria-hidden="true">{mark}</span> {html.escape(head)}</strong></p>'
            f"{paragraphs}</div>"
        )


@dataclass(frozen=True)
class Note:
    """A short Markdown note (a hint, a solution) with a plain-text twin for terminals and nbval."""

    markdown: str

    def __str__(self) -> str:
        return self.markdown

    def __repr__(self) -> str:
        return self.markdown

    def _repr_markdown_(self) -> str:
        return self.markdown


def check(id: str, answer: Any, hint: bool = False, strict: bool = False) -> None:
    """Check `answer` and show feedback (the hint after a wrong answer, or with hint=True); raise when grading.

    strict=True raises on an answer that is not right whatever the environment says: nbgrader's grade cells use
    it, since nbgrader counts a cell that raises as a lost mark and knows nothing of COURSE_GRADING.
    """
    trail = answers.current()
    stale = trail.problem(id, answer) if trail is not None else None
    if stale:
        # Judging a value left over from another exercise would only confuse: say which cell to run instead.
        result = Result(get_exercise(id), False, _sentence(stale), kind="stale")
    else:
        result = evaluate(id, answer)
        if trail is not None:
            trail.record_check(id, answer)
    display(Feedback(result, with_hint=hint or result.kind == "wrong"))
    if not result.passed and (strict or grading()):
        raise ExerciseFailed(f"Exercise {id}: {VERDICT_WORDS[result.kind]}. {result.message}")


def show_hint(id: str) -> None:
    """Show the hint of exercise `id` (on request: try first!)."""
    ex = get_exercise(id)
    display(Note(f"**Hint for exercise {id}** ({ex.title}): {ex.hint}"))


def solution_code(id: str) -> str:
    """Return the solution of exercise `id` as code; refuse in grading mode or in a copy without solutions."""
    ex = get_exercise(id)
    if grading():
        raise SolutionsUnavailable(
            f"solutions can't be loaded while grading ({GRADING_ENV}=1): "
            f"exercise {id} must be answered by your own code."
        )
    if not ex.solution.strip():
        raise SolutionsUnavailable(
            f"solutions are not part of this copy of the course: ask your instructor "
            f"for the worked solution of exercise {id} after the deadline."
        )
    return ex.solution


def show_solution(id: str) -> None:
    """Show the solution of exercise `id` (for self-study: try first!), or say why it can't be shown."""
    try:
        code = solution_code(id)
    except SolutionsUnavailable as exc:
        display(Note(f"**No solution shown for exercise {id}**: {exc}"))
        return
    display(Note(f"**Solution to exercise {id}**\n\n```python\n{code}\n```"))


def solution_answer(id: str) -> Any:
    """Run the solution code of exercise `id` and return the `answer` it binds."""
    namespace: dict[str, Any] = {"__name__": f"solution_{id.replace('.', '_')}"}
    exec(compile(solution_code(id), f"<solution {id}>", "exec"), namespace)
    if "answer" not in namespace:
        raise RuntimeError(f"the solution of {id} does not bind `answer`")
    return namespace["answer"]


answers.install()  # in a kernel, start following which cell sets `answer` (a no-op elsewhere)
