"""The judge: answers that are plain data are rebuilt from their repr and checked outside the learner's kernel."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from helpers.coursework.exercises import EXERCISES, get_exercise
from helpers.coursework.judge import MAX_REPR, Judge, decode, judge_line
from helpers.runner.course import ROOT


@pytest.mark.parametrize(
    "value", ["server", 0.2, (2, 16), {"a", "b"}, {"status": 200, "saved": False}, [1, None, True], ...]
)
def test_decode_rebuilds_plain_data_from_its_repr(value):
    assert decode(repr(value)) == value and type(decode(repr(value))) is type(value)


@pytest.mark.parametrize(
    "text, words",
    [
        ("__import__('os').system('touch /tmp/x')", "plain data"),
        ("<function answer at 0x7f>", "plain data"),
        ("np.float64(0.5)", "plain data"),
        ("[" * 5000 + "]" * 5000, "plain data"),  # nested too deep to parse: refused, not a crash
        ("1" * (MAX_REPR + 1), "at most"),
        (None, "plain data"),
    ],
)
def test_decode_refuses_what_is_not_a_literal_and_says_what_is_allowed(text, words):
    with pytest.raises(ValueError, match=words):
        decode(text)


def ask(exercise: str, text: str) -> dict:
    return judge_line(json.dumps({"id": exercise, "repr": text}))


def test_judge_line_gives_the_checks_verdict_and_names_a_bad_answer():
    right = ask("00.1", "'server'")
    assert right["passed"] is True and right["kind"] == "right"
    wrong = ask("00.1", "'content-type'")
    assert wrong["passed"] is False and "content-type" in wrong["message"].lower() and wrong["kind"] == "wrong"
    assert ask("00.1", "Ellipsis")["kind"] == "blank"
    code = ask("00.1", "__import__('os')")
    assert code["passed"] is False and "plain data" in code["message"]
    assert judge_line("not json")["passed"] is False


def solution_value(exercise: str):
    """Return the value the exercise's worked solution binds to `answer`, run in a fresh namespace."""
    space: dict = {}
    exec(compile(get_exercise(exercise).solution, f"<solution {exercise}>", "exec"), space)  # noqa: S102
    return space["answer"]


def is_literal(value) -> bool:
    try:
        return ast.literal_eval(repr(value)) == value
    except (ValueError, SyntaxError, TypeError):
        return False


DATA = sorted(ex for ex, e in EXERCISES.items() if e.data)
CODE = sorted(ex for ex, e in EXERCISES.items() if not e.data)


@pytest.fixture(scope="module")
def judge():
    """One judge process, as the grader starts for one notebook (here for every exercise)."""
    j = Judge(ROOT)
    yield j
    j.close()


@pytest.mark.parametrize("exercise", DATA)
def test_each_data_exercises_solution_passes_when_judged_from_its_repr(exercise, judge):
    value = solution_value(exercise)
    assert is_literal(value), (exercise, value)
    verdict = judge.verdict(exercise, repr(value), timeout=120)
    assert verdict.passed and verdict.kind == "right", (exercise, verdict)


def test_exercises_are_marked_data_exactly_when_their_answer_is_data():
    # A data answer judged in the kernel could be forged there; a code answer can't be rebuilt from a repr.
    assert len(DATA) >= 12 and len(CODE) >= 8
    for exercise in CODE:
        try:
            value = solution_value(exercise)
        except Exception:  # needs the notebook's earlier cells: a code answer all the same
            continue
        assert not is_literal(value), f"{exercise}'s answer is plain data: mark it data=True"


def test_the_judge_process_answers_and_a_check_past_its_limit_costs_only_the_process(tmp_path):
    judge = Judge(ROOT)
    try:
        assert judge.verdict("00.1", "'server'", timeout=60).passed
        first = judge.proc.pid
        verdict = judge.verdict("00.4", "{'Flask app': 'ASGI'}", timeout=60)
        assert not verdict.passed and verdict.kind == "wrong" and judge.proc.pid == first  # one process per notebook
    finally:
        judge.close()
    assert judge.proc is None

    class Sleepy(Judge):
        def _start(self):
            if self.proc is None:
                self.proc = subprocess.Popen(
                    [sys.executable, "-c", "import time; time.sleep(60)"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                )
            return self.proc

    sleepy = Sleepy(ROOT)
    proc = sleepy._start()
    verdict = sleepy.verdict("00.1", "'server'", timeout=0.5)
    assert not verdict.passed and "longer than 0.5 s" in verdict.message
    assert proc.poll() is not None and sleepy.proc is None  # stopped, not left behind


def test_a_grading_process_keeps_one_judge_across_notebooks_and_renews_it(monkeypatch):
    from helpers.coursework import grade

    monkeypatch.setattr(grade, "_JUDGES", {})
    first = grade.judge_for(ROOT, None)
    assert grade.judge_for(ROOT, None) is first  # the next notebook's answers: the same process
    assert grade.judge_for(ROOT, ROOT) is not first  # another run's truths: another judge
    namespace: dict = {}
    exec(EXERCISES["01.1"].solution, namespace)
    ok = first.verdict("01.1", repr(namespace["answer"]), 60)
    pid = first.proc.pid
    assert ok.passed and grade.judge_for(ROOT, None).verdict("01.1", "'Django'", 60).passed is False
    assert first.proc.pid == pid  # one process judged both
    first.uses = grade.JUDGE_USES
    renewed = grade.judge_for(ROOT, None)
    assert renewed is not first and first.proc is None  # the old one stopped
    grade.close_judges()
    assert grade._JUDGES == {}
