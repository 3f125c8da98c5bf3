"""Exercises of notebook 02 (concurrency)."""
from __future__ import annotations

from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("02")


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


@exercise(
    "02.1",
    "predict a makespan",
    hint="CPU never overlaps inside one process: 20 x 5 ms in total. "
         "The I/O waits overlap four at a time: how many rounds of 100 ms is that?",
    solution='''
        from helpers.concurrency.simulation import simulate

        answer = simulate("wsgi", n=20, io=0.100, cpu=0.005, workers=1, threads=4).makespan
    ''',
    praise="Right: 20 x 5 ms of CPU, plus 5 rounds of 100 ms waits, four threads at a time.",
)
def predict_makespan(answer: Any) -> str | None:
    from helpers.concurrency.simulation import simulate

    if not _is_number(answer):
        return f"the answer should be a number of seconds, like 1.5; you gave a {type(answer).__name__}."
    right = simulate("wsgi", n=20, io=0.100, cpu=0.005, workers=1, threads=4).makespan
    if abs(answer - right) <= 0.05 * right:
        return None
    if answer > 100:
        return f"{answer} looks like milliseconds: give the makespan in seconds."
    if abs(answer - 20 * 0.105) < 0.05:
        return "that is what one thread would take (20 x 105 ms): with 4 threads, four requests wait at once."
    if abs(answer - 0.2) < 0.03:
        return "that is closer to the event loop's figure: a thread that waits is still taken for the whole wait."
    return f"{answer} s is not what the model gives; add up the CPU (never overlapping) and the rounds of 100 ms waits."


@exercise(
    "02.2",
    "fix an endpoint that blocks the event loop",
    hint="Inside `async def`, replace the blocking `time.sleep(...)` with `await asyncio.sleep(...)`.",
    solution='''
        import asyncio

        from fastapi import FastAPI

        answer = FastAPI()


        @answer.get("/slow")
        async def slow(ms: int = 100) -> dict:
            await asyncio.sleep(ms / 1000)  # hands the loop back while waiting
            return {"waited_ms": ms}
    ''',
    praise="Ten requests now wait together instead of one after another.",
)
def fix_blocking(answer: Any) -> str | None:
    from helpers.concurrency.load import run_load
    from helpers.serving.servers import serve_asgi

    if not callable(answer):
        return "the answer should be a FastAPI app (what `FastAPI()` returns), not " + type(answer).__name__
    with serve_asgi(answer, "exercise-02-2", ready_path="/slow?ms=0") as server:
        single = server.get("/slow", params={"ms": 100})
        if single.status_code != 200:
            return f"GET /slow?ms=100 answered {single.status_code}, not 200 OK: is there a route for \"/slow\"?"
        if single.elapsed.total_seconds() < 0.09:
            return "GET /slow?ms=100 answered at once: each request must still wait `ms` milliseconds, just without blocking."
        load = run_load(server.url, "/slow?ms=100", 10, timeout=20)
    if not load.ok:
        return f"some of 10 concurrent requests failed: statuses {sorted(set(load.statuses))}."
    if load.makespan > 0.5:
        return (f"10 concurrent requests took {load.makespan:.2f} s, about 10 x 100 ms: "
                "the handler still blocks the loop. Is there a time.sleep (or another blocking call) left?")
    return None


@exercise(
    "02.3",
    "choose workers x threads for a latency target",
    hint="Each thread holds a request for about 100 ms, so the p95 is roughly "
         "(100 requests / threads in total) x 100 ms. How many threads make that 0.3 s or less?",
    solution="answer = (2, 25)",
    praise="That meets the target within the thread budget.",
)
def choose_workers(answer: Any) -> str | None:
    from helpers.concurrency.simulation import simulate

    if not (isinstance(answer, tuple) and len(answer) == 2 and all(isinstance(x, int) and not isinstance(x, bool)
                                                                   for x in answer)):
        return "the answer should be a tuple of two ints, (workers, threads), like (2, 8)."
    workers, threads = answer
    if workers < 1 or threads < 1:
        return "workers and threads must both be at least 1."
    if workers * threads > 64:
        return (f"{workers} x {threads} = {workers * threads} threads is over the budget of 64: "
                "each thread costs memory, so find a smaller combination.")
    p95 = simulate("wsgi", n=100, io=0.1, cpu=0.002, workers=workers, threads=threads).percentile(95)
    if p95 > 0.3:
        return f"with {workers} x {threads} the model's p95 is {p95:.2f} s, over the 0.3 s target: add threads."
    return None
