"""Exercises of notebook 03 (serving for real)."""

from __future__ import annotations

import functools
import math
import os
import signal
from typing import Any

from helpers.concurrency.waiting import SHORT_NAMES
from helpers.coursework import served
from helpers.coursework.exercise import ExerciseSet
from helpers.coursework.truths import shared

exercise = ExerciseSet("03")


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# 03.1: before the workers section runs. Part "makespan": notebook 02's model, with no overhead, for the notebook's
# 12 requests of 100 ms on 1, 2 and 4 sync workers. Part "left": what each way of stopping `uvicorn --workers 2`
# leaves running, measured by the check on this machine (the process tree depends on uvicorn's version).
MODEL_REQUESTS, MODEL_WAIT, MODEL_WORKERS = 12, 0.1, (1, 2, 4)
STOP_APP = "helpers.apps.serving_fastapi:app"
STOPS = ("SIGTERM to the master", "SIGKILL to the master", "SIGKILL to the group")
_TREE_EXAMPLE = (
    '{"makespan": {1: ..., 2: ..., 4: ...}, '
    '"left": {"SIGTERM to the master": ..., "SIGKILL to the master": ..., "SIGKILL to the group": ...}}'
)


def model_makespans() -> dict[int, float]:
    """Return the makespan notebook 02's model gives the 12 requests of 100 ms on 1, 2 and 4 sync workers."""
    from helpers.concurrency.simulation import simulate

    return {w: simulate("wsgi", n=MODEL_REQUESTS, io=MODEL_WAIT, workers=w, threads=1).makespan for w in MODEL_WORKERS}


def _still_running(tree: list) -> int:
    import psutil

    alive = 0
    for p in tree:
        try:
            alive += p.is_running() and p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            pass
    return alive


@functools.lru_cache(maxsize=1)
@shared
def stop_facts() -> dict[str, int]:
    """Start `uvicorn --workers 2` once per way of stopping it; return how many of its processes still run after."""
    import psutil

    from helpers.serving.processes import start_uvicorn

    left = {}
    for i, how in enumerate(STOPS):
        # Not the notebook's names: the check leaves the learner's servers alone.
        server = start_uvicorn(STOP_APP, f"exercise-03-1-{i}", workers=2, ready_path="/json")
        try:
            tree = server.processes()  # the master and everything under it, listed before the signal
            if how == "SIGTERM to the master":
                os.kill(server.pid, signal.SIGTERM)  # a request to shut down: the master stops its workers
                psutil.wait_procs(tree, timeout=10)
            elif how == "SIGKILL to the master":
                os.kill(server.pid, signal.SIGKILL)  # the master ends at once and can tell no one
                psutil.wait_procs(tree, timeout=1)
            else:
                os.killpg(server.pid, signal.SIGKILL)  # every process of the group, as stop() does
                psutil.wait_procs(tree, timeout=10)
            left[how] = _still_running(tree)
        finally:
            server.stop()  # whatever is left (the orphans of a SIGKILL to the master) goes with the group
    return left


@exercise(
    "03.1",
    "predict what more workers change, and what a stop leaves running",
    hint="For the makespan, count rounds: a sync worker serves one request at a time, so how many requests does "
    "each worker serve one after another? For the stops, ask which processes each signal reaches, and whether "
    "the master lives long enough to pass a stop on to its workers.",
    solution="""
        # The model: each sync worker serves one request at a time, so 12 requests on w workers take 12 / w
        # rounds of 100 ms (no overhead counted).
        makespan = {w: 12 / w * 0.1 for w in (1, 2, 4)}
        # SIGTERM asks the master to shut down: it stops its workers first, and nothing is left.
        # SIGKILL ends the master at once: it can't pass anything on, so every other process of the tree keeps
        # running, orphans that still hold the port. Count them in the tree, as the cell above listed it:
        from helpers.serving.processes import start_uvicorn

        with start_uvicorn("helpers.apps.serving_fastapi:app", "solution-03-1", workers=2, ready_path="/json") as api:
            others = len(api.processes()) - 1  # every process but the master: the workers, multiprocessing's helper
        # The group holds the master and every process under it: one signal reaches them all, as stop() does.
        answer = {
            "makespan": makespan,
            "left": {"SIGTERM to the master": 0, "SIGKILL to the master": others, "SIGKILL to the group": 0},
        }
    """,
    praise="The model's arithmetic is the yardstick the next cell holds real workers to; and a stop must reach "
    "every process of the tree, which is why stop() signals the whole group.",
    data=True,
)
def workers_and_stops(answer: Any) -> str | None:
    shape = f"the answer should be a dict like {_TREE_EXAMPLE}"
    if not isinstance(answer, dict) or set(answer) != {"makespan", "left"}:
        return shape + "."
    makespan, left = answer["makespan"], answer["left"]
    if not isinstance(makespan, dict) or set(makespan) != set(MODEL_WORKERS):
        return shape + ': "makespan" maps the worker counts 1, 2 and 4 (numbers, not strings) to seconds.'
    if not all(_is_number(v) and math.isfinite(v) and v > 0 for v in makespan.values()):
        return shape + ": each makespan is a number of seconds, above 0."
    if not isinstance(left, dict) or set(left) != set(STOPS):
        return shape + f': "left" maps each of {", ".join(map(repr, STOPS))} to a number of processes.'
    if not all(_is_int(v) and v >= 0 for v in left.values()):
        return shape + ': each "left" is a whole number of processes, 0 or more.'
    model = model_makespans()
    said = {w: float(makespan[w]) for w in MODEL_WORKERS}
    if all(abs(said[w] - MODEL_WAIT) < 0.02 for w in MODEL_WORKERS):
        return (
            "every makespan is one wait of 100 ms, as if all 12 requests ran at once: a sync worker serves "
            "one request at a time, and there are fewer workers than requests."
        )
    if len({round(v, 3) for v in said.values()}) == 1:
        return (
            "the same makespan on 1, 2 and 4 workers: each worker is a process of its own that serves a request "
            "while the others serve theirs. What does a second worker do to the queue?"
        )
    if said[4] > said[1]:
        return "more workers taking longer? Each extra worker takes its own share of the queue."
    for w in MODEL_WORKERS:
        if abs(said[w] - model[w]) > 0.05 * model[w]:
            return (
                f"on {w} worker(s) you said {said[w]:g} s, which the model does not give: how many of the 12 "
                "requests does each worker serve, one after another, and how long does each take?"
            )
    truth = stop_facts()
    if left["SIGKILL to the group"] != truth["SIGKILL to the group"]:
        return (
            "a process group holds the master and every process it started: a signal to the group reaches each "
            "one, and SIGKILL can't be caught or ignored."
        )
    if left["SIGTERM to the master"] != truth["SIGTERM to the master"]:
        return (
            "SIGTERM asks the master to shut down, and it has time to stop its workers before it exits: "
            "the check sent it and found a different count from yours."
        )
    said_killed, killed = left["SIGKILL to the master"], truth["SIGKILL to the master"]
    if said_killed != killed:
        if said_killed == 0:
            return (
                "SIGKILL ends the master at once: it can't tell its workers anything, and a worker does not die "
                "with its parent. The check killed a master that way and found processes still running."
            )
        if said_killed < killed:
            return (
                "the workers keep running, yes; count again in the tree listed above: which other processes did "
                "the signal to the master not reach?"
            )
        return "only the master got the signal, and the tree listed above has fewer processes than that besides it."
    return None


# 03.2's five set-ups, by the short names the notebook's verdicts use.
WAITING_SETUPS = SHORT_NAMES
_HOLD_AND_ANSWER = {"gevent", "FastAPI async def", "Django async"}
_WHY_NOT = {
    "gthread": "the gthread worker accepted only 1,000: gunicorn's worker_connections (1,000 by default) caps it, "
    "and the rest, the new request too, waited in the listen queue",
    "FastAPI def": "the FastAPI def route's server accepted every connection, but each waiting request holds one "
    "of AnyIO's 40 threads, so the new def request waited for a thread",
}


@exercise(
    "03.2",
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
    "03.3",
    "predict the memory of waiting connections",
    hint="The fit is a straight line: where it starts (the server with no connection) plus how much each "
    "connection adds. Mind the units: the base is in MiB and the slope in KiB per connection.",
    solution="""
        def answer(n, base_mib, kib_per_connection):
            return base_mib + n * kib_per_connection / 1024
    """,
    praise="That is the straight line the measurement fitted; the next cell uses it for 5,000 connections.",
    served="call",
    port=served.call,
)
def predict_memory(answer: Any) -> str | None:
    import random

    from helpers.coursework.served import Remote, bind

    if not isinstance(answer, Remote) and not callable(answer):
        return (
            "the answer should be a function answer(n, base_mib, kib_per_connection) that returns MiB, "
            f"not a {type(answer).__name__}."
        )
    predict = bind(answer, served.call)  # in grading, the judge calls the answer where the replay serves it
    draw = random.SystemRandom()
    cases = [(5000, 55.0, 24.0), (1000, 74.0, 31.0), (0, 60.0, 20.0), (3000, 0.0, 1024.0)]
    # and one no answer can know in advance: a table of the four above is not a line
    cases.append((draw.randint(1, 20_000), round(draw.uniform(1, 200), 1), round(draw.uniform(1, 64), 1)))
    for n, base, slope in cases:
        try:
            got = predict(n, base, slope)
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


# 03.4: eight CPU-bound requests arrive at once. The answer carries what the learner's machine measured (the
# notebook's `cores` and `capacity`), so it is judged against that machine, not the one that grades it.
CPU_REQUESTS = 8
MEASURED_KEYS = {"cores", "capacity"}


def claimed_machine(answer: Any) -> str | None:
    """Return why a passing 03.4 answer's claimed cores are not those of the machine that ran it, or None."""
    # Only the cores are compared: the CPU they give changes from moment to moment (the grader runs several
    # notebooks at once), while the usable cores are what the answer cell itself read on this machine. A claim
    # of other cores was typed in, not measured: it may be the learner's own machine, so it is flagged, not failed.
    from helpers.concurrency.cpu_capacity import usable_cores

    cores = usable_cores()
    if answer["cores"] == cores:
        return None
    return (
        f"03.4 passed on the machine it claims ({answer['cores']} core(s)), but the machine that ran the answer "
        f"has {cores} usable core(s): figures typed in, not measured"
    )


def useful_workers(cores: int, capacity: float) -> tuple[int, int]:
    """Return the fewest and most worker processes that serve 03.4's requests as fast as the measured machine can."""
    # Processes compute side by side only as far as there are cores, CPU to share (`capacity`, lower than the
    # cores under a CPU quota or on a busy machine) and requests to compute. Below the CPU measured, a core's
    # worth stays idle; one process beyond it is tolerated (the figure was read at one moment), more only take turns.
    most = min(CPU_REQUESTS, cores)
    fewest = min(most, max(1, round(capacity)))
    return fewest, min(most, max(fewest, math.ceil(capacity) + 1))


@exercise(
    "03.4",
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


# 03.5: a benchmark described in words. Each choice: is it a confound (it favours one side, or makes the figures
# untrustworthy), and why, in the words the feedback uses.
CLIENT_THREAD = "the client runs in a thread of the server's own process"
BENCHMARK_CHOICES: dict[str, tuple[bool, str]] = {
    CLIENT_THREAD: (
        True,
        "a thread of the server's process shares its GIL: while the client builds requests and parses answers, the "
        "server's Python waits, so the figure measures the client as much as the server",
    ),
    "the client runs in processes of its own, on the same machine as the servers": (
        False,
        "a process of its own has its own GIL, and both servers share the machine with the same client alike: "
        "fair for a comparison, though not a capacity figure (this notebook measured that way)",
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
    "03.5",
    "spot what makes a benchmark unfair",
    hint="For each choice, ask two questions: does it help or hurt one side only, and would the figure move "
    "if you ran it again? A confound answers yes to either. This notebook made some of these choices itself; "
    "its first section says why.",
    solution="""
        # A confound favours one side, or makes the figure too noisy to trust.
        # A client thread in the server's process shares its GIL (client processes of their own don't); a
        # development server against a production one compares servers, not frameworks; keep-alive on one side
        # only saves it a handshake per request; half a second is too short for a p99. Client processes beside the servers, running both on one machine
        # in turn, repeating with a median and sending the same requests are what a fair benchmark does.
        answer = {
            "the client runs in a thread of the server's own process",
            "Flask runs under its development server, FastAPI under uvicorn",
            "one server keeps connections open, the other opens one per request",
            "each run lasts half a second",
        }
    """,
    praise="Those four would each move the result without saying anything about the frameworks; the other "
    "four are what a fair benchmark does.",
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
            if choice == CLIENT_THREAD:
                return (
                    "one confound is missing: a client in a thread of its own still runs in the server's process. "
                    "What does a thread share with the other threads of its process, in Python?"
                )
            return f"one confound is missing. Look again at {choice!r}: what would it do to the figures?"
        if not confound and choice in chosen:
            return f"{choice!r} is not a confound: {why}."
    return None
