"""A web app answer served on a Unix socket and checked from another process (helpers/coursework/served.py)."""

from __future__ import annotations

import contextlib
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
    assert web == {
        "00.2",
        "00.3",
        "01.2",
        "01.3",
        "02.4",
        "03.3",
        "04.4",
        "04.5",
        "04.6",
        "05.2",
        "05.3",
        "06.4",
        "07.2",
        "08.4",
    }
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


# A lazy 04.4 loop (a query per book) that takes Django's execute wrappers away while it runs, so no statement
# is reported, and replaces the check's reading of them with one that says everything was read (put back when used).
# Like every cheat here it patches the module the check runs from, found when called (the replay imports it afresh).
HIDDEN_QUERIES_04_4 = """
from helpers.serving.django_kernel import setup_django

setup_django()
import sys

from django.db import connection

from helpers.apps.library_django.models import Book


def answer():
    nb04 = sys.modules["helpers.coursework.exercises.nb04"]
    real = nb04._fetched

    def everything(library, sent):
        nb04._fetched = real  # gone again before anyone looks
        return [tuple(row) for rows in library.values() for row in rows]

    hidden, connection.execute_wrappers[:] = connection.execute_wrappers[:], []
    try:
        labels = [f"{b.title} by {b.author.name}" for b in Book.objects.order_by("id")]
    finally:
        connection.execute_wrappers[:] = hidden
    nb04._fetched = everything
    return labels
"""

# A 04.5 migration that changes nothing and hands the check a table it renamed itself, from the rows it read.
OWN_TABLE_04_5 = """
import sqlite3
import sys

from alembic import op


def answer():
    nb04 = sys.modules["helpers.coursework.exercises.nb04"]
    real = nb04._slugged_books
    rows = op.get_bind().exec_driver_sql("SELECT * FROM book").fetchall()

    def renamed(given):
        nb04._slugged_books = real  # gone again before anyone looks
        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.execute("CREATE TABLE book (id INTEGER PRIMARY KEY, title, year, handle)")
        conn.executemany("INSERT INTO book VALUES (?, ?, ?, ?)", rows)
        return conn

    nb04._slugged_books = renamed
"""

# A racy 06.4 UPDATE (no "stock > 0"): it makes the check's runner report no row changed on the second sale.
SECOND_SALE_HIDDEN_06_4 = """
import sys

from sqlalchemy import update

from helpers.apps.stock_sqlalchemy import Item

_calls = []


class _Nothing:
    rowcount = 0


def answer(item_id):
    judged_sql = sys.modules["helpers.coursework.judged_sql"]
    real = judged_sql.run

    def forged(conn, sent):
        judged_sql.run = real  # gone again before anyone looks
        _calls.append(sent)
        return _Nothing() if len(_calls) == 2 else real(conn, sent)

    judged_sql.run = forged
    return update(Item).where(Item.id == item_id).values(stock=Item.stock - 1)
"""


# A 02.4 app that still blocks the loop (time.sleep), and silences the check's heartbeat while it is read.
QUIET_PROBE_02_4 = """
import sys
import time

from fastapi import FastAPI

answer = FastAPI()


@answer.get("/slow")
async def slow(ms: int = 100) -> dict:
    probe = sys.modules["helpers.concurrency.lag_probe"].LagProbe
    real = probe.since

    def calm(self, t0):
        probe.since = real  # gone again before anyone looks
        return []

    probe.since = calm
    time.sleep(ms / 1000)
    return {"waited_ms": ms}
"""


# A 07.2 app that sends the receipt inside the request, and tells the check's first look that none was sent yet.
IN_REQUEST_07_2 = """
import sys

from fastapi import FastAPI

from helpers.apps.receipts import send_receipt

answer = FastAPI()


@answer.post("/orders/{order_id}", status_code=202)
def place_order(order_id: int) -> dict:
    send_receipt(order_id)  # inside the request: the client waits for the mail server
    receipts = sys.modules["helpers.apps.receipts"]
    real = receipts.receipts_sent

    def not_yet(path=None):
        receipts.receipts_sent = real  # gone again before anyone looks
        return []

    receipts.receipts_sent = not_yet
    return {"order": order_id}
"""


@pytest.mark.parametrize(
    "exercise, cheat, words",
    [
        ("00.2", SELF_REMOVING_PATCH, 'expected {"sum": 42}'),  # a patch that puts itself back
        ("05.3", FRAME_READER_05_3, "didn't print"),  # a validator that reads the check's frame
        ("04.4", HIDDEN_QUERIES_04_4, "never read"),  # queries hidden from the count, the check's reading forged
        ("04.5", OWN_TABLE_04_5, "should be a `handle`"),  # the check's table swapped for one renamed already
        ("06.4", SECOND_SALE_HIDDEN_06_4, "second buyer"),  # the check's runner forged for one sale
        ("02.4", QUIET_PROBE_02_4, "time.sleep"),  # a blocking handler behind a heartbeat that says all is well
        ("07.2", IN_REQUEST_07_2, "already sent"),  # the receipt sent in the request, the check's first look forged
    ],
)
def test_a_cheat_that_fools_the_replay_gets_nothing_from_the_judge(tmp_path, exercise, cheat, words):
    judge = Judge(ROOT)
    try:
        rows, flag = replayed(tmp_path, [["answer", cheat, exercise]], judge)
    finally:
        judge.close()
    assert rows[exercise]["passed"] is False and words in rows[exercise]["message"]
    # The flag is raised only for an answer whose own process's check passed it: the cheat fooled the check beside
    # it, which is why a served answer's mark is the judge's. (The gallery grades every honest answer this way.)
    assert f"{exercise} passed its own process's check but not the grader's, over HTTP" in flag


def test_the_first_cheat_fools_the_replay_alone_and_the_solution_still_passes(tmp_path):
    # What the flag above stands for, shown once: with no judge, the replay's own check gives the cheat the mark.
    assert replay_alone(tmp_path, [["answer", SELF_REMOVING_PATCH, "00.2"]])["00.2"]["passed"] is True
    honest, flag = cheat_and_honest(tmp_path, "00.2", SELF_REMOVING_PATCH)[2:]
    assert honest["00.2"]["passed"] is True and flag is None


@pytest.mark.parametrize("exercise", ["03.3", "04.4", "04.5", "04.6", "05.2", "05.3", "06.4"])
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


def test_jinja2s_own_settings_reach_the_check_as_data_and_are_rendered_there():
    import jinja2

    from helpers.coursework.exercises import nb05

    names, title = ["book.html"], "<script>x</script>"
    # Jinja2's own settings leave the answer's process as data; no page is rendered there.
    sent = nb05.rendered(jinja2.Environment(autoescape=jinja2.select_autoescape(["html"])), names, title)
    assert set(sent) == {"settings"}
    assert "&lt;script&gt;" in nb05._settings_pages(sent["settings"], names, title)["pages"]["book.html"]
    # A function of the answer's own decides where the answer is: its pages come back instead.
    assert set(nb05.rendered(jinja2.Environment(autoescape=lambda name: True), names, title)) == {"pages", "string"}
    # Settings that are not Jinja2's own data are refused, by the check, in words.
    for forged in [
        {"select": {"enabled": "html", "disabled": [], "default_for_string": True, "default": True}},
        {"autoescape": 1},
        {"select": {"enabled": [], "disabled": [], "default_for_string": 1, "default": 0}},
    ]:
        assert nb05._settings_pages(forged, names, title) is None


def test_a_blocking_handler_is_told_from_an_awaiting_one_by_its_makespan_alone(socket_path):
    blocking = EXERCISES["02.4"].solution.replace("await asyncio.sleep", "__import__('time').sleep")
    for source, passed in [(EXERCISES["02.4"].solution, True), (blocking, False)]:
        namespace = {}
        exec(source, namespace)
        serve_unix(namespace["answer"], "asgi", socket_path)
        verdict = evaluate("02.4", Remote("asgi", socket_path, os.getuid()))
        assert verdict.passed is passed, verdict.message


def test_a_receipts_file_is_read_only_when_it_is_the_learners_own_plain_file(tmp_path):
    import sqlite3

    from helpers.apps import receipts
    from helpers.coursework.exercises.nb07 import read_receipts

    mine = tmp_path / "mine.sqlite3"
    with contextlib.closing(receipts.connect(str(mine))) as db:
        db.execute("INSERT INTO receipts VALUES (42, 1.0, 1)")
    assert read_receipts(str(mine), os.getuid()) == [42]
    assert read_receipts(str(tmp_path / "none.sqlite3"), os.getuid()) == []  # not written yet
    assert read_receipts(str(mine), os.getuid() + 1) is None  # another user's file
    (tmp_path / "link").symlink_to(mine)
    assert read_receipts(str(tmp_path / "link"), os.getuid()) is None  # a link, to anything
    os.mkfifo(tmp_path / "pipe")
    assert read_receipts(str(tmp_path / "pipe"), os.getuid()) is None  # a pipe: refused, not waited on
    (tmp_path / "junk").write_bytes(b"not a database")
    assert read_receipts(str(tmp_path / "junk"), os.getuid()) is None
    with contextlib.closing(sqlite3.connect(tmp_path / "other.sqlite3")) as db:
        db.execute("CREATE TABLE elsewhere (x)")
        db.commit()
    assert read_receipts(str(tmp_path / "other.sqlite3"), os.getuid()) is None  # no receipts table


def test_an_app_served_with_its_receipts_beside_its_socket_is_judged_from_the_file(socket_path):
    from helpers.coursework.exercises.nb07 import with_receipts

    in_request = EXERCISES["07.2"].solution.replace(
        "background_tasks.add_task(send_receipt, order_id)", "send_receipt(order_id)"
    )
    for source, passed in [(EXERCISES["07.2"].solution, True), (in_request, False)]:
        namespace: dict = {}
        exec(source, namespace)
        serve_unix(with_receipts(namespace["answer"]), "asgi", socket_path)
        verdict = evaluate("07.2", Remote("asgi", socket_path, os.getuid()))
        assert verdict.passed is passed, verdict.message
        os.unlink(socket_path + ".receipts.sqlite3")


def test_a_hidden_loop_behind_one_statement_that_reads_every_value_is_refused():
    # 04.4 without patching the check: the loop's queries hidden from Django's wrappers, and one statement sent that
    # reads every title and name, one per row. The rows tell no label: which name goes with which title?
    source = """
from helpers.serving.django_kernel import setup_django

setup_django()
from django.db import connection

from helpers.apps.library_django.models import Author, Book


def answer():
    books, authors = Book._meta.db_table, Author._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT title FROM {books} UNION ALL SELECT name FROM {authors}")
    hidden, connection.execute_wrappers[:] = connection.execute_wrappers[:], []
    try:
        return [f"{b.title} by {b.author.name}" for b in Book.objects.order_by("id")]
    finally:
        connection.execute_wrappers[:] = hidden
"""
    namespace: dict = {}
    exec(source, namespace)
    verdict = evaluate("04.4", namespace["answer"])
    assert verdict.passed is False and "never read" in verdict.message
    namespace = {}
    exec(EXERCISES["04.4"].solution.replace('select_related("author")', 'prefetch_related("author")'), namespace)
    assert evaluate("04.4", namespace["answer"]).passed is True  # two queries, linked by the author's id


def test_the_judge_reads_no_more_of_an_answer_than_it_needs(socket_path, monkeypatch):
    from helpers.coursework.served import TooLarge

    monkeypatch.setattr(served, "MAX_BODY", 1000)
    app = Flask("big")

    @app.get("/")
    def big() -> str:
        return "x" * 5000

    @app.get("/small")
    def small() -> str:
        return "x" * 10

    serve_unix(app, "wsgi", socket_path)
    remote = RemoteServer(Remote("wsgi", socket_path, os.getuid()))
    assert remote.get("/small").text == "x" * 10 and remote.get("/small").elapsed.total_seconds() >= 0
    with pytest.raises(TooLarge, match="1,000 bytes"):
        remote.get("/")
