"""The fresh process that judges code answers, the scan for interpreter internals, and the sandbox's limits."""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import subprocess
import sys
import threading
import time

import pytest

from helpers.coursework import grade, internals, replay, sandbox
from helpers.coursework.exercises import EXERCISES
from helpers.runner.course import ROOT
from tests.conftest import skip_unless

REPLAY = ROOT / "helpers" / "coursework" / "replay.py"
REQUIRE_SANDBOX = "COURSE_REQUIRE_SANDBOX"


def judged(cells: list[list], deadline: float = 60, cell_timeout: float = 30) -> dict:
    """Run the replay on `cells` as the grader does (no sandbox); return what its lines say."""
    request = {
        "root": str(ROOT),
        "cells": cells,
        "nonce": "n0nce",
        "deadline": deadline,
        "cell_timeout": cell_timeout,
        "exercise_timeout": 30,
    }
    done = subprocess.run(
        [sys.executable, "-I", str(REPLAY)],
        input=json.dumps(request).encode(),
        capture_output=True,
        timeout=deadline + 60,
        env={**os.environ, "COURSE_GRADING": "1", "MPLBACKEND": "agg"},
    )
    text = done.stdout.decode()
    lines = text.splitlines()
    assert len(lines) == 2 and lines[0].startswith("V n0nce "), (lines, done.stderr.decode()[-2000:])
    _, _, finished, refused = lines[0].split(" ")
    rows, problem = grade.parse_replay(text, "n0nce")
    seen = [] if refused == "-" else bytes.fromhex(refused).decode().split("\n")
    return {"rows": rows, "problem": problem, "finished": finished == "1", "refused": seen}


JINJA_RIGHT = EXERCISES["05.2"].solution
PATCHES = """
import json, builtins, sys
import helpers.coursework.checks as checks
from helpers.coursework.checks import Result
from helpers.coursework.exercises import get_exercise

json.dumps = lambda *a, **k: '{"passed": true}'
checks.evaluate = lambda id, answer: Result(get_exercise(id), True, "forged", kind="right")
real_import = builtins.__import__
builtins.__import__ = lambda name, *a, **k: real_import(name, *a, **k)
sys.meta_path.insert(0, object())
answer = 42
"""


def test_a_right_code_answer_passes_and_a_wrong_one_fails():
    line = judged([["answer", JINJA_RIGHT, "05.2"], ["answer", "answer = 42", "05.3"]])
    assert line["finished"] and line["refused"] == [] and line["problem"] is None
    assert line["rows"]["05.2"]["passed"] is True
    assert line["rows"]["05.3"]["passed"] is False and line["rows"]["05.3"]["kind"] == "wrong"


def test_what_an_answer_cell_patches_is_put_back_before_its_check():
    line = judged([["answer", PATCHES, "05.2"], ["answer", JINJA_RIGHT, "05.2"]])
    assert line["rows"]["05.2"]["passed"] is True  # the later right answer: json, import and checks put back
    first = judged([["answer", PATCHES, "05.2"]])
    assert first["rows"]["05.2"]["passed"] is False and "forged" not in first["rows"]["05.2"]["message"]


def test_walking_every_object_is_refused_and_reported():
    walk = "import gc\nfound = len(gc.get_objects())\nanswer = 42"
    line = judged([["answer", walk, "05.2"]])
    assert line["refused"] == ["gc.get_objects"]
    assert line["rows"]["05.2"]["passed"] is False and "Refused" in line["rows"]["05.2"]["message"]


def test_what_an_answer_prints_is_not_the_verdict():
    forged = 'print("V n0nce 1 -")\nprint(\'{"05.2": {"passed": true}}\')\nanswer = 42'
    assert judged([["answer", forged, "05.2"]])["rows"]["05.2"]["passed"] is False


def test_a_check_whose_code_the_answer_replaces_while_it_runs_fails_and_is_reported():
    """The red team's deferred patch: the answer's own code, run by the check, replaces a function of the course."""
    sly = (
        "import importlib\n"
        "import jinja2\n\n\n"
        "def finalize(value):\n"
        '    importlib.import_module("helpers.coursework.checks")._sentence = lambda text: text\n'
        "    return value\n\n\n"
        "answer = jinja2.Environment(autoescape=jinja2.select_autoescape(), finalize=finalize)\n"
    )
    line = judged([["answer", sly, "05.2"]])
    assert line["rows"]["05.2"]["passed"] is False and "changed the grader's code" in line["rows"]["05.2"]["message"]
    assert "changing helpers.coursework.checks._sentence while checked" in line["problem"]


def test_an_answer_that_never_ends_is_stopped_and_the_next_one_still_judged():
    start = time.monotonic()
    line = judged([["answer", "while True:\n    pass", "05.2"], ["answer", "answer = 42", "05.3"]], cell_timeout=2)
    assert line["finished"] and "did not finish within 2 s" in line["rows"]["05.2"]["message"]
    assert line["rows"]["05.3"]["kind"] == "wrong" and time.monotonic() - start < 40


def test_an_answer_that_ignores_the_stop_gets_a_verdict_line_at_the_deadline():
    endless = "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass"
    start = time.monotonic()
    line = judged([["answer", endless, "05.2"]], deadline=120, cell_timeout=1)
    assert not line["finished"] and "05.2" not in line["rows"]
    assert time.monotonic() - start < 60  # the cell's limit and the grace, not the whole deadline


def test_snapshot_and_restore_undo_module_and_class_patches():
    import json as json_module

    class Probe:
        def greet(self) -> str:
            return "hi"

    Probe.__module__ = "json"
    json_module.Probe = Probe  # a class "of" a loaded module, as jinja2.Environment is of jinja2
    try:
        state = replay.snapshot()
        real_dumps = json_module.dumps
        json_module.dumps = lambda *a, **k: "forged"
        Probe.greet = lambda self: "forged"
        Probe.extra = lambda self: "added"
        assert replay.restore(state) >= 3
        assert json_module.dumps is real_dumps and Probe().greet() == "hi" and not hasattr(Probe, "extra")
    finally:
        del json_module.Probe


def test_restore_undoes_code_swapped_in_place_and_modules_replaced_in_sys_modules():
    import textwrap
    import types

    real_code, real_textwrap = textwrap.dedent.__code__, sys.modules["textwrap"]
    state = replay.snapshot()
    try:
        textwrap.dedent.__code__ = (lambda text: "forged").__code__
        sys.modules["textwrap"] = types.ModuleType("textwrap")
        sys.modules["made_up_by_the_answer"] = types.ModuleType("made_up_by_the_answer")
        replay.restore(state)
        assert textwrap.dedent.__code__ is real_code and sys.modules["textwrap"] is real_textwrap
        assert "made_up_by_the_answer" not in sys.modules
        assert "json" in sys.modules  # what was there stays
    finally:
        textwrap.dedent.__code__ = real_code
        sys.modules["textwrap"] = real_textwrap
        sys.modules.pop("made_up_by_the_answer", None)


@pytest.mark.parametrize("path", ["/proc/self/mem", b"/proc/self/mem", "mem", "/proc/1/../self/mem", "/proc/7/pagemap"])
def test_the_guard_refuses_process_memory_however_it_is_spelt(path):
    guard = replay.Guard()
    caught: list[BaseException] = []

    def worker() -> None:
        try:
            guard("open", (path, "r", 0))
        except replay.Refused as exc:
            caught.append(exc)
        guard("open", ("/etc/hostname", "r", 0))
        guard("open", (b"/etc/hostname", "r", 0))

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert len(caught) == 1 and len(guard.seen) == 1


def test_the_guard_refuses_only_outside_the_main_thread():
    guard = replay.Guard()
    guard("gc.get_objects", ())  # the main thread: the grader's own
    caught: list[BaseException] = []

    def worker() -> None:
        try:
            guard("gc.get_objects", ())
        except replay.Refused as exc:
            caught.append(exc)
        guard("open", ("/etc/hostname", "r", 0))  # an ordinary file: allowed

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert len(caught) == 1 and guard.seen == ["gc.get_objects"]


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_no_worked_solution_reaches_for_internals(exercise):
    assert internals.reached(EXERCISES[exercise].solution) == []


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("import sys\nf = sys._getframe(1).f_locals", "other frames"),
        ("import traceback\ntry:\n    1/0\nexcept Exception as e:\n    f = e.__traceback__.tb_frame", "other frames"),
        ("import sys\nsys.meta_path.insert(0, None)", "the import system"),
        ("import sys\ndel sys.modules['json']", "the import system"),
        ("import builtins\nbuiltins.open = print", "builtins"),
        ("get_ipython().input_transformers_cleanup.append(str)", "IPython's input pipeline"),
        ("import gc\ngc.get_referrers(1)", "the garbage collector or C memory"),
        ("f = (lambda: 1).__globals__", "the garbage collector or C memory"),
        ("exec('x = 1')", "code built from text"),
        ("import os\nos._exit(0)", "raw file descriptors or exits"),
        ("open('/proc/self/mem')", "names of internals in a string"),
        ("fd = os.open(b'/pr' b'oc/self/mem', 0)", "names of internals in a string"),
        ("c = getattr(f, '__clos' + 'ure__')", "attribute names built at run time"),
        ("x = threading.current_thread()._target", "the grader's own threads"),
        ("x = f.__ｃｌｏｓｕｒｅ__", "the garbage collector or C memory"),
        ("f.__code__ = g.__code__", "the garbage collector or C memory"),
    ],
)
def test_the_scan_names_each_kind_of_internals(source, kind):
    assert kind in internals.reached(source)


def test_the_scan_leaves_a_learners_own_names_alone():
    assert internals.reached("modules = ['a']\nevents = modules + ['b']\nanswer = len(events)") == []


def sandboxed(code: str, tmp_path, memory_mib: int = sandbox.MEMORY_MIB) -> subprocess.CompletedProcess:
    why = sandbox.missing()
    skip_unless(why and f"no sandbox here: {why}", required_by=REQUIRE_SANDBOX)
    # A uid of its own, as the grader takes (grade.py): the task cap counts every process of the uid, and CI runs
    # these tests on two Pythons at once, so one fixed uid let the other run's 2,000 threads count against this one.
    uid = sandbox.UID_BASE + secrets.randbelow(sandbox.UID_BLOCKS) * sandbox.UID_BLOCK + 7
    jail = sandbox.sandbox_for(uid, hide=(), readonly=(), need=sandbox.python_dirs())
    report = tmp_path / "report"
    report.mkdir(parents=True)

    jail = dataclasses.replace(jail, memory_mib=memory_mib, report=str(report), stdio=True)
    return subprocess.run(
        jail.wrap([sys.executable, "-I", "-c", code]), capture_output=True, text=True, timeout=60, cwd="/"
    ), report


def test_a_sandbox_stops_a_learner_past_its_memory(tmp_path):
    code = "import time\nblocks = []\nfor _ in range(60):\n    blocks.append(bytearray(20 << 20))\n    time.sleep(0.05)\ntime.sleep(5)\nprint('survived')"
    done, report = sandboxed(code, tmp_path, memory_mib=300)
    assert "survived" not in done.stdout
    assert "past the 300 MiB allowed" in (report / sandbox.LIMIT_FILE).read_text()
    done, report = sandboxed(code.replace("range(60)", "range(5)"), tmp_path / "small", memory_mib=300)
    assert "survived" in done.stdout and not (report / sandbox.LIMIT_FILE).exists()


def test_a_sandbox_caps_the_tasks_a_learner_may_start(tmp_path):
    code = (
        "import threading, time\nstarted = 0\ntry:\n    for _ in range(4000):\n"
        "        threading.Thread(target=time.sleep, args=(3,), daemon=True).start()\n        started += 1\n"
        "except RuntimeError:\n    pass\nprint(started)"
    )
    done, _ = sandboxed(code, tmp_path)
    assert 100 < int(done.stdout.strip()) < sandbox.MAX_TASKS


def test_a_sandbox_has_its_own_ipc_and_host_name(tmp_path):
    code = "import os\nprint(os.readlink('/proc/self/ns/ipc'), os.readlink('/proc/self/ns/uts'))"
    done, _ = sandboxed(code, tmp_path)
    inside = done.stdout.split()
    assert len(inside) == 2, done
    assert inside[0] != os.readlink("/proc/self/ns/ipc") and inside[1] != os.readlink("/proc/self/ns/uts")
