"""Exercises of 07_production: predict which receipts survive a killed web process, move a job after the response,
count the attempts of a job that keeps failing."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("07")

# Exercise 07.1: the run the notebook makes after the prediction (helpers.jobs.runs.kill_mid_job, orders=3).
ORDERS = 3
SURVIVE_KEYS = ("BackgroundTasks", "RQ")


def _whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _dict_with(answer: Any, keys: tuple[str, ...], what: str) -> str | None:
    """Say what is wrong with the answer's shape: a dict with exactly `keys`, each a whole number of `what`."""
    example = ", ".join(f'"{key}": ...' for key in keys)
    if not isinstance(answer, dict):
        return f"the answer should be a dict like {{{example}}}, not a {type(answer).__name__}."
    if set(answer) != set(keys):
        return (
            f"the dict's keys should be exactly {', '.join(repr(k) for k in keys)}; it has {sorted(map(str, answer))}."
        )
    wrong = [key for key in keys if not _whole_number(answer[key])]
    if wrong:
        return f"each value should be a whole number of {what}; {wrong[0]!r} holds {answer[wrong[0]]!r}."
    return None


@exercise(
    "07.1",
    "predict which receipts survive a killed web process",
    hint="Ask, for each way, where a receipt's job is while it waits or runs: in the memory of the web process "
    "that is killed, or somewhere that process's death does not touch. The restarted web process starts empty.",
    solution="""
        # BackgroundTasks: each job runs in the web process, after its answer, so all three are running
        # (each needs 2 s) when the process is killed 0.5 s later. Nothing stored them, and the restarted
        # process knows nothing of them: all three receipts are lost.
        # RQ: each order only put a job in Redis. The job worker is a process of its own, and it was not
        # killed: it goes on taking the jobs from Redis, one after another, and sends all three.
        answer = {"BackgroundTasks": 0, "RQ": 3}
    """,
    praise="A job kept in the web process's memory dies with it; a job kept in a broker outlives it, and "
    "the worker that runs it was never touched.",
    data=True,
)
def predict_survivors(answer: Any) -> str | None:
    problem = _dict_with(answer, SURVIVE_KEYS, "receipts sent")
    if problem:
        return problem
    background, queue = answer["BackgroundTasks"], answer["RQ"]
    if not (0 <= background <= ORDERS and 0 <= queue <= ORDERS):
        return f"only {ORDERS} orders were placed, so each way sends between 0 and {ORDERS} receipts."
    if background == ORDERS:
        return (
            f"{ORDERS} receipts with BackgroundTasks would mean the jobs outlived the process they ran in. "
            "Where were they while they ran, and what keeps them after a SIGKILL?"
        )
    if 0 < background < ORDERS:
        return (
            f"{background} with BackgroundTasks supposes some jobs were still waiting somewhere safe. "
            "After each answer its job starts at once, in the web process: how many were running at the kill?"
        )
    if queue < ORDERS:
        return (
            f"{queue} with RQ supposes the kill reached a job in the queue or in the worker. "
            "Only the web process was killed: where do RQ's jobs wait, and which process runs them?"
        )
    return None


@contextlib.contextmanager
def _receipts_at(path: str, seconds: float) -> Iterator[str]:
    """Point send_receipt at the receipts file `path`, with a mail server that takes `seconds`; restore after."""
    saved = {name: os.environ.get(name) for name in ("RECEIPTS_DB", "RECEIPT_SECONDS")}
    os.environ["RECEIPTS_DB"], os.environ["RECEIPT_SECONDS"] = path, str(seconds)
    try:
        yield path
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


JOB_SECONDS = 0.4  # the check's mail server: long enough to tell "before the answer" from "after it"
ORDER_ID = 7
RECEIPTS_MAX = 1_000_000  # bytes: a receipts file the check reads is far smaller


def receipts_beside(socket: str) -> str:
    """Return where 07.2's app, served on the Unix socket `socket`, keeps its receipts in grading."""
    return socket + ".receipts.sqlite3"


def with_receipts(app: Any) -> Any:
    """Return `app` keeping its receipts beside the socket it is served on: 07.2's port, in grading.

    The grader's judge reads that file itself (read_receipts), so what the answer's process says of its
    receipts decides nothing: only what it wrote, and when.
    """
    from helpers.apps import receipts

    async def served(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        # A background task runs before the app's call returns, so it too sees these settings.
        with _receipts_at(receipts_beside(str(scope["server"][0])), JOB_SECONDS) as path:
            receipts.connect(path).close()  # the tables, before the job looks for them
            await app(scope, receive, send)

    return served


def read_receipts(path: str, uid: int) -> list[int] | None:
    """Return the order ids in the receipts file at `path` that `uid` wrote, without trusting it; None if unreadable.

    Only a regular file of that user's, opened without following a link and at most RECEIPTS_MAX bytes, copied
    into memory and read there: a learner's folder may hold a link, a pipe or a database made to mislead.
    """
    import sqlite3
    import stat

    from helpers.coursework import judged_sql

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return []
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != uid or info.st_size > RECEIPTS_MAX:
            return None
        data = f.read(RECEIPTS_MAX + 1)
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(data)
        with judged_sql.guarded(db):
            return [int(row[0]) for row in db.execute("SELECT order_id FROM receipts ORDER BY at")]
    except (sqlite3.Error, ValueError, TypeError):  # half written, or not a receipts file
        return None
    finally:
        db.close()


@exercise(
    "07.2",
    "send the receipt after the response",
    hint="FastAPI hands a path function an object for work to run once the response has gone out, if the "
    "function asks for it as a parameter; the notebook's BackgroundTasks app shows one. The status code belongs "
    "in the route's decorator: which status says accepted, not done yet?",
    solution="""
        from fastapi import BackgroundTasks, FastAPI

        from helpers.apps.receipts import send_receipt

        app = FastAPI()


        # 202 Accepted: the order is taken, its receipt is not sent yet.
        @app.post("/orders/{order_id}", status_code=202)
        def place_order(order_id: int, background_tasks: BackgroundTasks) -> dict:
            # FastAPI fills in `background_tasks`; what is added to it runs after the response is sent,
            # in this same process (a plain def job in the thread pool).
            background_tasks.add_task(send_receipt, order_id)
            return {"order": order_id, "receipt": "after the response"}


        answer = app
    """,
    praise="The client now gets its answer at once and the receipt follows: in the web process, so a crash "
    "there still loses it, as the notebook showed.",
    served="asgi",
    port=with_receipts,
)
def receipt_after_response(answer: Any) -> str | None:
    import random

    from helpers.apps import receipts
    from helpers.coursework.served import Remote, serve_asgi

    remote = isinstance(answer, Remote)
    if not remote and (not callable(answer) or isinstance(answer, type)):
        return f"the answer should be your FastAPI app (what `FastAPI()` returns), not {answer!r:.60}."
    with contextlib.ExitStack() as stack:
        if remote:  # in grading: an order no answer knows in advance, and the receipts file read from here
            order, db = random.SystemRandom().randint(100, 99_999), receipts_beside(answer.socket)

            def sent_now() -> list[int]:
                return read_receipts(db, answer.uid) or []
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="course-07-2-"))
            order, db = ORDER_ID, stack.enter_context(_receipts_at(str(Path(folder) / "receipts.sqlite3"), JOB_SECONDS))
            receipts.connect(db).close()  # the tables, before the job looks for them

            def sent_now() -> list[int]:
                return receipts.receipts_sent(db)

        server = stack.enter_context(serve_asgi(answer, "exercise-07-2", ready_path="/"))
        response = server.post(f"/orders/{order}", timeout=10)
        sent_at_answer = sent_now()
        # Wait for the receipt while the server still runs: the job runs after the answer, in the server.
        end = time.monotonic() + JOB_SECONDS + 5
        while not (sent := sent_now()) and time.monotonic() < end:
            time.sleep(0.05)
    if response.status_code >= 500:
        return (
            f"POST /orders/{order} answered {response.status_code}: the path function raised an exception. "
            "Its traceback is in the server log: `from helpers import server_logs; print(server_logs())`."
        )
    if response.status_code in (404, 405):
        return (
            f'POST /orders/{order} answered {response.status_code}: is there a POST route for "/orders/{{order_id}}"?'
        )
    if order in sent_at_answer:
        return (
            "the receipt was already sent when the answer came: the job still runs inside the request, "
            "so the client waits for the mail server. Hand it to something that runs after the response."
        )
    if sent != [order]:
        return (
            f"the answer came at once, but {'no receipt was' if not sent else f'receipts {sent} were'} sent in the "
            f"{JOB_SECONDS + 5:.0f} s after it: the job must still run, once, for order {order}, after the answer."
        )
    if response.status_code != 202:
        return (
            f"the receipt now follows the answer, but the answer's status is {response.status_code}. "
            "HTTP has a status for work accepted and not done yet: use it."
        )
    return None


RETRY_KEYS = ("RQ", "Django tasks")
FAILURES = 3  # exercise 07.3: the mail server fails this many times in a row


def _attempts_expected() -> dict[str, int]:
    """Return how many times each way starts a job that fails FAILURES times, from the course's own settings."""
    from helpers.apps.jobs_queue import RETRIES

    # RQ runs a job once, then again after each failure while retries are left (Retry(max=RETRIES)).
    # Django's tasks run a task once: a failed task stays FAILED.
    return {"RQ": 1 + min(FAILURES, RETRIES), "Django tasks": 1}


@exercise(
    "07.3",
    "count the attempts of a job that keeps failing",
    hint="RQ's Retry(max=N) counts retries, the runs after the first one fails, and stops when they are used up. "
    "The retry table above shows what Django's tasks do after a first failure.",
    solution="""
        # RQ: the first run fails, then Retry(max=2) allows two more runs; both fail too, and RQ stops there
        # (the job goes to the FailedJobRegistry): 1 + 2 = 3 runs, and no receipt.
        # Django's tasks: the task runs once, fails, and stays FAILED; nothing runs it again.
        answer = {"RQ": 3, "Django tasks": 1}
    """,
    praise="Three runs on RQ and one on Django's tasks, and no receipt on either. A retry helps with a "
    "failure that passes, and a limit stops one that doesn't.",
    data=True,
)
def count_attempts(answer: Any) -> str | None:
    problem = _dict_with(answer, RETRY_KEYS, "times the job starts")
    if problem:
        return problem
    expected = _attempts_expected()
    rq, django = answer["RQ"], answer["Django tasks"]
    if django != expected["Django tasks"]:
        return (
            f"{django} runs for Django's tasks supposes they retry. "
            "Look at the retry table: what did the failed order's row say after its first failure?"
        )
    if rq == expected["RQ"] - 1:
        return f"{rq} runs on RQ counts max=2 as all the runs; it counts the runs after the first one fails."
    if rq > expected["RQ"]:
        return f"{rq} runs on RQ supposes it keeps trying until the job succeeds; Retry(max=2) is a limit."
    if rq != expected["RQ"]:
        return f"{rq} is not it: the first run fails, then count the retries Retry(max=2) allows."
    return None


# Exercise 07.4: a production plan. Each job of the FastAPI app has the one property that decides where it runs;
# the way follows from what the notebook measured (the kill run: a job in the web process died with it; the retry
# run: only RQ ran a failed job again) and from the docs it cites (FastAPI's "small background tasks (like sending
# an email notification)"). tests/jobs/test_nb07_answers.py re-measures the kill and the retry runs.
WAYS = ("BackgroundTasks", "queue")
REASONS = {  # reason: (the way it calls for, what the reason says)
    "small": ("BackgroundTasks", "the job is small and may be lost now and then"),
    "outlive": ("queue", "the job must be done even if the web process dies"),
    "retry": ("queue", "the job must be tried again when it fails"),
}
JOBS = {"feedback note": "small", "invoice": "outlive", "partner call": "retry"}
# The Flask shop behind nginx: each part's choices, and the one its run in the notebook showed to work.
SLOW_CLIENTS = ("alone", "nginx", "nginx-unbuffered")  # helpers.deploy.slow_clients.ARRANGEMENTS
STATIC = ("nginx", "WhiteNoise", "Flask")  # who sends /static/: the proxy, the middleware, the app's own route
RESTARTS = ("HUP", "KILL", "stop and start")  # to gunicorn's master, to each worker, or the whole server
PLAN_KEYS = (*JOBS, "slow clients", "static files", "restart")


def _plan_shape(answer: Any) -> str | None:
    example = '{"feedback note": (way, reason), ..., "slow clients": ..., "static files": ..., "restart": ...}'
    if not isinstance(answer, dict):
        return f"the answer should be a dict like {example}, not a {type(answer).__name__}."
    if set(answer) != set(PLAN_KEYS):
        return (
            f"the dict's keys should be exactly {', '.join(map(repr, PLAN_KEYS))}; it has {sorted(map(str, answer))}."
        )
    for job in JOBS:
        pair = answer[job]
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and pair[0] in WAYS and pair[1] in REASONS):
            return (
                f"{job!r} should be a pair (way, reason): the way one of {WAYS}, the reason one of "
                f"{tuple(REASONS)}; it holds {pair!r}."
            )
    for key, choices in (("slow clients", SLOW_CLIENTS), ("static files", STATIC), ("restart", RESTARTS)):
        if answer[key] not in choices:
            return f"{key!r} should be one of {choices}; it holds {answer[key]!r}."
    return None


@exercise(
    "07.4",
    "plan where jobs run, and what stands in front of the workers",
    hint="For each job, ask what goes wrong if the web process dies, or if the job fails, and whether that "
    "matters; the kill and retry tables show what each way did then. For the shop, reread the three runs of the "
    "proxy section: which arrangement answered every normal request, which server sent the file fastest, and "
    "which restart lost no request.",
    solution="""
        answer = {
            # Losing a thank-you note in a rare restart harms no one: FastAPI's docs suggest BackgroundTasks
            # for "small background tasks (like sending an email notification)", and it needs no other process.
            "feedback note": ("BackgroundTasks", "small"),
            # An invoice must be sent even if the web process dies: the kill run lost every job BackgroundTasks
            # held, while the jobs in Redis and in the table were all sent.
            "invoice": ("queue", "outlive"),
            # A partner that is often down makes the call fail: only RQ ran the failed job again.
            "partner call": ("queue", "retry"),
            # 4 slow uploads held both sync workers; nginx, buffering, passed on only whole requests.
            "slow clients": "nginx",
            # nginx sent the file several times faster than any Python server, and it is in front anyway.
            "static files": "nginx",
            # SIGHUP to gunicorn's master replaces the workers gracefully: no request failed.
            "restart": "HUP",
        }
    """,
    praise="Each job runs where its failure is affordable, and the workers stand behind a proxy that buffers "
    "slow clients and sends the static files, reloaded by a signal that drops nothing.",
    data=True,
)
def production_plan(answer: Any) -> str | None:
    problem = _plan_shape(answer)
    if problem:
        return problem
    for job, right in JOBS.items():
        way, reason = answer[job]
        if reason != right:
            return (
                f"{job!r}: '{reason}' says {REASONS[reason][1]}. Reread the {job}'s description: "
                "what sets it apart, what would go wrong, and would it matter?"
            )
        if way != REASONS[right][0]:
            if way == "BackgroundTasks":
                return (
                    f"{job!r} in BackgroundTasks: the job then lives in the web process. The notebook's kill and "
                    "retry runs showed what happens to such a job when the process dies or the job fails."
                )
            return (
                f"{job!r} on a queue works, but costs a broker and a worker process to run, for a job that may be "
                "lost: FastAPI's docs suggest BackgroundTasks for such small tasks."
            )
    slow = answer["slow clients"]
    if slow == "alone":
        return (
            "gunicorn alone: the 4 slow uploads held both sync workers for their whole upload, and the normal "
            "requests timed out. Something must read the slow requests before the workers see them."
        )
    if slow == "nginx-unbuffered":
        return (
            "nginx with its buffering off passed each slow upload on as it came, so the workers were held as "
            "before: it helped no more than no proxy. What did the arrangement that answered everything keep on?"
        )
    static = answer["static files"]
    if static == "Flask":
        return (
            "Flask's own route ties up a sync worker for every file, and was several times slower than nginx in "
            "the static run. Which server in front of the shop sends files itself?"
        )
    if static == "WhiteNoise":
        return (
            "WhiteNoise lets an app send its own files well when nothing stands in front of it (or a CDN does). "
            "This shop has a proxy in front: which server sent the file fastest in the static run?"
        )
    restart = answer["restart"]
    if restart == "KILL":
        return (
            "killing workers is a crash, not a reload: the killed uvicorn worker lost the requests it held. "
            "Which signal did gunicorn's docs, and the run, show replacing the workers with no failed request?"
        )
    if restart == "stop and start":
        return (
            "while the server is stopped, nothing listens on its port, so every request in that gap fails. "
            "Which signal makes gunicorn's master start new workers before the old ones go?"
        )
    return None


# Exercise 07.5: the environment of the production settings (helpers.apps.deploy_settings_env) for one site.
SITE = "shop.example.com"
MAY_SILENCE = ("security.W021",)  # the notebook's judgement: joining the HSTS preload list is the owner's call


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].rstrip(".")


@exercise(
    "07.5",
    "give the production settings the environment that passes check --deploy",
    hint="Read the production settings shown above: each value it takes from the environment is read with "
    "os.environ under a DJANGO_ name. Run the check with what you have, read each warning it prints, and find "
    "the variable that answers it; the site's own name is the one value no default can know.",
    solution="""
        import secrets

        answer = {
            # Made once per site and kept out of the code: check --deploy (security.W009) wants 50 random characters.
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_DEBUG": "0",  # the default, said out loud
            "DJANGO_ALLOWED_HOSTS": "shop.example.com",  # security.W020: this site's own name, not "*"
            # security.W004 and W005: HSTS, an hour to start with, as Django's checklist advises, for subdomains too.
            "DJANGO_SECURE_HSTS_SECONDS": "3600",
            "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
            # security.W021 asks to join the browsers' preload list: the domain owner's call, silenced by name.
            "DJANGO_SILENCED_SYSTEM_CHECKS": "security.W021",
        }

        # Try it: django_check_deploy("after", env=answer).ids is [].
    """,
    praise="check --deploy has nothing left to say, the secret and the host name live outside the code, and "
    "the one warning silenced is a decision written down.",
    data=True,
)
def deploy_environment(answer: Any) -> str | None:
    from helpers.deploy.production_settings import django_check_deploy

    if not isinstance(answer, dict):
        return f'the answer should be a dict of environment variables, like {{"DJANGO_DEBUG": "0"}}, not a {type(answer).__name__}.'
    bad = [k for k, v in answer.items() if not (isinstance(k, str) and k.startswith("DJANGO_") and isinstance(v, str))]
    if bad:
        return (
            f"{bad[0]!r} is not a DJANGO_ variable with a string value: the settings read only DJANGO_* names, "
            "and an environment variable always holds a string."
        )
    silenced = [s.strip() for s in answer.get("DJANGO_SILENCED_SYSTEM_CHECKS", "").split(",") if s.strip()]
    hidden = [s for s in silenced if s not in MAY_SILENCE]
    if hidden:
        return (
            f"silencing {', '.join(hidden)} hides the warning, it does not answer it. Silence only "
            f"{', '.join(MAY_SILENCE)}, and answer the others with the setting they name."
        )
    hosts = [h.strip() for h in answer.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    if "*" in hosts or any(h.startswith(".") for h in hosts):
        return f"{hosts} lets any Host header through (or a whole domain); the site is {SITE}: name it."
    if hosts and SITE not in hosts:
        return f"the allowed hosts {hosts} do not hold the site's name, {SITE}: every request to it would get 400."
    found = django_check_deploy("after", env=answer)  # in a fresh process, with only this environment
    if found.error:
        return f"the settings did not load: {found.error.split(': ', 1)[-1]}"
    if found.ids:
        said = "; ".join(f"{i} ({_first_sentence(found.messages[i])})" for i in found.ids)
        return f"check --deploy still reports {said}. Which DJANGO_ variable of the settings answers each?"
    return None
