"""Exercises of notebook 02 (concurrency).

Each numeric hint states a reasoning a learner can do on paper; tests/coursework/test_nb02.py
follows that reasoning and checks that it reaches an accepted answer.
"""

from __future__ import annotations

import math
from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("02")

# 02.5's workload and target, shared by its check, its hint and the notebook's prompt.
SIZING = {"n": 100, "io": 0.100, "cpu": 0.002, "target": 0.300, "budget": 64}


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _not_a_number(answer: Any) -> str | None:
    if not _is_number(answer):
        return f"the answer should be a number of seconds, like 1.5; you gave a {type(answer).__name__}."
    if answer > 100:
        return f"{answer} looks like milliseconds: give the makespan in seconds."
    return None


@exercise(
    "02.1",
    "predict the event loop's makespan",
    hint="The loop runs one request's 5 ms of CPU at a time, and each request starts its 100 ms wait "
    "as soon as its CPU is done; the waits overlap. When does the last request start waiting, "
    "and when does that wait end?",
    solution="""
        # The loop runs the CPU parts one after another: request k starts waiting at k x 5 ms.
        # The waits overlap, so the last request (the 20th) starts waiting at 20 x 5 ms = 0.1 s
        # and is answered 100 ms later.
        answer = 20 * 0.005 + 0.100  # 0.2 s

        # The model agrees:
        # simulate("async", n=20, io=0.100, cpu=0.005).makespan
    """,
    praise="Right: 20 x 5 ms of CPU one after another, then the last request's 100 ms wait, 0.2 s in all. "
    "The waits overlapped; the CPU did not.",
    data=True,
)
def predict_loop(answer: Any) -> str | None:
    from helpers.concurrency.simulation import simulate

    if (problem := _not_a_number(answer)) is not None:
        return problem
    right = simulate("async", n=20, io=0.100, cpu=0.005).makespan
    if abs(answer - right) <= 0.05 * right:
        return None
    if abs(answer - 0.1) < 0.01:
        return (
            "that is one wait of 100 ms, as if the CPU overlapped too: the loop runs one request's "
            "CPU at a time, so the last request starts waiting late."
        )
    if abs(answer - 2.1) < 0.1:
        return "that is one worker with one thread, 20 x (100 ms + 5 ms): the loop overlaps the waits."
    return f"{answer} s is not what the model gives: when does the 20th request start its wait?"


# 02.2: the awaiting loop's run of the scenario table, against the model on paper (no CPU at all). Its truth is the
# mechanism, which holds on any machine: the grader re-runs no measurement, and a learner's answer is never judged
# against a run they did not see. Whether another program also took the CPU is theirs to judge from their own run.
GAP_SCENARIO = "fastapi-async"
# The loop's rivals in the table: (the loop's scenario, the rival's). The loop gains nothing over threads that wait
# side by side, nor on CPU, which never overlaps in one process (about 1x on any run); it gains over one worker and
# over a blocked loop, which wait in turn (about 20x).
RIVALS = {
    "CPU-bound": ("fastapi-async-cpu", "flask-threaded-cpu"),
    "thread per request": ("fastapi-async", "flask-threaded"),
    "one worker": ("fastapi-async", "flask-one-worker"),
    "blocking call": ("fastapi-async", "fastapi-blocking"),
}
NO_GAIN = frozenset({"CPU-bound", "thread per request"})
CAUSES = {
    "overhead": "each request's own CPU work (client, HTTP parsing, routing, JSON), one request at a time under this "
    "process's GIL",
    "late sleeps": "asyncio.sleep wakes up late, by about the whole gap",
    "one at a time": "the loop ran the 20 waits one after another",
    "network": "the requests crossed a network on their way",
    "busy machine": "another program took the CPU while the load ran",
}
_WRONG_CAUSES = {
    "late sleeps": "the 20 waits overlap, so a late wake-up would delay them all at once and add its lateness once, "
    "not once per request; the serialized runs, which add up 20 sleeps, matched the model closely",
    "network": "the client and the server run in this same process and talk through the loopback interface: no "
    "wire, and the 20 trips overlap as the waits do",
    "one at a time": "20 waits of 100 ms in turn take 2 s, as fastapi-blocking's did in the table; the awaiting "
    "loop's run took a small part of that",
}
_RIVAL_WHY = {
    "CPU-bound": "CPU work never overlaps in one process, threads or loop: compare the two -cpu rows",
    "thread per request": "threads that each wait on their own request overlap their waits as the loop does: "
    "compare fastapi-async with flask-threaded",
    "one worker": "one worker with one thread serves the 20 requests in turn: compare its row with the loop's",
    "blocking call": "a loop blocked by its handler serves the 20 requests in turn: compare its row with the loop's",
}


def paper_gap(measured: dict[str, Any]) -> dict[str, Any]:
    """Return the figures 02.2 asks the learner to compare: the awaiting loop's run, the model on paper, the rivals."""
    from helpers.concurrency.simulation import simulate

    m = measured[GAP_SCENARIO]
    paper = simulate("async", n=m.n, io=m.scenario.io_ms / 1000, cpu=0.0).makespan
    return {
        "n": m.n,
        "paper_ms": round(paper * 1000, 1),
        "measured_ms": round(m.measured_makespan * 1000, 1),
        "overhead_ms": round(m.overhead * 1000, 2),
        "makespans_ms": {name: round(measured[name].measured_makespan * 1000, 1) for name in _seen_scenarios()},
    }


def _seen_scenarios() -> list[str]:
    return sorted({GAP_SCENARIO, *(name for pair in RIVALS.values() for name in pair)})


@exercise(
    "02.2",
    "name why the model and the measurement differ",
    hint="Two comparisons. First, the gap: how many milliseconds did the run take beyond the model on paper, and "
    "how much do 20 requests' calibrated overheads add up to, if they can't overlap? Test each other cause against "
    "what the run shows: would it add once, or once per request? Then the rivals: divide each rival's makespan by "
    "the loop's, in your table; about 1 is no gain.",
    solution="""
        # The calibration measured each request's own work: client, sockets, parsing, routing, JSON. It runs
        # in this one process under one GIL, shared with the load generator, so it adds up, request after request:
        # 20 x about 1 ms is about the gap. The waits overlap: a late sleep would add once, not 20 times, and
        # loopback has no wire. The loop did not run the waits in turn, or the run would take 2 s.
        # (If your run's gap was far beyond the overheads, another program took the CPU too: add "busy machine".)
        # The rivals: a thread per request overlaps its waits too, and CPU-bound work never overlaps in one
        # process: about 1x, no gain. One worker and a blocked loop wait in turn: about 20x, a real gain.
        answer = {"causes": {"overhead"}, "no gain": {"CPU-bound", "thread per request"}}
    """,
    praise="The paper model leaves out each request's own CPU, and under one GIL those add up; the loop's gain "
    "is over waiting on one thread, not over threads that wait together, and never on CPU.",
    data=True,
)
def name_the_gap(answer: Any) -> str | None:
    example = '{"causes": {"network"}, "no gain": {"one worker"}}'
    if not isinstance(answer, dict) or set(answer) != {"causes", "no gain"}:
        return f"the answer should be a dict like {example}."
    for key, options in (("causes", CAUSES), ("no gain", RIVALS)):
        picked = answer[key]
        if isinstance(picked, str) or not isinstance(picked, (set, frozenset, list, tuple)):
            return f'"{key}" should be a set of the names printed above, like {{"{next(iter(options))}"}}.'
        unknown = sorted(str(x) for x in picked if x not in options)
        if unknown:
            return f'{unknown[0]!r} is not one of the "{key}" names: {", ".join(map(repr, options))}.'
    causes, no_gain = set(answer["causes"]), set(answer["no gain"])
    for cause, why in _WRONG_CAUSES.items():
        if cause in causes:
            return f'"{cause}": {why}.'
    if "overhead" not in causes:
        return (
            "on paper a request costs nothing but its wait, and your run took longer: what did the calibration "
            "measure, and can those costs overlap in one process?"
        )
    # "busy machine" is neither required nor refused: only the learner saw how busy their machine was.
    for key in RIVALS:
        if key in no_gain and key not in NO_GAIN:
            return f'"{key}": the loop did gain there: {_RIVAL_WHY[key]}.'
        if key not in no_gain and key in NO_GAIN:
            return f'"{key}" is missing: {_RIVAL_WHY[key]}. Is the loop\'s gain there worth the name?'
    return None


# 02.3: the kernel's event loop against the servers' own loops. What `asyncio.run` does in a cell is measured by
# the check, in a thread that runs a loop as the kernel does.
RUN_OUTCOMES = {
    "returns": "it runs the coroutine and returns its result, as it does in a script",
    "running loop": "it raises an error: the cell already runs inside the kernel's event loop",
    "no loop": "it raises an error: a notebook kernel has no event loop to run the coroutine on",
    "hangs": "it never returns: the new loop and the kernel's wait for each other",
}
THREAD_LIMITS = {
    "lifespan": "set total_tokens on AnyIO's default thread limiter in the app's lifespan",
    "cell": "set total_tokens on AnyIO's default thread limiter in a notebook cell, before serving the app",
    "executor": "give the event loop a default ThreadPoolExecutor of 60 threads (loop.set_default_executor)",
    "FastAPI()": "pass max_threads=60 to FastAPI()",
}


def asyncio_run_in_a_cell() -> tuple[str, str]:
    """Call asyncio.run() inside a running loop, as a cell does; return (outcome key, what happened)."""
    import asyncio
    import threading

    seen: list[tuple[str, str]] = []

    async def cell() -> None:
        coro = asyncio.sleep(0, result="the coroutine's result")
        try:
            seen.append(("returns", f"it returned {asyncio.run(coro)!r}"))
        except RuntimeError as exc:
            coro.close()
            key = "running loop" if "running event loop" in str(exc) else "no loop"
            seen.append((key, f"RuntimeError: {exc}"))

    # A thread of its own: the check may itself run inside a loop (a kernel's), where a second asyncio.run fails.
    worker = threading.Thread(target=lambda: asyncio.run(cell()), daemon=True)
    worker.start()
    worker.join(10)
    return seen[0] if seen else ("hangs", "it had not returned after 10 s")


def default_thread_tokens() -> int:
    """Return the tokens of AnyIO's default thread limiter in a fresh event loop (40 in AnyIO 4)."""
    import threading

    import anyio
    import anyio.to_thread

    async def tokens() -> int:
        return int(anyio.to_thread.current_default_thread_limiter().total_tokens)

    got: list[int] = []
    worker = threading.Thread(target=lambda: got.append(anyio.run(tokens)), daemon=True)
    worker.start()
    worker.join(10)
    return got[0] if got else 40


def _fix_problem(line: Any) -> str | None:
    """Say what is wrong with 02.3's one-line fix, or None when it awaits fire(...) at the top of the cell."""
    import ast

    if not isinstance(line, str) or not line.strip():
        return '"fix" should be your line of code, as a string, like "result = ..."'
    try:
        tree = ast.parse(line.strip())
    except SyntaxError as exc:
        return f'"fix" is not valid Python: {exc.msg}.'
    if len(tree.body) != 1:
        return '"fix" should be one line, one statement.'
    (statement,) = tree.body
    calls = {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(statement)
        if isinstance(node, ast.Call)
    }
    if "run_load" in calls:
        return '"fix": run_load works, by running asyncio.run in a thread of its own, but the cell itself can wait.'
    if "fire" not in calls:
        return '"fix" should run fire(server.url, "/io?ms=100", 10).'
    if calls & {"run", "run_until_complete", "apply"}:
        return (
            '"fix" still starts or re-enters a loop (asyncio.run, run_until_complete or a patch): that is what fails '
            "in a cell, which already runs inside one."
        )
    if isinstance(statement, (ast.AsyncFunctionDef, ast.FunctionDef, ast.Lambda)):
        return '"fix" defines a function but never runs it: the cell itself can wait.'
    top = statement.value if isinstance(statement, (ast.Assign, ast.Expr, ast.AnnAssign)) else None
    if not isinstance(top, ast.Await):
        if "create_task" in calls or "ensure_future" in calls:
            return (
                '"fix" schedules a task and goes on at once: `result` would hold the task, not the requests\' result.'
            )
        return (
            '"fix": calling fire(...) only makes a coroutine object, which does nothing until something waits for it.'
        )
    if not isinstance(statement, ast.Assign) or [getattr(t, "id", None) for t in statement.targets] != ["result"]:
        return '"fix" waits for the requests; now keep what they return in `result`.'
    return None


@exercise(
    "02.3",
    "which event loop? asyncio.run, await, and 60 threads",
    hint="Where does the code of a cell run: in a plain script's main thread, or somewhere that already has an "
    "event loop? If a loop already runs the cell, a cell can wait on a coroutine the way an async function does. "
    "For the threads: which loop runs the app's plain def endpoints, and which code runs in that loop when it "
    "starts?",
    solution="""
        # A cell runs inside the kernel's event loop, and asyncio.run refuses to start a loop inside a running one:
        # it raises RuntimeError. Because a loop already runs the cell, the cell can await directly.
        # FastAPI's def endpoints take tokens from AnyIO's default thread limiter of the loop that serves them;
        # each loop has its own, so set it where that loop starts: in the app's lifespan, not in a cell.
        answer = {
            "asyncio.run": "running loop",
            "fix": 'result = await fire(server.url, "/io?ms=100", 10)',
            "60 threads": "lifespan",
        }
    """,
    praise="One loop per thread: the kernel's runs your cells, so they await; each server runs its own, with its "
    "own thread limiter, set when that loop starts.",
    data=True,
)
def which_loop(answer: Any) -> str | None:
    example = '{"asyncio.run": "returns", "fix": "result = ...", "60 threads": "cell"}'
    if not isinstance(answer, dict) or set(answer) != {"asyncio.run", "fix", "60 threads"}:
        return f"the answer should be a dict like {example}."
    for key, options in (("asyncio.run", RUN_OUTCOMES), ("60 threads", THREAD_LIMITS)):
        if answer[key] not in options:
            return f'"{key}" should be one of {", ".join(map(repr, options))}; it is {answer[key]!r}.'
    outcome, happened = asyncio_run_in_a_cell()
    if answer["asyncio.run"] != outcome:
        if answer["asyncio.run"] == "no loop":
            return (
                f'"asyncio.run": the check just tried it in a running loop ({happened}). The error is not that '
                "there is no loop: read its message."
            )
        return f'"asyncio.run": the check just tried it in a running loop, as a cell is: {happened}.'
    if (problem := _fix_problem(answer["fix"])) is not None:
        return problem
    tokens = default_thread_tokens()
    limit = answer["60 threads"]
    if limit == "cell":
        return (
            '"60 threads": a cell changes the limiter of the kernel\'s loop. The server runs its own loop in its '
            f"own thread, and that loop's limiter still has {tokens} tokens."
        )
    if limit == "executor":
        return (
            '"60 threads": FastAPI runs a def endpoint with anyio.to_thread.run_sync, which uses AnyIO\'s own '
            f"threads and limiter ({tokens} tokens), not the loop's default executor."
        )
    if limit == "FastAPI()":
        from fastapi import FastAPI

        try:
            FastAPI(max_threads=60)
            what = "FastAPI() accepts max_threads but does nothing with it"
        except TypeError:
            what = "FastAPI() has no such parameter: it raises TypeError"
        return f'"60 threads": {what}. The limit is AnyIO\'s ({tokens} tokens), one per event loop.'
    return None


# 02.4: ten requests of 100 ms at once. A handler that blocks for b of its 100 ms holds the loop for b each:
# the blocked parts run one after another, so the ten take about (10 - 1) x b longer than ten that await.
CONCURRENT, WAIT_MS = 10, 100
BLOCKED_LIMIT = 0.025  # seconds of each wait a handler may still block: a quarter of it (timer and scheduler slack)


def _awaiting_app() -> Any:
    """Return the reference: GET /slow that awaits its whole wait, measured beside the learner's app."""
    import asyncio

    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/slow")
    async def slow(ms: int = WAIT_MS) -> dict:
        await asyncio.sleep(ms / 1000)
        return {"waited_ms": ms}

    return app


def _load(server: Any, threads: bool) -> Any:
    """Fire 02.4's ten requests at `server`: from an event loop, or from threads (how a judge reaches a socket)."""
    from helpers.concurrency.load import fire_threads, run_load

    if threads:
        return fire_threads(server.client, f"/slow?ms={WAIT_MS}", CONCURRENT, timeout=20)
    return run_load(server.url, f"/slow?ms={WAIT_MS}", CONCURRENT, timeout=20)


def _reference_makespan(threads: bool = False) -> float:
    """Return the fastest of two runs of the ten requests against the awaiting reference, on this machine now."""
    from helpers.serving.servers import serve_asgi

    with serve_asgi(_awaiting_app(), "exercise-02-4-reference", ready_path="/slow?ms=0") as server:
        return min(_load(server, threads).makespan for _ in range(2))


STALL_S = 0.03  # a heartbeat later than this means the loop was held; a busy machine's scheduler rarely adds so much


def loop_stall(probe: Any, t0: float) -> float:
    """Return the seconds the served app's event loop was held since `t0`: its heartbeat's long lags, summed."""
    return sum(lag for _, lag in probe.since(t0) if lag > STALL_S)


def blocked_per_request(makespan: float, reference: float) -> float:
    """Return the seconds each of 02.4's requests held the loop, from the ten's makespan and the reference's."""
    return max(0.0, makespan - reference) / (CONCURRENT - 1)


@exercise(
    "02.4",
    "fix an endpoint that blocks the event loop",
    hint="Inside `async def`, a call that waits must hand the loop back while it waits: which sleep can be awaited?",
    solution="""
        import asyncio

        from fastapi import FastAPI

        answer = FastAPI()


        @answer.get("/slow")
        async def slow(ms: int = 100) -> dict:
            # time.sleep holds the loop for the whole wait: nobody else runs meanwhile.
            # await asyncio.sleep hands the loop back, so the other requests run while this one waits.
            await asyncio.sleep(ms / 1000)
            return {"waited_ms": ms}
    """,
    praise="Ten requests now wait together instead of one after another.",
    served="asgi",
)
def fix_blocking(answer: Any) -> str | None:
    import time

    from helpers.concurrency.lag_probe import LagProbe
    from helpers.coursework.served import Remote, serve_asgi

    remote = isinstance(answer, Remote)
    if not remote and not callable(answer):
        return "the answer should be a FastAPI app (what `FastAPI()` returns), not " + type(answer).__name__
    # Two measures of the same thing: the makespan against an app that awaits (clear on a quiet machine), and
    # how long the app's own loop was held (a heartbeat in it). On a busy machine threads wake late and stretch
    # the makespan of a right `def` answer, but only a blocking call holds the loop for most of each wait.
    # In grading the app runs in the learner's replay and only its makespan, timed from here, is judged: a heartbeat
    # there would report whatever the answer made it report.
    probe = None if remote else LagProbe(interval=0.01)
    with serve_asgi(answer if remote else probe.wrap(answer), "exercise-02-4", ready_path="/slow?ms=0") as server:
        for ms in (WAIT_MS, 250):
            single = server.get("/slow", params={"ms": ms})
            if single.status_code >= 500:
                return (
                    f"GET /slow?ms={ms} answered {single.status_code}: the handler raised an exception. "
                    "Its traceback is in the server log: `from helpers import server_logs; print(server_logs())`."
                )
            if single.status_code != 200:
                return f'GET /slow?ms={ms} answered {single.status_code}, not 200 OK: is there a route for "/slow"?'
            if single.elapsed.total_seconds() < 0.9 * ms / 1000:
                if ms == WAIT_MS:
                    return (
                        f"GET /slow?ms={ms} answered at once: each request must still wait `ms` milliseconds, "
                        "just without blocking. (A coroutine you call but don't `await` never runs.)"
                    )
                took = single.elapsed.total_seconds()
                return f"GET /slow?ms={ms} answered in {took:.2f} s: wait `ms` milliseconds, not a fixed time."
        # Noise on a busy machine only ever adds time, so the fastest of a few runs is the fairest: a blocked
        # wait can't be made shorter, an awaited one only looks blocked when something else took the CPU.
        reference = _reference_makespan(threads=remote)
        makespans, stalls = [], []
        for _ in range(5 if remote else 3):  # the makespan alone decides in grading: two more tries on a busy grader
            t0 = time.perf_counter()
            load = _load(server, threads=remote)
            if probe is not None:
                time.sleep(0.05)  # a few heartbeats after the last answer
            if not load.ok:
                return f"some of {CONCURRENT} concurrent requests failed: statuses {sorted(set(load.statuses))}."
            # Each of the ten must still wait its ms: an app that skips the wait when busy is not awaiting it.
            if min(end - start for start, end in load.times) < 0.9 * WAIT_MS / 1000:
                return (
                    f"some of {CONCURRENT} concurrent requests to /slow?ms={WAIT_MS} answered in less than "
                    f"{WAIT_MS} ms: each one must still wait, just without blocking the others."
                )
            makespans.append(load.makespan)
            stalls.append(
                loop_stall(probe, t0) / CONCURRENT if probe is not None else float("inf")
            )  # no heartbeat: inf
            blocked, held = blocked_per_request(min(makespans), reference), min(stalls)
            # A pass ends it at once. A miss is tried again: a burst of other work on the core can hold a right
            # answer's loop for one run (ci42: an awaiting app timed at 1.02 s, as if blocked), not for three.
            if min(blocked, held) <= BLOCKED_LIMIT or len(makespans) >= 3 and min(blocked, held) >= 3 * BLOCKED_LIMIT:
                break
    if blocked <= BLOCKED_LIMIT or held <= BLOCKED_LIMIT:
        return None
    return (
        f"{CONCURRENT} concurrent requests took {min(makespans):.2f} s, against {reference:.2f} s for an app that "
        f"awaits its whole wait: as if each request still held the loop for about {blocked * 1000:.0f} ms of its "
        f"{WAIT_MS} ms. Is a time.sleep (or another blocking call) left in the handler?"
    )


def rounds(workers: int, threads: int) -> int:
    """Return how many rounds of waits 02.5's requests need on `workers` x `threads`."""
    return math.ceil(SIZING["n"] / (workers * threads))


def estimate_ms(workers: int, threads: int) -> int:
    """Return the hint's reckoning of when 02.5's last request ends, in whole milliseconds."""
    # Each round holds a thread for one request's CPU and its wait; on top, the GIL makes the last of a worker's
    # threads start `threads` x CPU late. Whole milliseconds: no float rounding decides a size at the target.
    io_ms, cpu_ms = round(SIZING["io"] * 1000), round(SIZING["cpu"] * 1000)
    return rounds(workers, threads) * (io_ms + cpu_ms) + threads * cpu_ms


@exercise(
    "02.5",
    "choose workers x threads for a latency target",
    hint="Two things add up. Threads: with S threads in all, the 100 requests go in ceil(100 / S) rounds, "
    "and in each round a request holds its thread for 2 ms of CPU and 100 ms of waiting. The GIL: in each worker "
    "process one thread runs Python at a time, so the last of its T threads starts T x 2 ms late. "
    "Find (workers, threads) with rounds x 102 ms + threads x 2 ms <= 0.3 s, so that even the last request "
    "makes it.",
    solution="""
        import math

        # Threads: 100 requests, each holding a thread for 2 ms of CPU + 100 ms of waiting, go in
        # ceil(100 / all threads) rounds of 102 ms. Three rounds are 0.306 s already: too many.
        # Two rounds (50 threads or more) take 0.204 s, which leaves 96 ms.
        # The GIL: each worker process runs one thread's CPU at a time, so a worker with T threads
        # starts the last of them T x 2 ms late: T may be at most 48, so one process can't do it.
        # Fewer threads per worker, more workers: less queueing.
        workers, threads = 2, 25
        estimate = math.ceil(100 / (workers * threads)) * (0.100 + 0.002) + threads * 0.002  # 0.204 + 0.05 s
        assert estimate <= 0.3 and workers * threads <= 64
        answer = (workers, threads)

        # The model agrees (p95 about 0.25 s, the last request at 0.252 s):
        # simulate("wsgi", n=100, io=0.1, cpu=0.002, workers=2, threads=25).percentile(95)
    """,
    praise="That meets the target within the thread budget, even for the last request: enough threads for two "
    "rounds of waits, spread over processes so that no GIL queues too much CPU.",
    data=True,
)
def choose_workers(answer: Any) -> str | None:
    from helpers.concurrency.simulation import simulate

    if not (
        isinstance(answer, tuple)
        and len(answer) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) for x in answer)
    ):
        return "the answer should be a tuple of two ints, (workers, threads), like (2, 8)."
    workers, threads = answer
    if workers < 1 or threads < 1:
        return "workers and threads must both be at least 1."
    total = workers * threads
    if total > SIZING["budget"]:
        return (
            f"{workers} x {threads} = {total} threads is over the budget of {SIZING['budget']}: "
            "each thread costs memory, so find a smaller combination."
        )
    target_ms = round(SIZING["target"] * 1000)
    n_rounds, ms = rounds(workers, threads), estimate_ms(workers, threads)
    p95 = simulate(
        "wsgi", n=SIZING["n"], io=SIZING["io"], cpu=SIZING["cpu"], workers=workers, threads=threads
    ).percentile(95)
    # The hint's reckoning decides, and the model must agree: the reckoning follows the last request, which the
    # model's p95 leaves out, so a size the model only just passes can still be refused, never the other way.
    if ms <= target_ms and p95 <= SIZING["target"]:
        return None
    cpu_ms = round(SIZING["cpu"] * 1000)
    said = (
        f"with {workers} x {threads}, the hint's reckoning gives {ms / 1000:.3f} s for the last request: "
        f"{total} threads take the 100 requests in {n_rounds} rounds of {round(SIZING['io'] * 1000) + cpu_ms} ms, "
        f"and each worker's GIL adds {threads} x {cpu_ms} ms before its last thread starts waiting"
    )
    if p95 <= SIZING["target"]:
        slowest = SIZING["n"] - math.ceil(0.95 * SIZING["n"])
        said += f" (the model's p95, {p95:.3f} s, passes only because it leaves out the {slowest} slowest requests)"
    if n_rounds >= 3:
        return said + ". Three rounds are too many whatever the GIL does: how many threads in all make two rounds?"
    if workers == 1:
        return said + (
            ". All the threads share one process's GIL, exactly the queue the target can't afford: "
            "spread them over more worker processes, each with its own GIL."
        )
    return said + ". Fewer threads per worker queue less: spread the threads over more worker processes."


# 02.6's run: eight requests on one worker with four threads, and the moment the learner reads (CPU parts of
# 20 ms, so every bar near the cursor is wide enough to read).
TIMELINE = {"n": 8, "io": 0.100, "cpu": 0.020, "workers": 1, "threads": 4, "at": 0.150}
TIMELINE_STATES = ("queued", "running", "waiting", "done")
_NUDGES = {
    "running": "one process runs one thread's Python at a time (the GIL), so count the CPU bars that cross the cursor",
    "queued": "a request stays queued until one of the 4 threads takes it, and a thread that has finished a "
    "request takes the next one at once",
    "waiting": "a request whose CPU part is over waits on I/O for 100 ms: count the I/O bars that cross the cursor",
    "done": "a request is done when its last bar ends before the cursor",
}


def timeline_run() -> Any:
    """Return the model's run that exercise 02.6 reads (TIMELINE's workload on one worker with four threads)."""
    from helpers.concurrency.simulation import simulate

    t = TIMELINE
    return simulate("wsgi", n=t["n"], io=t["io"], cpu=t["cpu"], workers=t["workers"], threads=t["threads"])


@exercise(
    "02.6",
    "read a timeline at one moment",
    hint="Follow the four threads from 0 ms: each takes a request, waits its turn for the GIL to run 20 ms of "
    "CPU, then waits 100 ms on I/O, and takes the next request the moment it finishes. Where is each thread's "
    "request at 150 ms?",
    solution="""
        # The four threads take requests 1-4 at once; the GIL runs their CPU parts one after another
        # (0-20, 20-40, 40-60, 60-80 ms), and each then waits 100 ms: they finish at 120, 140, 160 and 180 ms.
        # At 120 ms thread 1 takes request 5 (CPU 120-140 ms, then I/O until 240 ms); at 140 ms thread 2
        # takes request 6 (CPU 140-160 ms). So at 150 ms: requests 1 and 2 are done, request 6 runs,
        # requests 3, 4 and 5 wait on I/O, and requests 7 and 8 are still queued for a thread.
        answer = {"queued": 2, "running": 1, "waiting": 3, "done": 2}
    """,
    praise="Two done, one running, three waiting and two queued: with four threads, at most four requests "
    "are in flight, and the GIL lets only one of them compute.",
    data=True,
)
def read_timeline(answer: Any) -> str | None:
    expected = {state: timeline_run().states_at(TIMELINE["at"])[state] for state in TIMELINE_STATES}
    example = '{"queued": 0, "running": 0, "waiting": 0, "done": 0}'
    if not isinstance(answer, dict):
        return f"the answer should be a dict of counts like {example}, not a {type(answer).__name__}."
    answer = {k: v for k, v in answer.items() if not (k == "blocked" and v == 0)}  # the model's fifth state, unused
    if set(answer) != set(TIMELINE_STATES):
        return f"the dict should have exactly the keys {list(TIMELINE_STATES)}; it has {sorted(map(str, answer))}."
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in answer.values()):
        return "each count should be a whole number of requests, 0 or more."
    if sum(answer.values()) != TIMELINE["n"]:
        return f"your counts add up to {sum(answer.values())}, but every one of the {TIMELINE['n']} requests is in exactly one state."
    for state in TIMELINE_STATES:
        if answer[state] != expected[state]:
            return f"{state} is off ({answer[state]}): {_NUDGES[state]}."
    return None
