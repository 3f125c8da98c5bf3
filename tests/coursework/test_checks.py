"""Coursework checks: every check fails on the blank answer and passes on its solution."""

from __future__ import annotations

import pytest

from helpers.coursework import checks
from helpers.coursework.checks import ExerciseFailed, check, evaluate, solution_answer
from helpers.coursework.exercise import ExerciseSet
from helpers.coursework.exercises import EXERCISES, exercise_ids

ALL = exercise_ids()


@pytest.mark.parametrize("exercise_id", ALL)
def test_blank_answer_says_what_to_do_and_prints_no_hint(exercise_id, capsys, monkeypatch):
    monkeypatch.delenv(checks.GRADING_ENV, raising=False)
    result = evaluate(exercise_id, ...)
    assert not result.passed and result.kind == "blank"
    assert "Replace the `...`" in result.message and "answered" not in result.message.lower()
    check(exercise_id, ...)
    shown = capsys.readouterr().out
    hint = EXERCISES[exercise_id].hint
    assert shown.startswith(f"❌ Not answered yet: exercise {exercise_id}") and "Hint" not in shown
    assert shown.lower().count("not answered yet") == 1  # said once, in words
    assert hint not in shown and hint[:30] not in shown
    html = checks.Feedback(result)._repr_html_()
    assert "Hint" not in html and checks._inline_html(hint)[:30] not in html


@pytest.mark.parametrize("exercise_id", ALL)
def test_hint_on_request(exercise_id, capsys):
    check(exercise_id, ..., hint=True)
    assert "Hint: " + EXERCISES[exercise_id].hint in capsys.readouterr().out


def test_show_hint_displays_the_hint(capsys):
    checks.show_hint("00.1")
    assert EXERCISES["00.1"].hint in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id", ALL)
def test_solution_passes(exercise_id, no_leaks, django_ready):  # as a kernel and the judge have it
    result = evaluate(exercise_id, solution_answer(exercise_id))
    assert result.passed, result.message


def test_wrong_answers_get_specific_feedback():
    assert "not who sent it" in evaluate("00.1", "content-type").message
    assert "string" in evaluate("00.1", 42).message


def test_wrong_answer_shows_the_hint_and_the_verdict_in_words(capsys, monkeypatch):
    monkeypatch.delenv(checks.GRADING_ENV, raising=False)
    check("00.1", "content-type")
    shown = capsys.readouterr().out
    assert shown.startswith("❌ Not yet: exercise 00.1")
    assert "Hint: " + EXERCISES["00.1"].hint in shown
    check("00.1", "server")
    shown = capsys.readouterr().out
    assert shown.startswith("✅ Correct: exercise 00.1") and "Hint" not in shown


def test_feedback_renders_as_html_that_wraps_at_words():
    result = evaluate("00.1", "content-type")
    page = checks.Feedback(result, with_hint=True)._repr_html_()
    # prose, not a monospace stream: wraps between words, never mid-word
    assert "white-space:normal" in page and "overflow-wrap:break-word" in page and "word-break:normal" in page
    assert "<pre" not in page and "monospace" not in page
    assert "Not yet" in page and "❌" in page and "Hint" in page
    assert "<code>" in checks._inline_html("use `request.args` here")
    assert "&lt;script&gt;" in checks._inline_html("<script>")  # learner text can't inject markup
    assert "Correct" in checks.Feedback(evaluate("00.1", "server"))._repr_html_()


def test_check_output_has_html_and_a_plain_text_twin():
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(checks.Feedback(evaluate("00.1", "content-type"), with_hint=True))
    assert "text/html" in data and data["text/plain"].startswith("❌ Not yet")


def test_learner_code_that_raises_is_reported_not_propagated(no_leaks):
    from flask import Flask

    app = Flask("broken")

    @app.get("/add")
    def add():
        return {"sum": 1 / 0}

    result = evaluate("00.2", app)
    assert not result.passed and "500" in result.message
    # a 5xx points the learner at the server's traceback
    assert result.server_error and "server_logs()" in result.message
    assert not evaluate("00.1", "content-type").server_error


def test_solutions_refused_in_grading_mode_and_in_a_copy_without_them(monkeypatch, capsys):
    monkeypatch.setenv(checks.GRADING_ENV, "1")
    with pytest.raises(checks.SolutionsUnavailable, match="grading"):
        solution_answer("00.1")
    monkeypatch.delenv(checks.GRADING_ENV)
    monkeypatch.setitem(EXERCISES, "00.1", EXERCISES["00.1"].__class__("00.1", "t", lambda a: None, "hint", ""))
    with pytest.raises(checks.SolutionsUnavailable, match="not part of this copy"):
        checks.solution_code("00.1")
    checks.show_solution("00.1")
    assert "not part of this copy" in capsys.readouterr().out


def test_a_check_that_raises_is_turned_into_feedback(monkeypatch):
    def explode(answer):
        raise KeyError("missing")

    monkeypatch.setitem(EXERCISES, "00.1", EXERCISES["00.1"].__class__("00.1", "t", explode, "hint", "answer = 1"))
    result = evaluate("00.1", "x")
    assert not result.passed and "KeyError" in result.message


def test_check_prints_and_does_not_raise_for_learners(capsys, monkeypatch):
    monkeypatch.delenv(checks.GRADING_ENV, raising=False)
    assert check("00.1", "nope") is None
    assert "❌" in capsys.readouterr().out
    check("00.1", "server")
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_check_raises_in_grading_mode(monkeypatch, value):
    monkeypatch.setenv(checks.GRADING_ENV, value)
    with pytest.raises(ExerciseFailed, match="00.1"):
        check("00.1", ...)
    check("00.1", "server")  # a right answer never raises


def test_a_strict_check_raises_with_no_environment_variable_and_still_shows_feedback(monkeypatch, capsys):
    # nbgrader's grade cells: a wrong or blank answer must raise, and nbgrader knows nothing of COURSE_GRADING.
    monkeypatch.delenv(checks.GRADING_ENV, raising=False)
    with pytest.raises(ExerciseFailed, match="00.1"):
        check("00.1", "nope", strict=True)
    assert "❌" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match="00.1"):
        check("00.1", ..., strict=True)
    check("00.1", "server", strict=True)  # a right answer never raises
    assert "✅" in capsys.readouterr().out


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(KeyError, match="00.1"):
        evaluate("99.9", 1)


def test_an_id_is_declared_once_and_in_its_own_notebook():
    exercise = ExerciseSet("00")
    exercise("00.1", "first", hint="h", solution="answer = 1")(lambda a: None)
    with pytest.raises(ValueError, match="twice"):
        exercise("00.1", "dup", hint="h", solution="answer = 1")
    with pytest.raises(ValueError, match="notebook '00'"):
        exercise("01.1", "elsewhere", hint="h", solution="answer = 1")


def test_exercise_ids_filter_by_notebook():
    assert exercise_ids("02") and all(i.startswith("02.") for i in exercise_ids("02"))
    assert set(exercise_ids()) == set(EXERCISES)


def test_a_crafted_subclass_cannot_fool_a_check():
    class Liar(str):
        def strip(self):
            return "server"

    class Zero(float):
        def __sub__(self, other):
            return 0.0

    assert not evaluate("00.1", Liar("anything")).passed
    assert "plain str" in evaluate("00.1", Liar("anything")).message
    assert not evaluate("02.1", Zero(99.0)).passed
    assert not evaluate("02.5", (Zero(1), 2)).passed
    assert evaluate("00.1", "server").passed and evaluate("02.5", solution_answer("02.5")).passed  # plain values pass


# -- feedback wording (issue 26, point 7) -----------------------------------------------------------------------


def _stale_result() -> checks.Result:
    return checks.Result(EXERCISES["00.1"], False, "`answer` still holds your answer to exercise 02.1.", kind="stale")


@pytest.mark.parametrize(
    "result",
    [
        pytest.param(lambda: evaluate("00.1", "server"), id="right"),
        pytest.param(lambda: evaluate("00.1", "content-type"), id="wrong"),
        pytest.param(lambda: evaluate("00.1", ...), id="blank"),
        pytest.param(_stale_result, id="stale"),
    ],
)
def test_feedback_says_its_verdict_once_and_in_words(result):
    result = result()
    words = checks.VERDICT_WORDS[result.kind]
    text = str(checks.Feedback(result, with_hint=True))
    head, body = text.split("\n", 1)
    assert words in head  # the verdict in words, whatever the mark looks like without an emoji font
    for said in ("correct", "not yet", "not answered yet", "not checked yet"):
        assert text.lower().count(said) <= 1, text  # "✅ Correct. Correct!" and "Not yet. Not yet:" are gone
    page = checks.Feedback(result)._repr_html_()
    assert words in page and '<span aria-hidden="true">' in page  # screen readers read the words, not the mark


def test_grade_feedback_lines_say_the_verdict_once():
    from helpers.coursework.grade import ExerciseGrade, feedback_line

    right = evaluate("00.1", "server")
    wrong = evaluate("00.1", "content-type")
    blank = evaluate("00.1", ...)
    lines = [
        feedback_line(ExerciseGrade("00.1", True, right.message, right.kind)),
        feedback_line(ExerciseGrade("00.1", False, wrong.message, wrong.kind)),
        feedback_line(ExerciseGrade("00.1", False, blank.message, blank.kind)),
        feedback_line(ExerciseGrade("00.1", False, "the answer cell raised NameError: x.")),
    ]
    assert lines[0].startswith("✅ Correct. The `server` header")
    assert lines[1].startswith("❌ Not yet. Content-type says")
    assert lines[2].startswith("❌ Not answered yet. The answer cell still held the `...` placeholder")
    assert lines[3] == "❌ Not yet. The answer cell raised NameError: x."
    for line in lines:
        for said in ("correct", "not yet"):
            assert line.lower().count(said) <= 1, line


def test_hints_touched_for_issue_26_nudge_without_code():
    for exercise_id in (
        "00.5",
        "03.1",
        "03.2",
        "03.3",
        "03.4",
        "04.1",
        "04.3",
        "04.4",
        "04.5",
        "05.2",
        "05.3",
        "05.4",
        "05.5",
        "05.6",
        "08.1",
        "08.2",
        "08.3",
        "08.4",
        "09.1",
    ):
        hint = EXERCISES[exercise_id].hint
        assert "`" not in hint and "=" not in hint and "[-" not in hint, (exercise_id, hint)


def test_00_4_reads_each_apps_protocol_from_the_object_not_a_table():
    from helpers.coursework.exercises.nb00 import protocol_of

    def wsgi(environ, start_response):
        return []

    async def asgi(scope, receive, send):
        return None

    class AsgiApp:
        async def __call__(self, scope, receive, send):
            return None

    assert (protocol_of(wsgi), protocol_of(asgi), protocol_of(AsgiApp())) == ("WSGI", "ASGI", "ASGI")


def test_01_4_learns_the_admins_answer_by_posting_its_form(django_ready):
    """The check's truth is measured: a year inside the validators is saved and redirected, one outside is not."""
    from helpers.coursework.exercises.nb01 import admin_answer_to

    assert admin_answer_to(1999) == {"status": 302, "saved": True}
    assert admin_answer_to(3000) == {"status": 200, "saved": False}


def test_00_5_feedback_on_the_status_is_not_taken_for_a_crash_of_the_learners_app():
    # The answer names a 500 the learner read, not one their own app answered: no advice about their server.
    for said in ("500", 500, "500 Internal Server Error"):
        result = evaluate("00.5", {"exception": said, "function": "parse_price"})
        assert result.kind == "wrong" and not result.server_error, result.message
        assert "status code" in result.message


# -- 03.4's claimed machine, compared with the machine that ran the answer ----------------------------------------


@pytest.mark.parametrize(
    ("answer", "flagged"),
    [
        ({"workers": 2, "threads": 1, "cores": 2, "capacity": 1.93}, False),
        # one core claimed on two: one worker passes on the claim, and leaves a core idle here
        ({"workers": 1, "threads": 1, "cores": 1, "capacity": 1.0}, True),
        ({"workers": 3, "threads": 1, "cores": 3, "capacity": 3.0}, True),
        # another machine's figures, typed in, even where the choice would be right here too
        ({"workers": 2, "threads": 1, "cores": 4, "capacity": 2.0}, True),
    ],
)
def test_03_4_claimed_cores_are_compared_with_the_machine_that_ran_the_answer(monkeypatch, answer, flagged):
    from helpers.concurrency import cpu_capacity
    from helpers.coursework.exercises.nb03 import claimed_machine

    monkeypatch.setattr(cpu_capacity, "usable_cores", lambda: 2)
    assert evaluate("03.4", answer).passed  # the witness is asked only of answers that passed
    said = claimed_machine(answer)
    assert (said is not None) == flagged, said
    if flagged:
        assert f"claims ({answer['cores']} core(s))" in said and "has 2 usable core(s)" in said
