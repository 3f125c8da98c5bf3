"""Notebook 02's exercise checks: hints whose reasoning reaches an accepted answer, and checks that agree with them.

Wrong answers and their feedback are in the catalogue, test_wrong_answers.py.
"""

from __future__ import annotations

import pytest

from helpers.concurrency.simulation import simulate
from helpers.coursework.checks import evaluate, solution_answer
from helpers.coursework.exercises import get_exercise
from helpers.coursework.exercises.nb02 import BLOCKED_LIMIT, CONCURRENT, RIVALS, SIZING, blocked_per_request, rounds

# -- the reasoning each numeric hint suggests reaches an accepted answer ------------------------


def test_02_1_hint_reasoning_passes():
    # "the last request starts waiting after 20 x 5 ms of CPU, and its wait ends 100 ms later"
    assert evaluate("02.1", 20 * 0.005 + 0.100).passed


def _hint_estimate(workers: int, threads: int) -> float:
    # The hint, read as a learner would: "rounds x 102 ms + threads x 2 ms <= 0.3 s", rounds = ceil(100 / all threads)
    return rounds(workers, threads) * (SIZING["io"] + SIZING["cpu"]) + threads * SIZING["cpu"]


SIZES = [(w, t) for w in range(1, 65) for t in range(1, 65) if w * t <= SIZING["budget"]]


def test_02_5_accepts_exactly_what_the_hint_accepts():
    """The check and its hint agree both ways: every size the hint's formula allows passes, and no other."""
    hint = {size for size in SIZES if _hint_estimate(*size) <= SIZING["target"] + 1e-9}
    accepted = {size for size in SIZES if evaluate("02.5", size).passed}
    assert (2, 25) in accepted and len(accepted) > 20
    assert accepted == hint


def test_02_5_every_accepted_size_also_meets_the_model():
    for size in SIZES:
        if evaluate("02.5", size).passed:
            run = simulate("wsgi", n=SIZING["n"], io=SIZING["io"], cpu=SIZING["cpu"], workers=size[0], threads=size[1])
            assert run.percentile(95) <= SIZING["target"] and run.makespan <= SIZING["target"] + 1e-9, size


def test_02_5_no_single_process_passes_as_its_feedback_says():
    """The issue's case: (1, 48-64) passed while the feedback warned against every thread in one process."""
    assert not any(evaluate("02.5", (1, t)).passed for t in range(1, SIZING["budget"] + 1))
    # The advice the refusal gives ("spread them over more worker processes") reaches an accepted answer.
    advice = evaluate("02.5", (1, 50)).message
    assert "more worker processes" in advice and evaluate("02.5", (2, 25)).passed


def test_02_5_the_model_alone_would_accept_what_the_hint_refuses():
    # Why the check follows the hint: the model's p95 leaves out the slowest requests, which the target is about.
    run = simulate("wsgi", n=100, io=0.1, cpu=0.002, workers=48, threads=1)
    assert run.percentile(95) <= SIZING["target"] < _hint_estimate(48, 1)
    assert not evaluate("02.5", (48, 1)).passed


@pytest.mark.parametrize("exercise_id", ["02.1", "02.2", "02.3", "02.5"])
def test_worked_solutions_show_reasoning_not_a_bare_call(exercise_id):
    code = get_exercise(exercise_id).solution
    comments = [line for line in code.splitlines() if line.strip().startswith("#")]
    assert len(comments) >= 3, code
    assert evaluate(exercise_id, solution_answer(exercise_id)).passed


# -- 02.4: judged against an app that awaits, measured at the same time --------------------------------------------


def test_02_4_blocked_time_follows_the_model():
    """Ten requests that each block b seconds take about (10 - 1) x b longer than ten that await."""
    awaiting = simulate("async", n=CONCURRENT, io=0.100, cpu=0.0).makespan
    for blocked in (0.0, 0.010, 0.050, 0.090, 0.100):
        # A handler that blocks for `blocked` of its 100 ms: the blocked parts one after another, then one wait.
        makespan = CONCURRENT * blocked + (0.100 - blocked)
        assert blocked_per_request(makespan, awaiting) == pytest.approx(blocked, abs=1e-9)
    # The case: 90 of 100 ms blocked took 0.91 s, under the old absolute bound of 0.95 s, and is refused.
    assert blocked_per_request(0.91, awaiting) > 3 * BLOCKED_LIMIT
    # A busy machine slows the reference as much as the answer: the difference, not the time, decides.
    assert blocked_per_request(0.1 + 0.4, awaiting + 0.4) == 0


def test_02_6_hint_reasoning_passes():
    """Follow the hint on paper: four threads, one GIL, each request 20 ms of CPU then 100 ms of I/O."""
    from helpers.coursework.exercises.nb02 import TIMELINE

    at, cpu, io = TIMELINE["at"], TIMELINE["cpu"], TIMELINE["io"]
    threads_free = [0.0] * TIMELINE["threads"]  # when each thread can take its next request
    gil_free = 0.0
    spans = []  # (cpu start, cpu end, finish) of each request, in the order the threads take them
    for _ in range(TIMELINE["n"]):
        k = min(range(len(threads_free)), key=lambda i: threads_free[i])
        taken = threads_free[k]
        start = max(taken, gil_free)  # the GIL runs one thread's CPU at a time
        gil_free = start + cpu
        finish = start + cpu + io
        threads_free[k] = finish
        spans.append((taken, start, start + cpu, finish))
    counts = {
        "done": sum(finish <= at for *_, finish in spans),
        "running": sum(start <= at < end for _, start, end, _ in spans),
        "waiting": sum(end <= at < finish for _, _, end, finish in spans),
    }
    counts["queued"] = TIMELINE["n"] - sum(counts.values())
    assert counts == {"done": 2, "running": 1, "waiting": 3, "queued": 2}
    assert evaluate("02.6", counts).passed


# -- 02.2: judged by the mechanism, which holds on any run ---------------------------------------------------------

QUIET_RUN = {"fastapi-async": 119.0, "fastapi-async-cpu": 220.0, "flask-threaded-cpu": 224.0, "flask-threaded": 123.0}
QUIET_RUN |= {"flask-one-worker": 2050.0, "fastapi-blocking": 2030.0}
# Another program took the CPU while the loop's run went: its gap is far beyond the overheads.
BUSY_RUN = {**QUIET_RUN, "fastapi-async": 190.0}


def _hint_answer(spans: dict[str, float], overhead_ms: float = 0.9) -> dict:
    """Follow 02.2's hint on a run's table: the gap against the overheads, then each rival's makespan over the loop's."""
    gap = spans["fastapi-async"] - 100
    causes = {"overhead"} | ({"busy machine"} if gap > 2 * 20 * overhead_ms else set())
    no_gain = {key for key, (loop, rival) in RIVALS.items() if spans[rival] / spans[loop] < 2}
    return {"causes": causes, "no gain": no_gain}


def test_02_2_hint_reasoning_passes_on_a_quiet_run_and_on_a_busy_one():
    quiet, busy = _hint_answer(QUIET_RUN), _hint_answer(BUSY_RUN)
    assert quiet["causes"] == {"overhead"} and busy["causes"] == {"overhead", "busy machine"}
    assert evaluate("02.2", quiet).passed and evaluate("02.2", busy).passed


def test_02_2_a_busy_machine_is_the_learners_call_and_the_mechanism_is_not():
    """Only the learner saw their machine: "busy machine" is taken either way; the rivals' verdict never moves."""
    right = {"causes": {"overhead"}, "no gain": {"CPU-bound", "thread per request"}}
    assert evaluate("02.2", right).passed
    assert evaluate("02.2", {**right, "causes": {"overhead", "busy machine"}}).passed
    assert not evaluate("02.2", {**right, "causes": {"busy machine"}}).passed
    assert not evaluate("02.2", {**right, "no gain": {"CPU-bound"}}).passed


def test_02_2_the_solution_needs_no_measurement(monkeypatch):
    """The grader re-runs no measurement for 02.2: its worked solution reads no figure and measures nothing."""
    from helpers.concurrency import scenarios
    from helpers.coursework.checks import solution_code
    from helpers.coursework.grade import names_of

    def refuse(*args, **kwargs):
        raise AssertionError("02.2's solution measured a run")

    monkeypatch.setattr(scenarios, "measure_all", refuse)
    assert names_of(solution_code("02.2"))[2] == set()  # the names the answer cell reads from earlier cells
    namespace: dict = {}
    exec(solution_code("02.2"), namespace)
    assert evaluate("02.2", namespace["answer"]).passed


def test_02_2_paper_gap_reads_the_scenarios_the_table_shows():
    """paper_gap() gives the figures the exercise's cell prints, from Measurement objects."""
    from types import SimpleNamespace

    from helpers.concurrency.scenarios import SCENARIOS
    from helpers.coursework.exercises import nb02

    def fake(name: str, makespan_ms: float) -> SimpleNamespace:
        return SimpleNamespace(scenario=SCENARIOS[name], n=20, overhead=0.0009, measured_makespan=makespan_ms / 1000)

    seen = nb02.paper_gap({name: fake(name, ms) for name, ms in QUIET_RUN.items()})
    assert seen["paper_ms"] == 100.0 and seen["measured_ms"] == 119.0 and seen["overhead_ms"] == 0.9
    assert seen["makespans_ms"] == QUIET_RUN
    assert _hint_answer(seen["makespans_ms"]) == solution_answer("02.2")


# -- 02.3: what asyncio.run does is measured in a running loop, as in a kernel ----------------------------------------


def test_02_3_the_check_tries_asyncio_run_inside_a_running_loop():
    import asyncio

    from helpers.coursework.exercises.nb02 import asyncio_run_in_a_cell

    outcome, happened = asyncio_run_in_a_cell()
    assert outcome == "running loop" and happened.startswith("RuntimeError")

    async def in_a_kernel() -> bool:  # a learner's check cell runs inside the kernel's loop
        return evaluate("02.3", solution_answer("02.3")).passed

    assert asyncio.run(in_a_kernel())
