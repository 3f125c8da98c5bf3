"""A web app answer served on a Unix socket and checked from another process (helpers/coursework/served.py)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from flask import Flask

from helpers.coursework import grade, served
from helpers.coursework.checks import evaluate
from helpers.coursework.exercises import EXERCISES
from helpers.coursework.judge import Judge
from helpers.coursework.served import Remote, RemoteCall, RemoteServer, ServedBy, bind, call_app, serve_unix
from tests.coursework.red_team import RED_TEAM_00_2

ROOT = Path(__file__).resolve().parents[2]

# A wrong 00.2 whose view patches the check's HTTP client while the check calls it, and whose patch puts itself back
# before the replay looks: in the replay's own process the check reads a forged sum and nothing is left changed.
SELF_REMOVING_PATCH = RED_TEAM_00_2["rt_self_removing"]


def adder() -> Flask:
    """Return a right 00.2 app."""
    app = Flask("adder")

    @app.get("/add")
    def add() -> dict:
        from flask import request

        return {"sum": request.args.get("a", type=int) + request.args.get("b", type=int)}

    return app


@pytest.fixture
def socket_path():
    """Yield a socket path short enough for Unix sockets (107 bytes) whatever pytest's folder; removed after."""
    with tempfile.TemporaryDirectory(prefix="served-") as folder:
        yield str(Path(folder) / "s")


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_a_served_app_answers_a_check_in_another_process(socket_path, kind):
    from fastapi import FastAPI

    path = socket_path
    if kind == "wsgi":
        app = adder()
    else:
        app = FastAPI()

        @app.get("/add")
        def add(a: int, b: int) -> dict:
            return {"sum": a + b}

    serve_unix(app, kind, path)
    r = RemoteServer(Remote(kind, path, os.getuid())).get("/add", params={"a": 2, "b": 40})
    assert r.status_code == 200 and r.json() == {"sum": 42}
    # The same check a kernel runs, given the remote: its verdict comes from HTTP alone.
    assert evaluate("00.2", Remote(kind, path, os.getuid())).passed is True


def test_a_socket_someone_else_serves_is_refused(socket_path):
    path = socket_path
    serve_unix(adder(), "wsgi", path)
    with pytest.raises(ServedBy, match="uid"):
        RemoteServer(Remote("wsgi", path, os.getuid() + 1)).get("/add", params={"a": 1, "b": 1})
    assert evaluate("00.2", Remote("wsgi", path, os.getuid() + 1)).passed is False


def test_a_wrong_kind_is_refused_by_name():
    with pytest.raises(ValueError, match="wsgi"):
        RemoteServer(Remote("cgi", "/nowhere", 0))


def replayed(tmp_path: Path, cells: list[list], judge: Judge | None) -> tuple[dict, str | None]:
    """Replay `cells` as the grader does (no sandbox), serving the web apps among them; return rows and flag."""
    env = {**os.environ, "COURSE_GRADING": "1", "PYTHONPATH": str(ROOT), "MPLBACKEND": "agg"}
    served = {c[2]: EXERCISES[c[2]].served for c in cells if EXERCISES[c[2]].served}
    run = grade.start_replay(cells, tmp_path, env, ROOT, None, 60, 30, 30, served)
    return grade.finish_replay(run, judge, 30)


def replay_alone(tmp_path: Path, cells: list[list]) -> dict:
    """Replay `cells` with nothing served (the replay's own checks only); return its rows."""
    env = {**os.environ, "COURSE_GRADING": "1", "PYTHONPATH": str(ROOT)}
    return grade.finish_replay(grade.start_replay(cells, tmp_path, env, ROOT, None, 60, 30, 30))[0]


def cheat_and_honest(tmp_path: Path, exercise: str, cheat: str) -> tuple[dict, str | None, dict, str | None]:
    """Grade `cheat` then the solution of `exercise` with one judge; return each one's rows and flag."""
    judge = Judge(ROOT)
    try:
        rows, flag = replayed(tmp_path, [["answer", cheat, exercise]], judge)
        honest, none = replayed(tmp_path, [["answer", EXERCISES[exercise].solution, exercise]], judge)
    finally:
        judge.close()
    return rows, flag, honest, none


def test_a_served_answer_without_a_judge_gets_no_mark(tmp_path):
    rows, _ = replayed(tmp_path, [["answer", EXERCISES["00.3"].solution, "00.3"]], None)
    assert rows["00.3"]["passed"] is False and "no judge" in rows["00.3"]["message"]


def test_the_answers_judged_over_http_are_these_and_none_is_data():
    web = {k for k, e in EXERCISES.items() if e.served}
    assert web == {"00.2", "00.3", "01.2", "01.3", "03.3", "04.6", "05.3", "08.4"}
    assert all(not EXERCISES[k].data for k in web)


# A wrong 05.3: no rules at all, it reads which books to accept from the check's own frame (the random good book
# included). In the replay's process the check is right there to read; where the judge calls it, it is not.
FRAME_READER_05_3 = '''
import json
import sys

from helpers.coursework.exercises import nb05


def answer(payload):
    """Accept the books the check's frame says are good; no rules of its own."""
    frame = sys._getframe(1)
    while frame is not None and "fresh" not in frame.f_locals:
        frame = frame.f_back
    good = [*nb05.ACCEPT, *nb05.UNSEEN_ACCEPT] + ([frame.f_locals["fresh"]] if frame is not None else [])
    if json.dumps(payload, sort_keys=True) not in {json.dumps(b, sort_keys=True) for b in good}:
        raise ValueError("refused")  # 1965.0 == 1965 in Python: compared as the client sent them
'''


@pytest.mark.parametrize(
    "exercise, cheat, words",
    [
        ("00.2", SELF_REMOVING_PATCH, 'expected {"sum": 42}'),  # a patch that puts itself back
        ("05.3", FRAME_READER_05_3, "didn't print"),  # a validator that reads the check's frame
    ],
)
def test_a_cheat_that_fools_the_replay_gets_nothing_from_the_judge(tmp_path, exercise, cheat, words):
    # The replay alone: its own check is fooled. This is why a served answer's mark is the judge's.
    assert replay_alone(tmp_path, [["answer", cheat, exercise]])[exercise]["passed"] is True
    rows, flag, honest, none = cheat_and_honest(tmp_path, exercise, cheat)
    assert rows[exercise]["passed"] is False and words in rows[exercise]["message"]
    assert "not the grader's, over HTTP" in flag
    assert honest[exercise]["passed"] is True and none is None


@pytest.mark.parametrize("exercise", ["03.3", "04.6", "05.3"])
def test_a_port_called_over_http_gives_the_check_what_a_call_here_gives(socket_path, exercise):
    namespace: dict = {}
    exec(EXERCISES[exercise].solution, namespace)
    path = socket_path
    port = EXERCISES[exercise].port
    serve_unix(call_app(bind(namespace["answer"], port)), "wsgi", path)
    remote = Remote("call", path, os.getuid())
    assert evaluate(exercise, remote).passed is True
    assert evaluate(exercise, namespace["answer"]).passed is True
    # What the answer raised is raised where the judge called it, as the check expects it.
    serve_unix(call_app(bind(lambda *a: 1 / 0, served.call)), "wsgi", path)
    with pytest.raises(RuntimeError, match="division"):
        RemoteCall(remote)(1)


def test_a_model_is_judged_through_the_api_the_course_builds_from_it(socket_path):
    from pydantic import Field

    from helpers.apps.api_first_fastapi import BookIn

    class NoBound(BookIn):
        pages: int = Field()  # no lower bound: the API keeps 0 pages

    namespace: dict = {}
    exec(EXERCISES["08.4"].solution, namespace)
    port = EXERCISES["08.4"].port
    for model, passed in [(namespace["answer"], True), (NoBound, False)]:
        path = socket_path
        serve_unix(port(model), "asgi", path)
        verdict = evaluate("08.4", Remote("asgi", path, os.getuid()))
        assert verdict.passed is passed, verdict.message


def test_a_folder_too_long_for_a_socket_path_still_serves_and_leaves_nothing(tmp_path, monkeypatch):
    parent = tmp_path / ("x" * 100)  # a Unix socket's path holds 107 bytes at most
    parent.mkdir()
    made: list[str] = []  # this test's own short folders (other tests, or CI's other lanes, make theirs meanwhile)
    real = tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(grade.tempfile, "mkdtemp", mkdtemp)
    rows, flag = cheat_and_honest(parent, "00.3", "answer = 42")[2:]
    assert rows["00.3"]["passed"] is True and flag is None
    short = [m for m in made if Path(m).name.startswith("course-s-")]
    assert short and not any(Path(m).exists() for m in short)
