"""The grader, end to end: a gallery of honest and dishonest submissions built from the real notebooks."""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
import pytest

from helpers.coursework import grade, sandbox
from helpers.coursework.cells import role_of, with_coursework_metadata
from helpers.coursework.exercises import EXERCISES, exercise_ids
from helpers.runner.course import NOTEBOOK_DIR, ROOT
from tests.conftest import skip_unless
from tests.coursework.red_team import RED_TEAM_00_2

NB00 = "00_start_here.ipynb"
CELL_TIMEOUT = 40  # the "never returns" answer is stopped after this; every real cell of 00 and 02 is far quicker


def released(name: str) -> nbformat.NotebookNode:
    """Return notebook `name` as the class gets it: blank answers, coursework metadata."""
    return with_coursework_metadata(nbformat.read(NOTEBOOK_DIR / name, as_version=4), name)


def cells_of(nb, role: str) -> dict[str, nbformat.NotebookNode]:
    return {role_of(c)[1]: c for c in nb.cells if role_of(c)[0] == role}


def answered(nb, answers: dict[str, str] | None = None):
    """Fill each answer cell with `answers[id]`, or with the exercise's worked solution."""
    for ex, cell in cells_of(nb, "answer").items():
        cell.source = (answers or {}).get(ex, EXERCISES[ex].solution)
    return nb


def insert_after_first_code(nb, source: str):
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first + 1, nbformat.v4.new_code_cell(source))
    return nb


MONKEYPATCH = """
import helpers, helpers.coursework.checks as checks, helpers.coursework.exercises as exercises
from helpers.coursework.checks import Result
checks.evaluate = lambda id, answer: Result(exercises.get_exercise(id), True, "Correct!", kind="right")
for ex in exercises.EXERCISES.values():
    object.__setattr__(ex, "check", lambda answer: None)
checks.check = helpers.check = lambda *a, **k: print("✅ Correct")
"""


# A later cell finds the file the grader's export wrote to (its source is in IPython's history) and adds a verdict.
FORGE = """
import json, re
for source in In:
    found = re.search(r"export\\('00.1', '([^']+)'", source)
    if found:
        with open(found.group(1), "a") as f:
            f.write(json.dumps({"id": "00.2", "nonce": "guessed", "passed": True, "message": "forged"}) + "\\n")
        print("forged")
"""


# A learner cell wraps json.dumps so that any row with a nonce says "passed": the in-kernel probe writes its verdict
# with it. Answers that are plain data are exported and judged outside the kernel, so the wrap wins them nothing.
WRAPPED_DUMPS = """
import json
_dumps = json.dumps


def dumps(obj, *args, **kwargs):
    if isinstance(obj, dict) and "nonce" in obj:
        obj = {**obj, "passed": True, "kind": "right", "message": "forged"}
    return _dumps(obj, *args, **kwargs)


json.dumps = dumps
"""


HOG = """
blocks = []
for _ in range(40):
    blocks.append(bytearray(50 << 20))
answer = "server"
"""
MEMORY_MIB = 1024  # the gallery's allowance: notebook 00's kernel holds a few hundred MiB

LEAVE_IN_TMP = """
left = []
for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock"):
    with open(f"{{folder}}/{token}-left", "w") as f:
        f.write("answers")
    left.append(open(f"{{folder}}/{token}-left").read())
answer = "server" if left == ["answers"] * 4 else 42
"""


# A learner cell writes a fake `helpers` package into the kernel's working folder, first on sys.path.
FAKE_PACKAGE = """
import os, pathlib, sys
sys.path.insert(0, os.getcwd())
pkg = pathlib.Path("helpers/coursework")
pkg.mkdir(parents=True, exist_ok=True)
pathlib.Path("helpers/__init__.py").write_text("")
(pkg / "__init__.py").write_text("")
(pkg / "checks.py").write_text("class R:\\n    passed = True\\n    message = 'ok'\\n"
                               "def evaluate(id, answer):\\n    return R()\\n")
"""

# A learner cell puts an import hook in front of Python's own finders.
FAKE_FINDER = """
import importlib.abc, importlib.util, sys


class Fake(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name == "helpers.coursework.checks":
            return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        class R:
            passed, message = True, "ok"
        module.evaluate = lambda id, answer: R()
        module.check = module.show_hint = module.show_solution = lambda *a, **k: None


sys.meta_path.insert(0, Fake())
"""


# Issue 27's cheats on the answers that are code, each of which once won marks for a wrong answer. They are judged
# in a fresh process that runs only the course's cells and the answer cell, with what the answer cell patched put back.

# An early cell rewrites every later cell's source, the grader's included, so that `evaluate` always says right.
TRANSFORMER = """
def forge(lines):
    fake = "(lambda *a: type('R', (), {'passed': True, 'message': 'ok', 'kind': 'right'})())("
    return [line.replace("evaluate(", fake) for line in lines]


get_ipython().input_transformers_cleanup.append(forge)
"""

# An early cell wraps `builtins.__import__` so that importing the course's checks gives a fake module.
IMPORT_WRAPPER = """
import builtins, types

_real_import = builtins.__import__


def fake_import(name, globals=None, locals=None, fromlist=(), level=0):
    module = _real_import(name, globals, locals, fromlist, level)
    if name == "helpers.coursework.checks":
        fake = types.ModuleType(name)
        fake.evaluate = lambda id, answer: type("R", (), {"passed": True, "message": "ok", "kind": "right"})()
        return fake
    return module


builtins.__import__ = fake_import
"""

# The answer cell itself patches what the check uses (the encoder, the checks, an import hook whose class claims to
# be the json module's), then gives a wrong answer.
PATCHED_IN_ANSWER = (
    WRAPPED_DUMPS
    + MONKEYPATCH
    + FAKE_FINDER.replace(
        "sys.meta_path.insert(0, Fake())", "Fake.__module__ = 'json'\nsys.meta_path.insert(0, Fake())"
    )
    + "\nanswer = 42\n"
)

# Answer cells that walk the interpreter: every object (to find the check's), and the caller's frame.
WALKS_GC = """
import gc
found = [o for o in gc.get_objects() if type(o).__name__ == "Result"]
answer = 42
"""
WALKS_FRAMES = """
import sys


class Sneaky:
    def __eq__(self, other):
        sys._getframe(1).f_locals["problem"] = None
        return True


answer = Sneaky()
"""


# Text that UTF-8 cannot encode (a lone surrogate), in what the grader reports: a refused path and a check's message.
SURROGATE_REFUSED = """
from flask import Flask

answer = Flask(__name__)
try:
    open("/proc/1/mem\\udcff")
except Exception:
    pass
"""
SURROGATE_MESSAGE = """
class App:
    def __call__(self, environ, start_response):
        return []

    def __getattr__(self, name):
        raise ValueError("no \\udcff")


answer = App()
"""


# Issue 27, "one learner reaching others". Each attacker's name sorts before "blank" and "honest": with two workers,
# both of those start only after the first two attackers have ended, and are graded in the same run.

# A cell rewrites the course's checks on disk so that every answer passes, for its author and for later learners.
EDIT_CHECKS = '''
import pathlib
import helpers.coursework.checks as checks

path = pathlib.Path(checks.__file__)
patch = """

_real_evaluate = evaluate


def evaluate(id, answer):
    return Result(_real_evaluate(id, answer).exercise, True, "Correct!", kind="right")
"""
try:
    path.write_text(path.read_text() + patch)
    print("edited", path)
except OSError as exc:
    print("could not edit the checks:", exc)
'''

# A cell starts a process that leaves the kernel's session and environment (setsid, double fork, env={}); once the
# grader has written grades.csv it waits 3 s, then forges grades.csv and another learner's feedback.
DETACH = '''
import subprocess, sys

code = """
import os, sys, time
if os.fork():
    os._exit(0)
os.setsid()
grades, feedback = sys.argv[1], sys.argv[2]
end = time.time() + 120
while not os.path.exists(grades) and time.time() < end:
    time.sleep(0.2)
time.sleep(3)
for path in (grades, feedback):
    with open(path, "w") as f:
        f.write("forged")
"""
subprocess.Popen(
    [sys.executable, "-c", code, GRADES, FEEDBACK, TOKEN],
    env={},
    start_new_session=True,
    stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
'''

# A cell looks for other learners' notebooks: paths on every command line it can see (its parent's, the grader's),
# and the submissions folder (given here outright, the strongest case), then runs their answer cells.
STEAL = """
import glob, json, os

places = [ROOT]
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    try:
        places += open(f"/proc/{pid}/cmdline").read().split("\\0")
    except OSError:
        pass
notebooks = set()
for place in places:
    if place.endswith(".ipynb"):
        notebooks.add(place)
    elif place.startswith("/") and os.path.isdir(place):
        notebooks.update(glob.glob(os.path.join(place, "*.ipynb")) + glob.glob(os.path.join(place, "*", "*.ipynb")))
stolen = {}
for path in sorted(notebooks):
    try:
        cells = json.load(open(path))["cells"]
    except (OSError, ValueError, KeyError):
        continue
    for cell in cells:
        meta = cell.get("metadata", {}).get("course", {})
        if meta.get("role") == "answer" and meta.get("exercise") not in stolen:
            found = {}
            try:
                exec("".join(cell["source"]), found)
            except Exception:
                continue
            if found.get("answer", ...) is not ...:
                stolen[meta["exercise"]] = found["answer"]
print(f"read {len(notebooks)} notebook(s), took answers to {sorted(stolen)}")
"""


def attackers_00(root, out, token: str) -> dict[str, nbformat.NotebookNode]:
    """The learners who try to reach other learners or the grader's outputs, by learner id."""
    blank = {ex: "answer = ..." for ex in exercise_ids("00")}  # every exercise, however many notebook 00 has
    detach = (
        f"GRADES, FEEDBACK, TOKEN = {str(out / 'grades.csv')!r}, {str(out / 'feedback' / 'honest.md')!r}, {token!r}"
        + DETACH
    )
    stolen = {ex: f"answer = stolen.get({ex!r}, ...)" for ex in blank}
    return {
        "a_edits_checks": insert_after_first_code(answered(released(NB00), blank), EDIT_CHECKS),
        "a_detached": insert_after_first_code(answered(released(NB00), blank), detach),
        "a_reads_others": insert_after_first_code(answered(released(NB00), stolen), f"ROOT = {str(root)!r}" + STEAL),
        # Files left where every user may write, for a later learner's kernel to read: each sandbox has its own.
        # 00.1 is right only if both files could be written and read back there.
        "a_leaves_in_tmp": answered(released(NB00), {**blank, "00.1": LEAVE_IN_TMP.format(token=token)}),
        # Memory past the sandbox's allowance (MEMORY_MIB below): every process of the learner is stopped.
        "hog": answered(released(NB00), {**blank, "00.1": HOG}),
    }


def gallery_00() -> dict[str, nbformat.NotebookNode]:
    """Every submission of the gallery, built from notebook 00, by learner id."""
    wrong = {ex: "answer = 42" for ex in exercise_ids("00")}
    g = {"honest": answered(released(NB00)), "blank": released(NB00)}
    # A cell of the learner's own: graded in a kernel (the two above need none, only the replay).
    g["honest_scratch"] = insert_after_first_code(answered(released(NB00)), "scratch = 1 + 1")
    nb = released(NB00)
    nb.cells = [c for c in nb.cells if role_of(c)[0] != "check"]
    g["deleted_checks"] = nb
    nb = released(NB00)
    for c in cells_of(nb, "check").values():
        c.source = 'check = lambda *a, **k: print("✅ Correct")\n' + c.source
    g["check_redefined"] = nb
    g["monkeypatched"] = insert_after_first_code(answered(released(NB00), wrong), MONKEYPATCH)
    g["solutions"] = answered(
        released(NB00),
        {
            ex: 'import os\nos.environ.pop("COURSE_GRADING", None)\n'
            f'from helpers.coursework.checks import solution_answer\nanswer = solution_answer("{ex}")'
            for ex in exercise_ids("00")
        },
    )
    g["raises_early"] = insert_after_first_code(
        answered(released(NB00), {"00.1": 'answer = prefix + "ver"'}), 'raise RuntimeError("oops")\nprefix = "ser"'
    )
    g["never_returns"] = answered(released(NB00), {"00.1": "def f():\n    while True:\n        pass\n\n\nanswer = f()"})
    nb = answered(released(NB00))
    locked = next(c for c in nb.cells if role_of(c)[0] == "locked")
    locked.source = "# I was here\n" + locked.source
    g["edited_readonly"] = nb
    nb = answered(released(NB00))
    answer_cells = [c for c in nb.cells if role_of(c)[0] == "answer"]
    nb.cells = [c for c in nb.cells if role_of(c)[0] != "answer"] + answer_cells[::-1]  # moved to the end
    g["moved_answers"] = nb
    nb = answered(released(NB00), {"00.2": "answer = ..."})
    after = nb.cells.index(cells_of(nb, "check")["00.1"]) + 1
    nb.cells.insert(after, nbformat.v4.new_code_cell(FORGE))
    g["forged_verdict"] = nb
    g["fake_package"] = insert_after_first_code(answered(released(NB00), wrong), FAKE_PACKAGE)
    g["fake_finder"] = insert_after_first_code(answered(released(NB00), wrong), FAKE_FINDER)
    # The code answers (00.2, 00.3) are right, the data answers (00.1, 00.4, 00.5, 00.6) wrong: see WRAPPED_DUMPS.
    data_wrong = {ex: "answer = 42" for ex in ("00.1", "00.4", "00.5", "00.6")}
    g["wrapped_dumps"] = insert_after_first_code(answered(released(NB00), data_wrong), WRAPPED_DUMPS)
    g["dumps_code_wrong"] = insert_after_first_code(answered(released(NB00), wrong), WRAPPED_DUMPS)
    g["transformer"] = insert_after_first_code(answered(released(NB00), wrong), TRANSFORMER)
    g["import_wrapper"] = insert_after_first_code(answered(released(NB00), wrong), IMPORT_WRAPPER)
    g["patched_in_answer"] = answered(released(NB00), {**wrong, "00.2": PATCHED_IN_ANSWER})
    for learner, source in RED_TEAM_00_2.items():
        g[learner] = answered(released(NB00), {**wrong, "00.2": source})
    g["surrogates"] = answered(released(NB00), {**wrong, "00.2": SURROGATE_REFUSED, "00.3": SURROGATE_MESSAGE})
    g["walks_gc_frames"] = answered(released(NB00), {**wrong, "00.2": WALKS_GC, "00.3": WALKS_FRAMES})
    return g


# learner: (00.1, 00.2, 00.3, total of those three, a word each flag must hold, or "" for no flag)
EXPECTED_00 = {
    "honest": ("1", "1", "1", "3", ""),
    "honest_scratch": ("1", "1", "1", "3", ""),
    "blank": ("0", "0", "0", "0", ""),
    "deleted_checks": ("0", "0", "0", "0", "deleted"),
    "check_redefined": ("0", "0", "0", "0", "check cell of 00.1 was changed"),
    "monkeypatched": ("0", "0", "0", "0", ""),
    "solutions": ("0", "0", "0", "0", "solution"),
    "raises_early": ("0", "1", "1", "2", ""),
    "never_returns": ("0", "1", "1", "2", "ran past the"),
    "edited_readonly": ("1", "1", "1", "3", "read-only cell"),
    "moved_answers": ("1", "1", "1", "3", ""),
    "forged_verdict": ("1", "0", "1", "2", ""),
    "fake_package": ("0", "0", "0", "0", ""),
    "fake_finder": ("0", "0", "0", "0", ""),
    "dumps_code_wrong": ("0", "0", "0", "0", ""),
    "transformer": ("0", "0", "0", "0", ""),
    "import_wrapper": ("0", "0", "0", "0", ""),
    "patched_in_answer": ("0", "0", "0", "0", "answer cell of 00.2 reaches for the import system"),
    # The red team's cheats inside the 00.2 answer cell (tests/coursework/red_team.py): 0, and the flag that says why.
    "rt_a1_closure": ("0", "0", "0", "0", "reaches for the grader's own threads"),
    "rt_i1_mainthread": ("0", "0", "0", "0", "reaches for the grader's own threads"),
    "rt_a5_dumps_code": ("0", "0", "0", "0", "attribute names built at run time"),
    "rt_a4_dataclasses": ("0", "0", "0", "0", "attribute names built at run time"),
    "rt_a2b_thread": ("0", "0", "0", "0", "changing the check of"),
    "rt_h11_deferred": ("0", "0", "0", "0", "changing httpx.Response.json while checked"),
    "rt_a3_codeswap": ("0", "0", "0", "0", "attribute names built at run time"),
    "rt_self_removing": ("0", "0", "0", "0", "not the grader's, over HTTP"),
    "surrogates": ("0", "0", "0", "0", "grading refuses (open /proc/1/mem\\udcff)"),
    "walks_gc_frames": ("0", "0", "0", "0", "grading refuses (gc.get_objects)"),
    "a_edits_checks": ("0", "0", "0", "0", ""),
    "a_detached": ("0", "0", "0", "0", ""),
    "a_reads_others": ("0", "0", "0", "0", ""),
    "a_leaves_in_tmp": ("1", "0", "0", "1", ""),
    "hog": ("0", "0", "0", "0", f"past the {MEMORY_MIB:,} MiB allowed"),
}
ATTACKERS = ("a_edits_checks", "a_detached", "a_reads_others", "a_leaves_in_tmp", "hog")
REQUIRE_SANDBOX = "COURSE_REQUIRE_SANDBOX"  # CI sets it: there the attackers' tests must run, not skip


def flags_of(row: dict) -> str:
    """Return a grades.csv row's flags but "not isolated" (a machine that cannot build a sandbox adds it to all)."""
    return "; ".join(f for f in row["flags"].split("; ") if f and not f.startswith("not isolated: "))


GRADING_RUNS: list[str] = []  # the ids of the grading runs the fixture below started


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the gallery once (two workers); return the CSV rows by learner, the output folder, and the notes."""
    root = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("out")
    token = f"course-attack-{os.getpid()}-{time.time_ns()}"  # on the detached process's command line
    for learner, nb in {**gallery_00(), **attackers_00(root, out, token)}.items():
        (root / learner).mkdir()
        nbformat.write(nb, root / learner / NB00)
    (root / "broken").mkdir()
    (root / "broken" / NB00).write_text("{ this is not JSON", encoding="utf-8")
    other = nbformat.v4.new_notebook(metadata={"course": {"id": "intro-to-r", "notebook": "week1.ipynb"}})
    other.cells = [nbformat.v4.new_code_cell("answer = 1")]
    (root / "stranger").mkdir()
    nbformat.write(other, root / "stranger" / "week1.ipynb")
    (root / "loose.ipynb").write_text("{}", encoding="utf-8")
    # Where this machine cannot build a sandbox (not root), grade anyway: the attackers' tests then skip.
    why = sandbox.missing()
    children_before = set(psutil.Process().children(recursive=True))
    # Remember this grading run's id: another suite may be grading on the same machine at the same time
    # (CI's lanes), and its kernels are not this run's leftovers.
    real_kill = grade.kill_run_kernels
    grade.kill_run_kernels = lambda run_id: (GRADING_RUNS.append(run_id), real_kill(run_id))[1]
    try:
        grades = grade.grade_all(
            root,
            out,
            jobs=2,
            exercise_timeout=60,
            cell_timeout=CELL_TIMEOUT,
            quiet=True,
            isolation="best-effort" if why else "required",
            memory_mib=MEMORY_MIB,
        )
    finally:
        grade.kill_run_kernels = real_kill
    ended = time.monotonic()
    written = {p: p.read_bytes() for p in (out / "grades.csv", out / "feedback" / "honest.md")}
    leftovers = set()
    for p in set(psutil.Process().children(recursive=True)) - children_before:
        try:  # multiprocessing's resource tracker lives as long as this process, by design
            if "resource_tracker" not in " ".join(p.cmdline()):
                leftovers.add(p)
        except psutil.NoSuchProcess:
            pass
    with open(out / "grades.csv", encoding="utf-8") as f:
        rows = {r["learner"]: r for r in csv.DictReader(f)}
    return rows, out, grades, leftovers, Run(why, ended, written, token)


@dataclass
class Run:
    """What the gallery's grading run left to check: why it was not isolated, when it ended, what it wrote."""

    not_isolated: str | None
    ended: float
    written: dict
    token: str


@pytest.mark.parametrize("learner", EXPECTED_00)
def test_gallery_row(graded, learner):
    rows, *_, run = graded
    if learner in ATTACKERS:
        skip_unless(run.not_isolated and f"no sandbox here: {run.not_isolated}", required_by=REQUIRE_SANDBOX)
    row = rows[learner]
    # 00.4, 00.5 and 00.6 are answered like 00.3 in every submission of the gallery: the same mark, each one more in
    # the total.
    first, second, third, total = EXPECTED_00[learner][:4]
    expected = (first, second, *[third] * 4, str(int(total) + 3 * int(third)), str(len(exercise_ids("00"))))
    got = tuple(row[k] for k in ("00.1", "00.2", "00.3", "00.4", "00.5", "00.6", "total", "max"))
    assert got == expected, row
    flag = EXPECTED_00[learner][4]
    assert (flag in flags_of(row)) if flag else not flags_of(row), row["flags"]


def test_what_a_learner_leaves_in_shared_folders_stays_in_their_sandbox(graded):
    rows, *_, run = graded
    skip_unless(run.not_isolated and f"no sandbox here: {run.not_isolated}", required_by=REQUIRE_SANDBOX)
    assert rows["a_leaves_in_tmp"]["00.1"] == "1"  # the files were written and read back, in its own folders
    for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock"):
        assert not Path(f"{folder}/{run.token}-left").exists(), folder


def test_a_wrapped_json_dumps_wins_nothing_on_answers_judged_outside_the_kernel(graded):
    rows, out, *_ = graded
    row = rows["wrapped_dumps"]
    assert tuple(row[k] for k in ("00.1", "00.4", "00.5", "00.6", "00.2", "00.3")) == ("0",) * 4 + ("1", "1"), row
    feedback = (out / "feedback" / "wrapped_dumps.md").read_text(encoding="utf-8")
    assert "you gave a int" in feedback and "forged" not in feedback  # the check's own words on 42


def test_isolation_required_refuses_to_grade_where_no_sandbox_can_be_built(tmp_path, monkeypatch, capsys):
    (tmp_path / "subs" / "ada").mkdir(parents=True)
    nbformat.write(released(NB00), tmp_path / "subs" / "ada" / NB00)
    monkeypatch.setenv("PATH", str(tmp_path))  # no unshare, no setpriv
    assert grade.main([str(tmp_path / "subs"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "unshare and setpriv not found" in err and "util-linux" in err and "--isolation best-effort" in err
    assert not (tmp_path / "out" / "grades.csv").exists()
    monkeypatch.undo()
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "not root" in sandbox.missing()


def test_isolation_best_effort_grades_and_flags_every_row(tmp_path, monkeypatch):
    """No kernel needed: a notebook that is not JSON and another course's notebook get their rows, flagged."""
    (tmp_path / "subs" / "broken").mkdir(parents=True)
    (tmp_path / "subs" / "broken" / NB00).write_text("{ this is not JSON", encoding="utf-8")
    other = nbformat.v4.new_notebook(metadata={"course": {"id": "intro-to-r", "notebook": "week1.ipynb"}})
    (tmp_path / "subs" / "stranger").mkdir()
    nbformat.write(other, tmp_path / "subs" / "stranger" / "week1.ipynb")
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    grade.grade_all(tmp_path / "subs", tmp_path / "out", jobs=1, quiet=True, isolation="best-effort")
    with open(tmp_path / "out" / "grades.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2
    assert all("not isolated: unshare and setpriv not found on PATH" in r["flags"] for r in rows), rows


@pytest.fixture
def open_tmp():
    """A new folder others may enter, as /tmp is (pytest's tmp_path sits in a folder of mode 700)."""
    folder = Path(tempfile.mkdtemp())
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_a_sandbox_hides_folders_and_brings_back_only_what_the_kernel_needs(open_tmp):
    tmp_path = open_tmp
    private = tmp_path / "home"
    (private / "py" / "lib").mkdir(parents=True)
    private.chmod(0o700)  # as /root is: Python installed under it must be mounted back for the kernel
    course = tmp_path / "course"
    (course / ".venv").mkdir(parents=True)
    (course / "solutions").mkdir()
    stage = tmp_path / "stage"
    stage.mkdir()
    jail = sandbox.sandbox_for(
        sandbox.UID_BASE,
        hide=(str(course), str(course / "solutions"), str(tmp_path / "absent")),
        readonly=(str(stage),),
        need=[str(private / "py"), str(course / ".venv")],
    )
    covers = {folder: (mode, inside) for folder, mode, inside in jail.covers}
    assert covers[str(private)] == (0o711, (str(private / "py"),))
    assert covers[str(course)] == (0o711, (str(course / ".venv"),))  # hidden, but its virtualenv still reachable
    assert str(course / "solutions") not in covers and str(tmp_path / "absent") not in covers  # hidden already
    wrapped = jail.wrap(["python", "-m", "ipykernel_launcher"])
    assert wrapped[0].endswith("unshare") and {"--pid", "--kill-child", "--mount-proc", "--net"} <= set(wrapped)
    assert f"--reuid={sandbox.UID_BASE}" in wrapped and wrapped[-3:] == ["python", "-m", "ipykernel_launcher"]


def test_feedback_says_why(graded):
    _, out, *_ = graded
    text = {p.stem: p.read_text(encoding="utf-8") for p in (out / "feedback").glob("*.md")}
    assert "✅ Correct. " in text["honest"] and "❌" not in text["honest"] and "Correct. Correct" not in text["honest"]
    assert "❌ Not answered yet. The answer cell still held the `...` placeholder" in text["blank"]
    assert "Not answered yet" in text["monkeypatched"] or "string" in text["monkeypatched"]
    assert "not part of this copy" in text["solutions"] or "can't be loaded while grading" in text["solutions"]
    assert "earlier cell raised RuntimeError: oops" in text["raises_early"]
    assert f"did not finish within {CELL_TIMEOUT} s" in text["never_returns"]
    assert "not a notebook" in text["broken"] and "not a notebook of this course" in text["stranger"]


def test_unreadable_and_foreign_notebooks_get_a_row_saying_why(graded):
    rows, *_ = graded
    assert rows["broken"]["total"] == "0" and "not JSON" in rows["broken"]["flags"]
    assert rows["stranger"]["notebook"] == "week1.ipynb" and "intro-to-r" in rows["stranger"]["flags"]
    assert "loose" not in rows  # a notebook outside a learner's folder is refused, not graded


def test_no_kernel_left_behind(graded):
    *_, leftovers, _ = graded
    assert not [p for p in leftovers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert GRADING_RUNS, "the grading run's id was not seen"
    marked = []
    for p in psutil.process_iter():  # the whole machine: a kernel that detached itself is still found
        try:
            if p.environ().get(grade.RUN_ENV) in GRADING_RUNS:
                marked.append(p)
        except (psutil.Error, OSError):
            continue
    assert not marked  # no process of this grading run is still alive


def test_summary_counts_passes(graded):
    _, _, grades, *_ = graded
    text = grade.summary(grades)
    graded_00 = len(EXPECTED_00) + 1  # and wrapped_dumps, whose 00.1 is wrong and 00.2 right
    first = sum(row[0] == "1" for row in EXPECTED_00.values())
    second = sum(row[1] == "1" for row in EXPECTED_00.values()) + 1
    assert f"00.1: {first} of {graded_00} passed" in text and f"00.2: {second} of {graded_00} passed" in text


def test_bad_submissions_folder_is_refused(tmp_path, capsys):
    assert grade.main([str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_plan_restores_read_only_cells_and_skips_check_cells():
    course = released(NB00)
    sub = released(NB00)
    locked = next(c for c in sub.cells if role_of(c)[0] == "locked")
    original = locked.source
    locked.source = "import os; os.system('echo hacked')"
    steps, flags, found = grade.plan(sub, course, ["00.1", "00.2"])
    assert ("course", original, None) in steps and not any("hacked" in s for _, s, _ in steps)
    assert not any(checked in s for _, s, _ in steps for checked in ('check("00.1"', 'check("00.2"'))
    assert found == {"00.1", "00.2"} and any("read-only" in f for f in flags)


def test_an_answer_in_a_cell_added_below_the_answer_cell_counts_as_in_the_notebook():
    """The nearest cell above the check that binds `answer` is the answer, as the notebook's own check sees it."""
    course = released(NB00)
    sub = released(NB00)
    at = next(i for i, c in enumerate(sub.cells) if role_of(c) == ("answer", "00.1"))
    original = sub.cells[at].source
    sub.cells.insert(at + 1, nbformat.v4.new_code_cell('answer = "server"  # my second thought'))
    steps, flags, found = grade.plan(sub, course, exercise_ids("00"))
    answers = [(source, ex) for kind, source, ex in steps if kind == "answer"]
    assert ('answer = "server"  # my second thought', "00.1") in answers and not flags, (answers, flags)
    assert ("learner", original, None) in steps  # the first try still runs, before the one that counts
    # An added cell *above* the answer cell does not count: the answer cell binds `answer` after it.
    sub = released(NB00)
    sub.cells.insert(at, nbformat.v4.new_code_cell('answer = "server"'))
    steps, _, _ = grade.plan(sub, course, exercise_ids("00"))
    assert ("learner", 'answer = "server"', None) in steps and (original, "00.1") in [
        (s, e) for k, s, e in steps if k == "answer"
    ]


NB03 = "03_serving.ipynb"
CLAIMS_A_BIGGER_MACHINE = """
from helpers.concurrency.cpu_capacity import usable_cores
bigger = usable_cores() + 1
answer = {"workers": bigger, "threads": 1, "cores": bigger, "capacity": float(bigger)}
"""


def test_every_other_notebook_honest_and_blank(tmp_path):
    root = tmp_path / "subs"
    others = sorted(p.name for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb") if p.name != NB00)
    for name in others:
        for learner, nb in {"honest": answered(released(name)), "blank": released(name)}.items():
            (root / learner).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, root / learner / name)
    # 03.4 is judged on the machine its answer claims: one core more than the grading run measured passes the
    # check, and is flagged against the capacity cell's output.
    (root / "claims").mkdir()
    nbformat.write(answered(released(NB03), {"03.4": CLAIMS_A_BIGGER_MACHINE}), root / "claims" / NB03)
    grade.grade_all(root, tmp_path / "out", jobs=2, quiet=True, isolation="best-effort")
    with open(tmp_path / "out" / "grades.csv", encoding="utf-8") as f:
        rows = {(r["learner"], r["notebook"]): r for r in csv.DictReader(f)}
    for name in others:
        honest, blank = rows[("honest", name)], rows[("blank", name)]
        assert honest["total"] == honest["max"] != "0" and not flags_of(honest), honest
        assert blank["total"] == "0" and not flags_of(blank), blank
    claims = rows[("claims", NB03)]
    assert claims["03.4"] == "1" and "03.4 passed on the machine it claims" in claims["flags"], claims


def _cmdline(p: psutil.Process) -> str:
    """Return `p`'s command line, or "" if it has ended (a zombie has none)."""
    try:
        return " ".join(p.cmdline())
    except psutil.Error:
        return ""


@pytest.mark.parametrize(
    "added, process",
    [(True, "ipykernel"), (False, "replay.py")],  # a cell of the learner's own: a kernel; none: only the replay
)
def test_ctrl_c_leaves_no_kernel(tmp_path, added, process):
    root = tmp_path / "subs" / "stuck"
    root.mkdir(parents=True)
    nb = answered(released(NB00), {"00.1": "import time\ntime.sleep(3600)\nanswer = 1"})
    nbformat.write(insert_after_first_code(nb, "scratch = 1") if added else nb, root / NB00)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helpers.grade",
            str(tmp_path / "subs"),
            "--out",
            str(tmp_path / "out"),
            "--cell-timeout",
            "3600",
            "--isolation",
            "best-effort",  # isolated where this machine can build a sandbox; flagged where it cannot
        ],
        env=env,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        # A shell starts background jobs with SIGINT ignored, and a child inherits that: give the grader
        # the terminal's Ctrl-C whatever started this test (a flakiness run in the background once failed so).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    kernels: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while not kernels and time.monotonic() < deadline:
            time.sleep(0.5)
            kernels = [p for p in psutil.Process(proc.pid).children(recursive=True) if process in _cmdline(p)]
        assert kernels, f"no {process} started"
        time.sleep(2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130 and "interrupted" in err
        gone, alive = psutil.wait_procs(kernels, timeout=10)
        assert not alive
    finally:  # a failed run must not leave the grader and its kernels behind for the rest of the suite
        for leftover in (
            [*kernels, *psutil.Process(proc.pid).children(recursive=True)] if proc.poll() is None else kernels
        ):
            with contextlib.suppress(psutil.NoSuchProcess):
                leftover.kill()
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)


def test_the_issues_table_on_notebook_02(tmp_path):
    """Issue 15's four copies of notebook 02, which the old nbval route passed, all get 0 from the grader."""
    name = "02_concurrency.ipynb"
    deleted = released(name)
    deleted.cells = [c for c in deleted.cells if role_of(c)[0] != "check"]
    noop = insert_after_first_code(released(name), 'check = lambda *a: print("✅")')
    copied = answered(
        released(name),
        {
            ex: f'from helpers.coursework.checks import solution_answer\nanswer = solution_answer("{ex}")'
            for ex in exercise_ids("02")
        },
    )
    root = tmp_path / "subs"
    for learner, nb in {"blank": released(name), "deleted": deleted, "noop": noop, "copied": copied}.items():
        (root / learner).mkdir(parents=True)
        nbformat.write(nb, root / learner / name)
    grade.grade_all(root, tmp_path / "out", jobs=2, quiet=True, isolation="best-effort")
    with open(tmp_path / "out" / "grades.csv", encoding="utf-8") as f:
        rows = {r["learner"]: r for r in csv.DictReader(f)}
    assert {k: r["total"] for k, r in rows.items()} == {"blank": "0", "deleted": "0", "noop": "0", "copied": "0"}
    assert "deleted" in rows["deleted"]["flags"] and "solution" in rows["copied"]["flags"]


def test_read_only_cells_without_their_ids_are_matched_by_source():
    course = released(NB00)
    sub = released(NB00)
    for i, cell in enumerate(sub.cells):
        cell["id"] = f"renamed-{i}"  # as an editor that drops ids would leave them
    steps, flags, found = grade.plan(sub, course, exercise_ids("00"))
    assert found == set(exercise_ids("00")) and not flags, flags
    assert not any(kind == "learner" for kind, _, _ in steps)


@pytest.mark.parametrize(
    "first_flag, tries",
    [
        ("Kernel died before replying to kernel_info", 2),  # the machine's fault: one more try
        ("the notebook's kernel died while running an answer", 1),  # the learner's code ran: no second chance
    ],
)
def test_a_kernel_that_dies_before_answering_is_retried_once(monkeypatch, tmp_path, first_flag, tries):
    calls: list[int] = []

    def once(sub, *args, **kwargs):
        calls.append(1)
        flags = [first_flag] if len(calls) == 1 else []
        return grade.NotebookGrade(sub.learner, sub.notebook, str(sub.path), flags=flags)

    monkeypatch.setattr(grade, "_grade_once", once)
    sub = grade.Submission("ada", tmp_path / "00_start_here.ipynb", "00_start_here.ipynb")
    result = grade.grade_one(sub, tmp_path, tmp_path, "run", 60.0, 120.0)
    assert len(calls) == tries
    assert result.flags == ([] if tries == 2 else [first_flag])


@pytest.mark.parametrize(
    "saved_as",
    [
        "Copy of 02_concurrency.ipynb",
        "02_concurrency (1).ipynb",
        "02_concurrency-Copy1.ipynb",
        "02_concurrency copy.ipynb",
    ],
)
def test_a_copy_saved_by_colab_a_browser_or_jupyter_is_identified_by_its_name(saved_as, tmp_path):
    names = grade.course_notebooks(ROOT)
    nb = released("02_concurrency.ipynb")
    nb.metadata.pop("course", None)  # a copy from before the build wrote metadata: only its name tells
    path = tmp_path / saved_as
    nbformat.write(nb, path)
    assert grade.identify(path, names) == ("02_concurrency.ipynb", None)
    assert grade.original_name("notes (1).ipynb") == "notes.ipynb"
    other = tmp_path / "Copy of week1.ipynb"
    nbformat.write(nb, other)
    assert grade.identify(other, names)[0] is None


def test_distinct_learners_get_distinct_feedback_files():
    names = ["zoé", "zoë", "zo_", "ana", "../etc", "a b", "a_b"]
    files = [grade._safe(n) for n in names]
    assert len(set(files)) == len(names), files
    assert grade._safe("ana") == "ana" and all("/" not in f and not f.startswith(".") for f in files)


def test_two_copies_of_one_notebook_are_flagged_and_one_copy_is_not(tmp_path):
    subs = [
        grade.Submission("ana", tmp_path / "ana/02_concurrency.ipynb", "02_concurrency.ipynb"),
        grade.Submission("ana", tmp_path / "ana/Copy of 02_concurrency.ipynb", "02_concurrency.ipynb"),
        grade.Submission("ana", tmp_path / "ana/00_start_here.ipynb", "00_start_here.ipynb"),
        grade.Submission("bo", tmp_path / "bo/02_concurrency.ipynb", "02_concurrency.ipynb"),
    ]
    flags = grade.duplicate_flags(subs)
    assert set(flags) == {subs[0].path, subs[1].path} and "2 copies of 02_concurrency.ipynb" in flags[subs[0].path]


def test_feedback_says_the_verdict_once_gives_the_hint_after_a_wrong_answer_and_no_notebook_instructions():
    wrong = grade.feedback_line(grade.ExerciseGrade("02.1", False, "0.1 s is the I/O alone.", "wrong"))
    blank = grade.feedback_line(grade.ExerciseGrade("02.1", False, "Replace the `...`, run that cell", "blank"))
    right = grade.feedback_line(grade.ExerciseGrade("02.1", True, "The loop overlaps the waits.", "right"))
    assert wrong.count("Not yet") == 1 and f"Hint: {EXERCISES['02.1'].hint}" in wrong
    assert "run that cell" not in blank and "Hint" not in blank and "placeholder" in blank
    assert right.startswith("✅ Correct.") and "Hint" not in right


def test_the_verdict_file_is_read_without_following_a_link_or_waiting_on_a_pipe(tmp_path):
    """The export's file sits in the learner's own folder: a link or a pipe put in its place yields no answer."""
    real = tmp_path / "real.jsonl"
    real.write_text('{"id": "00.1", "nonce": "n", "repr": "42"}\n', encoding="utf-8")
    assert grade._row(real, "00.1", "n")["repr"] == "42"
    (tmp_path / "link.jsonl").symlink_to(real)
    os.mkfifo(tmp_path / "pipe.jsonl")
    assert grade._row(tmp_path / "link.jsonl", "00.1", "n") is None
    assert grade._row(tmp_path / "pipe.jsonl", "00.1", "n") is None  # returns at once, no writer needed


def test_a_detached_process_changes_nothing_after_the_grader_ends(graded):
    """Issue 27: the process a learner detached (setsid, double fork, env={}) ended with that learner's grading."""
    *_, run = graded
    skip_unless(run.not_isolated and f"no sandbox here: {run.not_isolated}", required_by=REQUIRE_SANDBOX)
    alive = []
    for p in psutil.process_iter(["cmdline"]):  # the whole machine: it left the kernel's session and environment
        with contextlib.suppress(psutil.Error):
            if run.token in (p.info["cmdline"] or []):
                alive.append(p)
    assert not alive
    # It would strike 3 s after grades.csv was written: this test is the module's last, so the tests before it
    # (in file order) have used up most of that wait.
    time.sleep(max(0.0, run.ended + 3.5 - time.monotonic()))
    assert {p: p.read_bytes() for p in run.written} == run.written


def test_the_grading_client_keeps_only_short_errors_of_what_a_cell_outputs():
    """Issue 27: a cell that displays a gigabyte must not fill the grader's memory (the sandbox does not cover it)."""
    kept: list[dict] = []

    class Client:
        def output(self, outs, msg, display_id, cell_index):
            kept.append(msg)
            return msg

    client = Client()
    grade.keep_errors_only(client)
    for kind in ("stream", "display_data", "execute_result"):
        assert client.output([], {"msg_type": kind, "content": {"text": "x" * 10_000_000}}, None, 0) is None
    error = {"msg_type": "error", "content": {"ename": "ValueError", "evalue": "y" * 10_000, "traceback": ["z"] * 99}}
    client.output([], error, None, 0)
    assert len(kept) == 1 and kept[0]["content"]["ename"] == "ValueError"
    assert len(kept[0]["content"]["evalue"]) == 1000 and kept[0]["content"]["traceback"] == []


def test_only_an_exercise_with_a_witness_is_compared_and_a_broken_answer_is_said():
    from helpers.concurrency.cpu_capacity import usable_cores

    more = usable_cores() + 1
    row = {"repr": repr({"workers": more, "threads": 1, "cores": more, "capacity": float(more)})}
    assert "03.4 passed on the machine it claims" in grade._witness_flag("03.4", row)
    assert grade._witness_flag("03.2", row) is None  # no witness: nothing compared
    assert grade._witness_flag("03.4", None) is None
    assert "could not be compared" in grade._witness_flag("03.4", {"repr": "{}"})
