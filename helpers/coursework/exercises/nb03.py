"""Exercises of notebook 03 (serving for real)."""

from __future__ import annotations

import math
from typing import Any

from helpers.concurrency.waiting import SHORT_NAMES
from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("03")


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# 03.1's five set-ups, by the short names the notebook's verdicts use.
WAITING_SETUPS = SHORT_NAMES
_HOLD_AND_ANSWER = {"gevent", "FastAPI async def", "Django async"}
_WHY_NOT = {
    "gthread": "the gthread worker accepted only 1,000: gunicorn's worker_connections (1,000 by default) caps it, "
    "and the rest, the new request too, waited in the listen queue",
    "FastAPI def": "the FastAPI def route's server accepted every connection, but each waiting request holds one "
    "of AnyIO's 40 threads, so the new def request waited for a thread",
}


@exercise(
    "03.1",
    "which set-ups hold a chat's long polls and still answer",
    hint="Two columns of the table decide it: did the set-up accept every waiting connection, and did one more "
    "request get an answer? A set-up needs both. Threads in the hundreds or thousands are a cost, not a refusal.",
    solution='answer = {"gevent", "FastAPI async def", "Django async"}',
    praise="Those three accept every connection and still answer; a cap stops the other two: gthread's "
    "worker_connections and the def route's 40 threads.",
    data=True,
)
def hold_and_answer(answer: Any) -> str | None:
    names = ", ".join(f'"{name}"' for name in WAITING_SETUPS)
    if not isinstance(answer, (set, frozenset)) or not all(isinstance(x, str) for x in answer):
        return f'the answer should be a set of the set-ups\' names, like {{"gthread"}}, from: {names}.'
    unknown = sorted(answer - set(WAITING_SETUPS))
    if unknown:
        return f"{', '.join(map(repr, unknown))} is not one of the five set-ups; name them as: {names}."
    wrong = [name for name in WAITING_SETUPS if name in answer and name in _WHY_NOT]
    if wrong:
        return "; ".join(_WHY_NOT[name] for name in wrong) + "."
    missing = [name for name in WAITING_SETUPS if name in _HOLD_AND_ANSWER - answer]
    if missing:
        which = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
        return (
            f"{which} accepted every connection and answered one more request: look at "
            f"{'its row' if len(missing) == 1 else 'their rows'} of the table again "
            "(a thread per request costs memory, it does not refuse)."
        )
    return None


@exercise(
    "03.2",
    "predict the memory of waiting connections",
    hint="The fit is a straight line: where it starts (the server with no connection) plus how much each "
    "connection adds. Mind the units: the base is in MiB and the slope in KiB per connection.",
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
        got = float(got)  # a plain float: a subclass of its own could redefine the arithmetic the check does
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


# 03.3: eight CPU-bound requests arrive at once. The answer carries what the learner's machine measured (the
# notebook's `cores` and `capacity`), so it is judged against that machine, not the one that grades it.
CPU_REQUESTS = 8
MEASURED_KEYS = {"cores", "capacity"}


def claimed_machine(answer: Any) -> str | None:
    """Return why a passing 03.3 answer's claimed cores are not those of the machine that ran it, or None."""
    # Only the cores are compared: the CPU they give changes from moment to moment (the grader runs several
    # notebooks at once), while the usable cores are what the answer cell itself read on this machine. A claim
    # of other cores was typed in, not measured: it may be the learner's own machine, so it is flagged, not failed.
    from helpers.concurrency.cpu_capacity import usable_cores

    cores = usable_cores()
    if answer["cores"] == cores:
        return None
    return (
        f"03.3 passed on the machine it claims ({answer['cores']} core(s)), but the machine that ran the answer "
        f"has {cores} usable core(s): figures typed in, not measured"
    )


def useful_workers(cores: int, capacity: float) -> tuple[int, int]:
    """Return the fewest and most worker processes that serve 03.3's requests as fast as the measured machine can."""
    # Processes compute side by side only as far as there are cores, CPU to share (`capacity`, lower than the
    # cores under a CPU quota or on a busy machine) and requests to compute. Below the CPU measured, a core's
    # worth stays idle; one process beyond it is tolerated (the figure was read at one moment), more only take turns.
    most = min(CPU_REQUESTS, cores)
    fewest = min(most, max(1, round(capacity)))
    return fewest, min(most, max(fewest, math.ceil(capacity) + 1))


@exercise(
    "03.3",
    "fix a CPU-bound endpoint by choosing processes",
    hint="Threads of one process take turns holding the GIL. Only processes compute side by side: as many as "
    "there is CPU for them on this machine (what did the capacity cell measure?), and no more than the "
    "requests that arrive together.",
    solution="""
        from helpers.concurrency.cpu_capacity import free_cores, usable_cores

        # What this machine offers: the cores this kernel may use, and the CPU they give right now
        # (lower than the cores under a quota, as on Binder, or while other programs run).
        cores = usable_cores()
        capacity = free_cores()
        # Threads don't help CPU-bound work: a process's threads take turns on its one GIL. So one thread,
        # and one process for each core's worth of CPU, but no more processes than the 8 requests.
        workers = min(8, cores, max(1, round(capacity)))
        answer = {"workers": workers, "threads": 1, "cores": cores, "capacity": capacity}
    """,
    praise="One process per core's worth of CPU you measured: the most CPU-bound requests this machine can "
    "compute at once, and no more.",
    data=True,
    witness=claimed_machine,
)
def choose_processes(answer: Any) -> str | None:
    shape = (
        'the answer should be a dict like {"workers": 2, "threads": 1, "cores": cores, "capacity": capacity}: '
        "your choice, and what this machine measured (the notebook's `cores` and `capacity`)"
    )
    if not isinstance(answer, dict) or not {"workers", "threads"} <= set(answer):
        return shape + "."
    missing = MEASURED_KEYS - set(answer)
    if missing:
        return (
            f"say what you measured too, so the answer is judged against the machine you ran it on: "
            f"add {', '.join(f'{k!r}: {k}' for k in sorted(missing))} (the cells above computed them)."
        )
    if set(answer) - {"workers", "threads", *MEASURED_KEYS}:
        return shape + f"; it has other keys too: {sorted(set(answer) - {'workers', 'threads', *MEASURED_KEYS})}."
    workers, threads, cores, capacity = (answer[k] for k in ("workers", "threads", "cores", "capacity"))
    if not all(_is_int(v) for v in (workers, threads, cores)):
        return shape + ", with whole numbers for workers, threads and cores."
    if not (_is_number(capacity) and math.isfinite(capacity)):
        return f"'capacity' should be the number the capacity cell measured (cores' worth of CPU), not {capacity!r}."
    if workers < 1 or threads < 1 or cores < 1:
        return "workers, threads and cores must all be at least 1."
    if not 0 < capacity <= cores + 0.25:
        return (
            f"'capacity' {capacity:g} can't be right on {cores} core(s): {cores} busy processes get at most "
            f"{cores} cores' worth of CPU. Use the figures the cells printed."
        )
    fewest, most = useful_workers(cores, capacity)
    machine = f"{cores} core(s) giving {capacity:.1f} cores' worth of CPU"
    if threads > 1 and workers < fewest:
        return (
            f"{workers} worker(s) x {threads} threads: the threads share their process's GIL, so at most {workers} "
            f"request(s) compute at once, while your machine measured {machine}. Add processes, not threads."
        )
    if threads > 1:
        return (
            f"{threads} threads per worker add nothing to CPU-bound requests: they take turns on their process's "
            "GIL, and each one holds a request that then waits for it. One thread per process is enough."
        )
    if workers < fewest:
        return f"{workers} worker(s) leave CPU idle: your machine measured {machine}."
    if workers > most:
        if workers > CPU_REQUESTS and most == min(CPU_REQUESTS, cores):
            why = f"only {CPU_REQUESTS} requests arrive at once, so the extra processes have nothing to compute"
        else:
            why = "the extra processes only take turns on the same CPU"
        return f"{workers} workers where your machine measured {machine}: {why}, and each costs a copy of the app."
    return None


# 03.4: a benchmark described in words. Each choice: is it a confound (it favours one side, or makes the figures
# untrustworthy), and why, in the words the feedback uses.
BENCHMARK_CHOICES: dict[str, tuple[bool, str]] = {
    "the client runs in the server's own process": (
        True,
        "a client in the server's process shares its CPU and, in Python, its GIL: it measures the client as much as "
        "the server (this notebook moved its load into separate processes for that reason)",
    ),
    "Flask runs under its development server, FastAPI under uvicorn": (
        True,
        "the development server is not a production server: it compares servers, not frameworks",
    ),
    "one server keeps connections open, the other opens one per request": (
        True,
        "a new connection per request costs a handshake each time, on one side only",
    ),
    "each run lasts half a second": (
        True,
        "half a second holds too few slow requests for a p99, and a hiccup of the machine decides it",
    ),
    "both servers run on the same machine, one after the other": (
        False,
        "the same machine for both is what makes them comparable, as long as nothing else runs meanwhile",
    ),
    "each server is measured three times and the median is reported": (
        False,
        "repeats with a median are how a benchmark shows its spread; that is a strength",
    ),
    "both servers get the same requests in the same order": (
        False,
        "the same requests for both is the point of a comparison",
    ),
}


@exercise(
    "03.4",
    "spot what makes a benchmark unfair",
    hint="For each choice, ask two questions: does it help or hurt one side only, and would the figure move "
    "if you ran it again? A confound answers yes to either. This notebook made some of these choices itself; "
    "its first section says why.",
    solution="""
        # A confound favours one side, or makes the figure too noisy to trust.
        # The client in the server's process shares its CPU and GIL; a development server against a production
        # one compares servers, not frameworks; keep-alive on one side only saves it a handshake per request;
        # half a second is too short for a p99. Running both on one machine in turn, repeating with a median and
        # sending the same requests are what a fair benchmark does.
        answer = {
            "the client runs in the server's own process",
            "Flask runs under its development server, FastAPI under uvicorn",
            "one server keeps connections open, the other opens one per request",
            "each run lasts half a second",
        }
    """,
    praise="Those four would each move the result without saying anything about the frameworks; the other "
    "three are what a fair benchmark does.",
    data=True,
)
def spot_confounds(answer: Any) -> str | None:
    if isinstance(answer, str) or not isinstance(answer, (set, frozenset, list, tuple)):
        return f"the answer should be a set of the choices (strings) printed above, not a {type(answer).__name__}."
    chosen = {str(x).strip() for x in answer}
    unknown = sorted(chosen - set(BENCHMARK_CHOICES))
    if unknown:
        return f"{unknown[0]!r} is not one of the choices; copy them from the list printed above."
    for choice in BENCHMARK_CHOICES:
        confound, why = BENCHMARK_CHOICES[choice]
        if confound and choice not in chosen:
            return f"one confound is missing. Look again at {choice!r}: what would it do to the figures?"
        if not confound and choice in chosen:
            return f"{choice!r} is not a confound: {why}."
    return None
