"""A web app answer served on a Unix socket and checked from another process (helpers/coursework/served.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask

from helpers.coursework import grade
from helpers.coursework.checks import evaluate
from helpers.coursework.exercises import EXERCISES
from helpers.coursework.judge import Judge
from helpers.coursework.served import Remote, RemoteServer, ServedBy, serve_unix
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


def short_socket(tmp_path: Path) -> str:
    """Return a socket path short enough for Unix sockets (107 bytes), under `tmp_path` when it is."""
    path = tmp_path / "s"
    return str(path) if len(str(path)) < 100 else f"/tmp/served-{os.getpid()}-{tmp_path.name[:20]}"


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_a_served_app_answers_a_check_in_another_process(tmp_path, kind):
    from fastapi import FastAPI

    path = short_socket(tmp_path)
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


def test_a_socket_someone_else_serves_is_refused(tmp_path):
    path = short_socket(tmp_path)
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


def test_a_patch_that_puts_itself_back_fools_the_replay_but_not_the_judge(tmp_path):
    judge = Judge(ROOT)
    try:
        rows, flag = replayed(tmp_path, [["answer", SELF_REMOVING_PATCH, "00.2"]], judge)
        honest, none = replayed(tmp_path, [["answer", EXERCISES["00.2"].solution, "00.2"]], judge)
    finally:
        judge.close()
    assert rows["00.2"]["passed"] is False and 'expected {"sum": 42}' in rows["00.2"]["message"]
    assert "not the grader's, over HTTP" in flag
    assert honest["00.2"]["passed"] is True and none is None


def test_without_the_judge_the_same_patch_passes_in_the_replay_so_the_judge_is_what_refuses_it(tmp_path):
    # The replay alone (nothing served): its own check is fooled. This is why a served app's mark is the judge's.
    env = {**os.environ, "COURSE_GRADING": "1", "PYTHONPATH": str(ROOT)}
    run = grade.start_replay([["answer", SELF_REMOVING_PATCH, "00.2"]], tmp_path, env, ROOT, None, 60, 30, 30)
    rows, _ = grade.finish_replay(run)
    assert rows["00.2"]["passed"] is True


def test_a_served_answer_without_a_judge_gets_no_mark(tmp_path):
    rows, _ = replayed(tmp_path, [["answer", EXERCISES["00.3"].solution, "00.3"]], None)
    assert rows["00.3"]["passed"] is False and "no judge" in rows["00.3"]["message"]


def test_every_web_app_answer_is_served_and_only_those():
    web = {k for k, e in EXERCISES.items() if e.served}
    assert web == {"00.2", "00.3", "01.2", "01.3"}
    assert all(not EXERCISES[k].data for k in web)
