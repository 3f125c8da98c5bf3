"""Exercises of notebook 02 (concurrency).

Each numeric hint states a reasoning a learner can do on paper; tests/coursework/test_nb02.py
follows that reasoning and checks that it reaches an accepted answer.
"""

from __future__ import annotations

import math
from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("02")

# 02.4's workload and target, shared by its check, its hint and the notebook's prompt.
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


@exercise(
    "02.2",
    "predict a makespan with four threads",
    hint="Four threads share 20 requests, so each thread serves 5 of them, one after another, "
    "and each takes 5 ms of CPU plus a 100 ms wait. "
    "How long does one thread take for its 5 requests?",
    solution="""
        # Each of the 4 threads serves 20 / 4 = 5 requests, one after another.
        # One request holds its thread for 5 ms of CPU + 100 ms of waiting = 105 ms.
        per_thread = 5 * (0.005 + 0.100)  # 0.525 s
        # The GIL lets one thread run Python at a time: the four threads start their first
        # CPU 5 ms apart, so the fourth finishes 3 x 5 ms after the first. After that the
        # CPU of one thread runs while the others wait on I/O: it overlaps, it does not add up.
        answer = per_thread + 3 * 0.005  # 0.54 s, what the model gives

        # The model agrees:
        # simulate("wsgi", n=20, io=0.100, cpu=0.005, workers=1, threads=4).makespan
    """,
    praise="Right: each thread serves 5 requests of 105 ms (0.525 s), and the GIL starts the four "
    "threads 5 ms apart, so the last one ends at 0.54 s. "
    "While one thread computes, the others are waiting on I/O: the CPU overlaps their waits.",
)
def predict_makespan(answer: Any) -> str | None:
    from helpers.concurrency.simulation import simulate

    if (problem := _not_a_number(answer)) is not None:
        return problem
    right = simulate("wsgi", n=20, io=0.100, cpu=0.005, workers=1, threads=4).makespan
    if abs(answer - right) <= 0.05 * right:
        return None
    if abs(answer - 20 * 0.105) < 0.05:
        return "that is what one thread would take (20 x 105 ms): with 4 threads, four requests wait at once."
    if abs(answer - 0.6) < 0.02:
        return (
            "that adds all 20 x 5 ms of CPU to 5 rounds of waits, as if nothing else happened while a "
            "thread computes. But while one thread computes, the other three are waiting on I/O: "
            "follow one thread through its 5 requests instead."
        )
    if abs(answer - 0.5) < 0.02:
        return "that is 5 rounds of waits with no CPU at all: each request also holds its thread for 5 ms of CPU."
    if abs(answer - 0.2) < 0.03:
        return "that is closer to the event loop's figure: a thread that waits is still taken for the whole wait."
    return f"{answer} s is not what the model gives: follow one thread through the 5 requests it serves."


@exercise(
    "02.3",
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
)
def fix_blocking(answer: Any) -> str | None:
    from helpers.concurrency.load import run_load
    from helpers.serving.servers import serve_asgi

    if not callable(answer):
        return "the answer should be a FastAPI app (what `FastAPI()` returns), not " + type(answer).__name__
    with serve_asgi(answer, "exercise-02-3", ready_path="/slow?ms=0") as server:
        single = server.get("/slow", params={"ms": 100})
        if single.status_code >= 500:
            return (
                f"GET /slow?ms=100 answered {single.status_code}: the handler raised an exception. "
                "Its traceback is in the server log: `from helpers import server_logs; print(server_logs())`."
            )
        if single.status_code != 200:
            return f'GET /slow?ms=100 answered {single.status_code}, not 200 OK: is there a route for "/slow"?'
        if single.elapsed.total_seconds() < 0.09:
            return "GET /slow?ms=100 answered at once: each request must still wait `ms` milliseconds, just without blocking."
        load = run_load(server.url, "/slow?ms=100", 10, timeout=20)
    if not load.ok:
        return f"some of 10 concurrent requests failed: statuses {sorted(set(load.statuses))}."
    # Ten blocking calls of 100 ms, one after another, can never take less than 1.0 s; awaiting
    # ones take about 0.1 s, more on a busy machine: so only a run near the serial floor fails.
    if load.makespan >= 0.95:
        return (
            f"10 concurrent requests took {load.makespan:.2f} s, about 10 x 100 ms: "
            "the handler still blocks the loop. Is there a time.sleep (or another blocking call) left?"
        )
    return None


def rounds(workers: int, threads: int) -> int:
    """Return how many rounds of waits 02.4's requests need on `workers` x `threads`."""
    return math.ceil(SIZING["n"] / (workers * threads))


@exercise(
    "02.4",
    "choose workers x threads for a latency target",
    hint="Two things add up. Threads: with S threads in all, the 100 requests wait in ceil(100 / S) rounds "
    "of 100 ms. The GIL: in each worker process one thread runs Python at a time, so the last of its "
    "T threads starts its wait T x 2 ms late. "
    "Find (workers, threads) with rounds x 100 ms + threads x 2 ms <= 0.3 s.",
    solution="""
        import math

        # Threads: 100 requests, each holding a thread ~100 ms, go in ceil(100 / all threads) rounds.
        # 34 threads give 3 rounds = 0.3 s already: no room left. 50 or more give 2 rounds = 0.2 s.
        # The GIL: each worker process runs one thread's CPU at a time, so a worker with T threads
        # starts the last of them T x 2 ms late. Fewer threads per worker, more workers: less queueing.
        workers, threads = 2, 25
        estimate = math.ceil(100 / (workers * threads)) * 0.100 + threads * 0.002  # 0.2 + 0.05 = 0.25 s
        assert estimate <= 0.3 and workers * threads <= 64
        answer = (workers, threads)

        # The model agrees (p95 about 0.25 s):
        # simulate("wsgi", n=100, io=0.1, cpu=0.002, workers=2, threads=25).percentile(95)
    """,
    praise="That meets the target within the thread budget: enough threads for two rounds of waits, "
    "spread over processes so that no GIL queues too much CPU.",
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
    p95 = simulate(
        "wsgi", n=SIZING["n"], io=SIZING["io"], cpu=SIZING["cpu"], workers=workers, threads=threads
    ).percentile(95)
    if p95 <= SIZING["target"]:
        return None
    waits = rounds(workers, threads) * SIZING["io"]
    gil = threads * SIZING["cpu"]
    said = (
        f"with {workers} x {threads} the model's p95 is {p95:.2f} s, over the 0.3 s target. "
        f"{total} threads take the 100 requests in {rounds(workers, threads)} rounds of waits ({waits:.1f} s)"
    )
    if waits >= SIZING["target"] - 1e-9:
        return (
            said + f", and on top of that each worker's GIL runs its {threads} threads' CPU one at a time "
            f"(+{gil * 1000:.0f} ms). More threads alone can't get there: aim for two rounds, "
            "and spread the threads over more worker processes, each with its own GIL."
        )
    return (
        said + f"; each worker's GIL queues its {threads} threads' CPU (+{gil * 1000:.0f} ms): "
        "spread the threads over more worker processes."
    )
