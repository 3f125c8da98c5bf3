"""Exercises of notebook 03 (serving for real)."""

from __future__ import annotations

from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("03")


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _cores() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@exercise(
    "03.1",
    "choose gunicorn workers x threads for a latency target",
    hint="Each request holds a thread for about 100 ms, so 40 requests on T threads in total take "
    "about (40 / T) rounds of 100 ms. Keep workers at or under gunicorn's 2 x cores + 1.",
    solution="answer = (2, 16)",
    praise="40 waits now overlap in two rounds, within gunicorn's worker guideline for this machine.",
)
def choose_gunicorn(answer: Any) -> str | None:
    from helpers.concurrency.simulation import simulate

    if not (isinstance(answer, tuple) and len(answer) == 2 and all(_is_int(x) for x in answer)):
        return "the answer should be a tuple of two ints, (workers, threads), like (2, 8)."
    workers, threads = answer
    if workers < 1 or threads < 1:
        return "workers and threads must both be at least 1."
    limit = 2 * _cores() + 1
    if workers > limit:
        return (
            f"{workers} workers is more than gunicorn's suggested 2 x cores + 1 = {limit} on this machine: "
            "every worker is a whole Python process with its own copy of the app. Use threads for the waits."
        )
    if workers * threads > 64:
        return f"{workers} x {threads} = {workers * threads} threads is over the budget of 64 threads in total."
    p95 = simulate("wsgi", n=40, io=0.1, cpu=0.002, workers=workers, threads=threads).percentile(95)
    if p95 > 0.25:
        return (
            f"with {workers} x {threads} = {workers * threads} threads the model's p95 is {p95:.2f} s, "
            "over the 0.25 s target: 40 requests wait at once, so you need more threads in total."
        )
    return None


@exercise(
    "03.2",
    "predict the memory of waiting connections",
    hint="The fit says memory = base + slope x connections, with the base in MiB and the slope in KiB "
    "per connection: there are 1024 KiB in a MiB.",
    solution="""
        def answer(n, base_mib, kib_per_connection):
            return base_mib + n * kib_per_connection / 1024
    """,
    praise="That is the straight line the measurement fitted; the next cell uses it for 5,000 connections.",
)
def predict_memory(answer: Any) -> str | None:
    if not callable(answer):
        return (
            "the answer should be a function answer(n, base_mib, kib_per_connection) that returns MiB, "
            f"not a {type(answer).__name__}."
        )
    cases = [(5000, 55.0, 24.0), (1000, 74.0, 31.0), (0, 60.0, 20.0), (3000, 0.0, 1024.0)]
    for n, base, slope in cases:
        try:
            got = answer(n, base, slope)
        except TypeError as exc:
            return f"answer(n, base_mib, kib_per_connection) should take three numbers; calling it raised: {exc}"
        right = base + n * slope / 1024
        if not _is_number(got):
            return f"answer({n}, {base}, {slope}) returned {got!r}: it should return a number of MiB."
        if abs(got - right) <= 0.01 * max(1.0, right):
            continue
        if abs(got - n * slope / 1024) < 0.01 * max(1.0, right) and base:
            return f"answer({n}, {base}, {slope}) = {got:g}: the server's memory before any connection (the base) is missing."
        if abs(got - (base + n * slope)) < 0.01 * max(1.0, base + n * slope):
            return (
                f"answer({n}, {base}, {slope}) = {got:g}: the slope is in KiB, the base in MiB; convert before adding."
            )
        if abs(got - (base * 1024 + n * slope)) < 0.01 * max(1.0, base * 1024 + n * slope):
            return f"answer({n}, {base}, {slope}) = {got:g} looks like KiB: return MiB."
        return f"answer({n}, {base}, {slope}) returned {got:g}, but the fitted line gives {right:g} MiB."
    return None


@exercise(
    "03.3",
    "fix a CPU-bound endpoint by choosing processes",
    hint="Threads of one process take turns holding the GIL. Only processes compute side by side, "
    "and only as many as there are cores to run them.",
    solution="""
        import os

        answer = {"workers": len(os.sched_getaffinity(0)), "threads": 1}
    """,
    praise="One process per core: the most CPU-bound requests this machine can compute at once, and no more.",
)
def choose_processes(answer: Any) -> str | None:
    if not (
        isinstance(answer, dict) and set(answer) == {"workers", "threads"} and all(_is_int(v) for v in answer.values())
    ):
        return 'the answer should be a dict like {"workers": 1, "threads": 4}, with two ints.'
    workers, threads = answer["workers"], answer["threads"]
    if workers < 1 or threads < 1:
        return "workers and threads must both be at least 1."
    cores = _cores()
    if workers < cores and threads > 1:
        return (
            f"{workers} worker(s) x {threads} threads: the threads share their process's GIL, so at most "
            f"{workers} request(s) compute at once while this machine has {cores} cores. Add processes, not threads."
        )
    if workers < cores:
        return f"{workers} worker(s) leave cores idle: this machine has {cores} (os.sched_getaffinity)."
    if workers > cores:
        return (
            f"{workers} workers on {cores} cores: the extra processes only take turns on the same cores, "
            "and each costs a copy of the app's memory. Match the cores."
        )
    return None
