"""Grade learners' notebooks with the course's own checks, in fresh kernels, in parallel.

    python -m helpers.coursework.grade SUBMISSIONS_DIR --out OUT_DIR     # (alias: python -m helpers.grade)

SUBMISSIONS_DIR holds one folder per learner, named by the learner's id, with that learner's notebooks in it
(at any depth, so nbgrader's `submitted/<learner>/<assignment>/` layout works too). Notebooks directly in
SUBMISSIONS_DIR, and notebooks that are not this course's, are refused with a message and a row saying why.

Grading one notebook goes in steps, as nbgrader's preprocessors do:
1. plan: read-only cells restored from the course (a changed one is flagged), the learner's answer cells and
   added cells as submitted, the course's check cells skipped (`plan`); read-only cells that no answer reads
   from (measurements, plots) dropped unless --full is given (`prune`);
2. run: the plan, in its own kernel with COURSE_GRADING=1 and a copy of `helpers` that has no solutions, each
   cell under a time limit; an answer that is plain data is exported from the kernel as its repr (a notebook
   with no cell of the learner's own needs no kernel: its replay, below, exports those answers too);
3. verdict, outside that kernel: plain data judged by the grader's own process (helpers.coursework.judge); code
   answers run again, once the kernel has ended, in a fresh process with only the course's cells and the answer
   cells (helpers.coursework.replay), and a code answer that is a web app is checked once more by the grader's
   own process, over HTTP, where the replay serves it (helpers.coursework.served); answer cells that reach for
   interpreter internals flagged (helpers.coursework.internals);
4. report: grades.csv and one feedback file per learner (`write_outputs`).
Each kernel and each replay runs isolated (helpers.coursework.sandbox): a uid of its own, its own PID namespace,
the course read-only, no view of the submissions, the output folder or other learners, and limits on memory,
tasks and file size. Where that cannot be built, --isolation required (the default) refuses to grade;
--isolation best-effort grades and flags every row.
Writes OUT_DIR/grades.csv, OUT_DIR/feedback/<learner>.md, and prints a summary.
"""

from __future__ import annotations

import argparse
import atexit
import compileall
import concurrent.futures as futures
import contextlib
import csv
import dataclasses
import hashlib
import json
import multiprocessing
import os
import re
import secrets
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.coursework import export, internals, sandbox
from helpers.coursework.cells import COURSE_ID, find_roles, role_of, with_coursework_metadata
from helpers.coursework.checks import GRADING_ENV, VERDICT_WORDS
from helpers.coursework.exercises import exercise_ids, get_exercise
from helpers.coursework.judge import MAX_REPR, Judge
from helpers.coursework.served import Remote
from helpers.runner.course import notebook_names

COURSE_ROOT = Path(__file__).resolve().parents[2]
RUN_ENV = "COURSE_GRADER_RUN"  # marks every kernel of one run, so none can be left behind
_SOLUTION_CALL = re.compile(r"\b(solution_answer|solution_code|show_solution)\s*\(")

CLEAR = 'globals().pop("answer", None)'


class IsolationUnavailable(RuntimeError):
    """No sandbox can be built on this machine, and the instructor asked for one."""


@dataclass
class Submission:
    """One notebook file of one learner, and the course notebook it is (None if it is not one)."""

    learner: str
    path: Path
    notebook: str | None
    problem: str | None = None


@dataclass
class ExerciseGrade:
    """One exercise's verdict and why."""

    id: str
    passed: bool
    message: str
    kind: str = ""  # the check's kind of verdict ("right", "wrong", "blank"); "" when the grader itself decided


@dataclass
class NotebookGrade:
    """What grading one submission found."""

    learner: str
    notebook: str
    file: str
    exercises: list[ExerciseGrade] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0
    steps: list[tuple[str, float]] = field(default_factory=list)  # (what ran, seconds): where the time went

    @property
    def total(self) -> int:
        return sum(e.passed for e in self.exercises)


# ---------------------------------------------------------------- finding submissions


def course_notebooks(course: Path) -> dict[str, Path]:
    """Return the course's notebooks by file name ("02_concurrency.ipynb")."""
    return {name: course / "notebooks" / name for name in notebook_names() if (course / "notebooks" / name).exists()}


def identify(path: Path, names: dict[str, Path]) -> tuple[str | None, str | None]:
    """Return (course notebook name, problem) for a submitted file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"not a notebook: the file is not JSON ({exc})"
    if not isinstance(data, dict) or "cells" not in data:
        return None, "not a notebook: JSON without cells"
    meta = data.get("metadata", {}).get("course") if isinstance(data.get("metadata"), dict) else None
    if isinstance(meta, dict) and meta.get("id") not in (None, COURSE_ID):
        return None, f"not a notebook of this course (it says it belongs to {meta.get('id')!r})"
    if isinstance(meta, dict) and meta.get("notebook") in names:
        return meta["notebook"], None
    if path.name in names:
        return path.name, None
    original = original_name(path.name)
    if original in names:
        return original, None
    return None, (f"not a notebook of this course: neither its name nor its metadata is one of {', '.join(names)}")


# How tools name a copy: Colab and Drive ("Copy of X"), browsers' downloads ("X (1)"), Jupyter ("X-Copy1").
_COPY_NAME = re.compile(r"^(?:Copy of )?(?P<stem>.+?)(?: \(\d+\)|-Copy\d+| copy(?: \d+)?)?\.ipynb$", re.I)


def original_name(filename: str) -> str:
    """Return the notebook name a copy was saved from: "Copy of 02_x (1).ipynb" -> "02_x.ipynb"."""
    match = _COPY_NAME.match(filename)
    return f"{match.group('stem')}.ipynb" if match else filename


def duplicate_flags(subs: list[Submission]) -> dict[Path, str]:
    """Return a flag for every file that is one of several copies of the same notebook by one learner."""
    by_notebook: dict[tuple[str, str], list[Path]] = {}
    for s in subs:
        if s.notebook:
            by_notebook.setdefault((s.learner, s.notebook), []).append(s.path)
    flags = {}
    for (_, notebook), paths in by_notebook.items():
        if len(paths) > 1:
            names = ", ".join(sorted(p.name for p in paths))
            for path in paths:
                flags[path] = f"{len(paths)} copies of {notebook} ({names}): each graded; keep the one you mean"
    return flags


def find_submissions(root: Path, course: Path = COURSE_ROOT) -> tuple[list[Submission], list[str]]:
    """Return every submitted notebook under `root` (one folder per learner), and messages about what was refused."""
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a folder: give the folder that holds one folder per learner")
    names = course_notebooks(course)
    found, refused = [], []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file():
            refused.append(f"{entry}: not in a learner's folder; put each learner's notebooks in {root}/<learner id>/")
            continue
        for path in sorted(entry.rglob("*.ipynb")):
            if any(part.startswith(".") for part in path.relative_to(entry).parts):
                continue  # .ipynb_checkpoints and other hidden copies
            notebook, problem = identify(path, names)
            found.append(Submission(entry.name, path, notebook, problem))
    return found, refused


# ---------------------------------------------------------------- grading one notebook (in a worker process)

_LIVE_KERNELS: dict[int, int] = {}  # pid -> process group of each kernel (and replay) this worker runs


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _worker_init() -> None:
    """Leave Ctrl-C to the parent; on SIGTERM, kill this worker's kernels (and what they started) first."""
    from multiprocessing.util import Finalize

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    Finalize(None, close_judges, exitpriority=10)  # a pool's worker ends without running atexit's handlers

    def stop(signum, frame):
        for pgid in list(_LIVE_KERNELS.values()):
            _kill_group(pgid)
        close_judges()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


# One judge per grading process, kept from one notebook to the next: a judge only ever reads answers that are
# plain data (literals, never code) or calls a served app over HTTP, so nothing one learner sends stays in it to
# judge the next; starting one per notebook cost about half a second each. Renewed now and then, so a check
# that leaks memory leaks it for a while only.
_JUDGES: dict[tuple[str, str], Judge] = {}
JUDGE_USES = 100  # verdicts before a judge is renewed


def judge_for(helpers_root: Path, truths: Path | None) -> Judge:
    """Return this process's judge for `helpers_root` and the run's `truths`, started on first use."""
    key = (str(helpers_root), str(truths))
    judge = _JUDGES.get(key)
    if judge is None or judge.uses >= JUDGE_USES:
        if judge is not None:
            judge.close()
        elif not _JUDGES:
            atexit.register(close_judges)
        judge = _JUDGES[key] = Judge(helpers_root, truths)
    return judge


def close_judges() -> None:
    """Stop every judge this process started."""
    for judge in _JUDGES.values():
        judge.close()
    _JUDGES.clear()


def keep_errors_only(client: object) -> None:
    """Make `client` keep only the error outputs of the cells it runs: the grader reads nothing else.

    A learner's cell may print or display a gigabyte; kept, it would fill the grader's own memory, which the
    sandbox's limit does not cover. An error's name and message are cut to what a flag shows.
    """
    output = client.output

    def errors_only(outs, msg, display_id, cell_index):
        if msg.get("msg_type") != "error":
            return None
        content = msg.get("content", {})
        short = {"ename": str(content.get("ename", ""))[:200], "evalue": str(content.get("evalue", ""))[:1000]}
        return output(outs, {**msg, "content": {**short, "traceback": []}}, display_id, cell_index)

    client.output = errors_only


def _error_of(cell: nbformat.NotebookNode) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename')}: {out.get('evalue')}"
    return None


def _row(path: Path, exercise: str, nonce: str) -> dict | None:
    """Return the row the probe with `nonce` wrote for `exercise`, ignoring any line a learner forged."""
    try:  # the file is in the learner's folder: never follow a link they made, never block on a pipe
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        text = f.read(1 << 20).decode("utf-8", "replace") if stat.S_ISREG(os.fstat(fd).st_mode) else ""
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and row.get("nonce") == nonce and row.get("id") == exercise:
            return row
    return None


def _judged(path: Path, exercise: str, nonce: str, judge: Judge, timeout: float) -> ExerciseGrade | None:
    """Return the judge's verdict on the answer the export with `nonce` wrote for `exercise`, or None."""
    row = _row(path, exercise, nonce)
    if row is None:
        return None
    if row.get("unbound"):
        return ExerciseGrade(exercise, False, "the answer cell did not bind `answer`.", "wrong")
    if "repr" not in row:
        return ExerciseGrade(exercise, False, f"the answer could not be read: {row.get('error', 'no repr')}.", "wrong")
    v = judge.verdict(exercise, row["repr"], timeout)
    return ExerciseGrade(exercise, v.passed, v.message, v.kind)


def _witness_flag(exercise: str, row: dict | None) -> str | None:
    """Return the flag of a passing answer whose claimed measurements disagree with this machine's."""
    from helpers.coursework.judge import decode

    witness = get_exercise(exercise).witness
    if witness is None or row is None or "repr" not in row:
        return None
    try:  # the answer passed its check, so it decodes and has the shape the witness reads
        return witness(decode(row["repr"]))
    except Exception as exc:  # noqa: BLE001 - a witness that cannot read the answer says so in the row
        return f"{exercise}: its claimed measurements could not be compared with this machine's ({exc})"


def _first_diff(a: str, b: str) -> str:
    for x, y in zip(a.splitlines() + [""] * 999, b.splitlines()):
        if x != y:
            return y.strip()[:60]
    return ""


def plan(
    sub: nbformat.NotebookNode, course_nb: nbformat.NotebookNode, ids: list[str]
) -> tuple[list[tuple[str, str, str | None]], list[str], set[str]]:
    """Return the cells to run as (kind, source, exercise), the flags, and the exercises whose answer was found.

    kind is "course" (a read-only cell, restored from the course), "learner" or "answer".
    """
    course_roles = find_roles(course_nb)
    course_cells = {
        c.get("id"): (course_roles[i], c.source) for i, c in enumerate(course_nb.cells) if c.cell_type == "code"
    }
    answer_at: dict[int, str] = {}
    # 1. by its place: the nearest cell above `check("NN.k", answer)` that binds `answer`, added by the learner
    # or not. That is the value the notebook's own check judged when run top to bottom, so the two agree.
    for i, (role, ex) in find_roles(sub).items():
        if role == "answer" and ex in ids:
            answer_at[i] = ex
    for i, c in enumerate(sub.cells):  # 2. by cell id: the course's answer cell, wherever it was moved
        if c.cell_type == "code" and c.get("id") in course_cells and i not in answer_at:
            (role, ex), _ = course_cells[c.get("id")]
            if role == "answer" and ex in ids and ex not in answer_at.values():
                answer_at[i] = ex
    for i, c in enumerate(sub.cells):  # 3. by the metadata the build wrote (a cell copied into a new cell)
        role, ex = role_of(c)
        if c.cell_type == "code" and role == "answer" and ex in ids and ex not in answer_at.values():
            if i not in answer_at:
                answer_at[i] = ex
    flags: list[str] = []
    seen: set[str] = set()
    steps: list[tuple[str, str, str | None]] = []
    # Editors that drop cell ids (or an old nbformat) leave read-only cells matchable only by their source.
    by_source = {src.strip(): cid for cid, ((role, _), src) in course_cells.items() if role in ("locked", "check")}
    sub_ids = {c.get("id") for c in sub.cells}
    for i, c in enumerate(sub.cells):
        if c.cell_type != "code":
            continue
        cid = c.get("id")
        if i not in answer_at and cid not in course_cells and c.source.strip() in by_source:
            if by_source[c.source.strip()] not in sub_ids | seen:
                cid = by_source[c.source.strip()]
        if i in answer_at:
            seen.add(cid)
            steps.append(("answer", c.source, answer_at[i]))
            if _SOLUTION_CALL.search(c.source):
                flags.append(f"answer cell of {answer_at[i]} calls a solution function")
        elif cid in course_cells and course_cells[cid][0][0] in ("locked", "check"):
            seen.add(cid)
            (role, ex), original = course_cells[cid]
            if c.source.strip() != original.strip():
                what = f"check cell of {ex}" if role == "check" else f"read-only cell {cid}"
                flags.append(f"{what} was changed (first changed line: {_first_diff(original, c.source)!r})")
            if role == "locked":
                steps.append(("course", original, None))  # restored: an edit neither helps nor hurts
        else:
            steps.append(("learner", c.source, None))
            if _SOLUTION_CALL.search(c.source):
                flags.append("an added cell calls a solution function")
    missing = [cid for cid, ((role, ex), _) in course_cells.items() if role in ("locked", "check") and cid not in seen]
    if missing:
        flags.append(f"{len(missing)} read-only cell(s) deleted")
    if not course_cells.keys() & (sub_ids | seen):
        flags.append("no cell matches the course's copy (not this course's notebook, or rebuilt by hand)")
    return steps, flags, set(answer_at.values())


# A read-only cell with one of these words may set the kernel up (Django settings, environment, paths): always run.
_SET_UP = re.compile(r"setup_|configure\(|os\.environ|sys\.path|^\s*[%!]", re.MULTILINE)


def names_of(source: str) -> tuple[set[str], set[str], set[str]] | None:
    """Return (names a cell defines, names it changes in place, names it reads from earlier cells), or None.

    None means the cell is not plain Python (a magic, a syntax error): the caller must run it.
    """
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    defines, reads = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (defines if isinstance(node.ctx, (ast.Store, ast.Del)) else reads).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defines.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defines.update((a.asname or a.name).split(".")[0] for a in node.names)
    changes = set()
    for node in tree.body:  # `app.x = 1`, `shelf.append(b)`, `d[k] = v` at top level change what they touch
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            targets = [node.value.func.value] if isinstance(node.value.func, ast.Attribute) else []
        for t in targets:
            changed = isinstance(t, (ast.Attribute, ast.Subscript))
            while isinstance(t, (ast.Attribute, ast.Subscript)):
                t = t.value
            if changed and isinstance(t, ast.Name):
                changes.add(t.id)
    # A name the cell defines itself is not read from earlier cells (`x = x + 1` is the rare exception).
    return defines, changes, (reads | changes) - defines


def prune(steps: list[tuple[str, str, str | None]]) -> tuple[list[tuple[str, str, str | None]], int]:
    """Keep the learner's cells and the read-only cells they need (by the names they read); return how many skipped.

    Measurements and plots no answer reads are skipped: that is where a notebook spends its time.
    """
    needed: set[str] = set()
    keep = [False] * len(steps)
    for i in range(len(steps) - 1, -1, -1):
        kind, source, _ = steps[i]
        names = names_of(source)
        if kind != "course" or names is None or _SET_UP.search(source) or (names[0] | names[1]) & needed:
            keep[i] = True
            if names:
                needed |= names[2]
            if kind == "answer":
                needed.add("answer")
    return [s for s, k in zip(steps, keep) if k], keep.count(False)


def replay_cells(steps: list[tuple[str, str, str | None]], exercises: set[str]) -> list[list]:
    """Return the cells a replay runs for `exercises`: their answer cells and the read-only cells they need.

    No cell the learner added and no other answer runs there: only what the course wrote and the answer itself.
    """
    chosen = [s for s in steps if s[0] == "course" or (s[0] == "answer" and s[2] in exercises)]
    last = max((i for i, s in enumerate(chosen) if s[0] == "answer"), default=-1)
    kept, _ = prune(chosen[: last + 1])
    return [[kind, source, exercise] for kind, source, exercise in kept]


SOCKET_DIR_MAX = 90  # bytes: a served answer's socket is this folder, a slash and a short name (at most 107 in all)


@dataclass
class Replay:
    """A replay of code answers under way: its process, the nonce its verdict must carry, its folder, its deadline."""

    proc: subprocess.Popen
    nonce: str
    folder: Path
    ends: float  # time.monotonic() by which its verdict must have come
    remotes: dict[str, Remote] = dataclasses.field(default_factory=dict)  # web apps it serves to the judge


def start_replay(
    cells: list[list],
    parent: Path | None,
    env: dict[str, str],
    helpers_root: Path,
    jail: sandbox.Sandbox | None,
    deadline: float,
    cell_timeout: float = 120.0,
    exercise_timeout: float = 60.0,
    served: dict[str, str] | None = None,
) -> Replay:
    """Start judging code answers in a fresh process (helpers/coursework/replay.py), beside the learner's kernel.

    It runs as a uid of its own (the kernel's + sandbox.REPLAY_UID_OFFSET), in a folder made in `parent` and
    closed to the kernel's uid: nothing the learner's other cells do, even at the same time, reaches it.
    `served` (exercise -> "wsgi" or "asgi"): the web apps it serves, once they pass there, for `finish_replay`'s judge.
    """
    folder = Path(tempfile.mkdtemp(prefix="replay-", dir=parent))  # a home, a temp and a work folder of its own
    for sub in ("home", "tmp", "work", "s"):
        (folder / sub).mkdir()
    uid = jail.uid + sandbox.REPLAY_UID_OFFSET if jail else os.getuid()
    # A Unix socket's path holds at most 107 bytes. The grader's own folders are short; a caller's may not be
    # (pytest's), and without a sandbox the system's temp folder does as well.
    sockets = folder / "s"
    if served and len(str(sockets)) > SOCKET_DIR_MAX:
        if jail:
            raise ValueError(f"the grading folder {parent} is too long a path for the sockets of served answers")
        sockets = Path(tempfile.mkdtemp(prefix="course-s-"))
        (folder / "s").rmdir()
        (folder / "s").symlink_to(sockets)  # removed with the folder; the folder it names, by finish_replay
    remotes = {ex: Remote(kind, str(sockets / str(i)), uid) for i, (ex, kind) in enumerate((served or {}).items())}
    env = {**env, "HOME": str(folder / "home"), "TMPDIR": str(folder / "tmp"), "IPYTHONDIR": str(folder / "home")}
    env["JUPYTER_RUNTIME_DIR"] = str(folder / "tmp")
    argv = [sys.executable, "-I", str(helpers_root / "helpers" / "coursework" / "replay.py")]
    if jail:
        jail = dataclasses.replace(jail, uid=jail.uid + sandbox.REPLAY_UID_OFFSET, stdio=True, report=str(folder))
        jail.chown(folder)
        folder.chmod(0o700)
        argv = jail.wrap(argv)
    nonce = secrets.token_hex(16)
    request = {
        "root": str(helpers_root),
        "cells": cells,
        "nonce": nonce,
        "deadline": deadline,
        "cell_timeout": cell_timeout,
        "exercise_timeout": exercise_timeout,
        "serve": {ex: {"kind": r.kind, "socket": r.socket} for ex, r in remotes.items()},
        "hold": (exercise_timeout + 10) * len(remotes),  # the judge's calls, each within its time limit
    }
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=folder / "work",
        env=env,
        start_new_session=True,  # its own group: killed whole, whatever it started
    )
    _LIVE_KERNELS[proc.pid] = proc.pid
    try:
        proc.stdin.write(json.dumps(request).encode() + b"\n")
        proc.stdin.flush()
        if not remotes:
            proc.stdin.close()  # nothing to serve: the replay ends with its verdict
    except OSError:
        pass
    return Replay(proc, nonce, folder, time.monotonic() + deadline + 30, remotes)  # + the process's own start


def finish_replay(run: Replay, judge: Judge | None = None, timeout: float = 60.0) -> tuple[dict[str, dict], str | None]:
    """Wait for the replay's verdict (until its deadline), judge what it serves, stop it; return its rows and a flag.

    A web app the replay passed keeps its mark only if `judge` passes it too, calling it over HTTP from the
    grader's own process (each call within `timeout` seconds): the replay's word alone is the learner's process's.
    """
    served_flags: list[str] = []
    try:
        text = _read_all(run.proc, max(0.0, run.ends - time.monotonic()), lines=2)
        rows, problem = parse_replay(text, run.nonce)
        for exercise, remote in run.remotes.items():
            row = rows.get(exercise)
            if not (row and row["passed"]):
                continue
            if judge is None:
                row.update(passed=False, message="not graded: no judge called the served app.", kind="")
                continue
            verdict = judge.served(exercise, remote, timeout)
            if not verdict.passed:
                row.update(passed=False, message=verdict.message, kind=verdict.kind)
                served_flags.append(
                    f"{exercise} passed its own process's check but not the grader's, over HTTP: read it"
                )
    finally:
        with contextlib.suppress(OSError):
            run.proc.stdin.close()
        _kill_group(run.proc.pid)
        run.proc.wait(10)
        run.proc.stdout.close()
        _LIVE_KERNELS.pop(run.proc.pid, None)
        limits = run.folder / sandbox.LIMIT_FILE
        said = limits.read_text(encoding="utf-8", errors="replace").splitlines()[:1] if limits.is_file() else []
        if (run.folder / "s").is_symlink():  # a short folder of the temp dir, for a long parent's sockets
            shutil.rmtree((run.folder / "s").readlink(), ignore_errors=True)
        shutil.rmtree(run.folder, ignore_errors=True)
    problems = [p for p in (problem, *served_flags) if p]
    if said:
        problems.append(f"stopped by the sandbox's limit: {said[0][:200]}")
    return rows, "; ".join(problems) or None


def parse_replay(text: str, nonce: str) -> tuple[dict[str, dict], str | None]:
    """Read the replay's two lines: its main thread's (nonce, finished, refused) and the worker's rows."""
    lines = text.split("\n")
    head = lines[0].split(" ") if lines else []
    if len(head) != 4 or head[0] != "V" or head[1] != nonce:
        return (
            {},
            "the fresh process that judges code answers gave no verdict (it ran past its time limit or was tampered with)",
        )
    finished = head[2] == "1"
    try:
        refused = (
            [r for r in bytes.fromhex(head[3]).decode("utf-8", "replace").split("\n") if r] if head[3] != "-" else []
        )
    except ValueError:
        refused = ["(unreadable)"]
    try:
        raw = json.loads(lines[1]) if len(lines) > 1 else {}
    except ValueError:
        raw = {}
    raw = raw if isinstance(raw, dict) else {}
    notes = (
        [_clean(n) for n in raw.get("(notes)", []) if isinstance(n, str)]
        if isinstance(raw.get("(notes)"), list)
        else []
    )
    problems = []
    if refused or notes:
        problems.append(
            f"code answers tried what grading refuses ({', '.join(map(_clean, refused + notes))}): read them"
        )
    if not finished:
        problems.append(
            "a code answer or its check ran past its time limit and would not stop; the answers after it were not graded"
        )
    rows = {
        _clean(k): {
            "passed": v.get("passed") is True,
            "message": _clean(v.get("message", "")),
            "kind": _clean(v.get("kind", "")),
        }
        for k, v in raw.items()
        if isinstance(v, dict)
    }
    for k, v in raw.items():  # a plain-data answer's repr, for the judge (which refuses one past its length)
        if isinstance(v, dict) and isinstance(v.get("repr"), str) and _clean(k) in rows:
            rows[_clean(k)]["repr"] = v["repr"][: MAX_REPR + 1]
    return rows, "; ".join(problems) or None


def _clean(text: object) -> str:
    """Return `text` as a string UTF-8 can write (a lone surrogate escaped), at most 4,000 characters."""
    return str(text)[:4000].encode("utf-8", "backslashreplace").decode("utf-8")


def _read_all(proc: subprocess.Popen, timeout: float, lines: int = 0) -> str:
    """Return what `proc` writes on stdout until it closes it, `timeout` seconds pass, or `lines` lines came."""
    fd, data, end = proc.stdout.fileno(), b"", time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while len(data) < 1 << 24 and not (lines and data.count(b"\n") >= lines):
            left = end - time.monotonic()
            if left <= 0 or not sel.select(left):
                break
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            data += chunk
    return data.decode("utf-8", "replace")


def grade_one(
    sub: Submission,
    course: Path,
    helpers_root: Path,
    run_id: str,
    exercise_timeout: float,
    cell_timeout: float,
    full: bool = False,
    jail: sandbox.Sandbox | None = None,
    boxes: Path | None = None,
    truths: Path | None = None,
) -> NotebookGrade:
    """Grade one submission in a fresh kernel (in `jail`, if given); never raises for what the learner did."""
    grade = _grade_once(sub, course, helpers_root, run_id, exercise_timeout, cell_timeout, full, jail, boxes, truths)
    # A kernel that dies before it ever answers is the machine's fault (seen once on a loaded CI
    # machine), not the learner's: no learner code ran yet, so one more try is fair.
    if any("before replying to kernel_info" in f for f in grade.flags):
        grade = _grade_once(
            sub, course, helpers_root, run_id, exercise_timeout, cell_timeout, full, jail, boxes, truths
        )
    return grade


def _grade_once(
    sub: Submission,
    course: Path,
    helpers_root: Path,
    run_id: str,
    exercise_timeout: float,
    cell_timeout: float,
    full: bool = False,
    jail: sandbox.Sandbox | None = None,
    boxes: Path | None = None,
    truths: Path | None = None,
) -> NotebookGrade:
    """Grade one submission in one fresh kernel, its folder made in `boxes` (the system's temp folder if None).

    `truths`: the folder where this run's judges share the truths they measure (helpers.coursework.truths).
    """
    from nbclient.exceptions import DeadKernelError

    from helpers.runner.kernel import kernel_pid, notebook_client

    t0 = time.monotonic()
    notebook = sub.notebook or sub.path.name
    grade = NotebookGrade(sub.learner, notebook, str(sub.path))
    if sub.notebook is None:
        grade.flags.append(sub.problem or "not graded")
        return grade
    ids = exercise_ids(sub.notebook[:2])
    try:
        nb = nbformat.read(sub.path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a broken file
        grade.flags.append(f"not a notebook: {type(exc).__name__}: {exc}")
        grade.exercises = [ExerciseGrade(i, False, "not graded: the notebook could not be read") for i in ids]
        return grade
    course_nb = with_coursework_metadata(nbformat.read(course / "notebooks" / sub.notebook, as_version=4), sub.notebook)
    steps, grade.flags, found = plan(nb, course_nb, ids)
    for kind, source, exercise in steps:
        if kind == "answer" and (kinds := internals.reached(source)):
            grade.flags.append(f"answer cell of {exercise} reaches for {', '.join(kinds)}: read it before its mark")
    # Code answers never run in the learner's kernel: they are judged in a fresh process (see `replay`), with only
    # the course's cells around them. The kernel runs the rest: the learner's cells and the plain-data answers.
    answered = [e for e in ids if any(k == "answer" and x == e for k, _, x in steps)]
    # A notebook with no cell of the learner's own needs no kernel: the replay runs the same cells (the course's,
    # pruned, and the answers) and exports each plain-data answer's repr for the judge, as the kernel would.
    # That saves a sandboxed kernel per notebook (30 learners x 10 notebooks: 340 s with a kernel each, 266 s without).
    no_kernel = not full and not any(kind == "learner" for kind, _, _ in steps)
    replays = [e for e in answered if no_kernel or not get_exercise(e).data]
    data = {e for e in replays if get_exercise(e).data}
    replay_plan = [
        ["data" if kind == "answer" and exercise in data else kind, source, exercise]
        for kind, source, exercise in replay_cells(steps, set(replays))
    ]
    steps = [step for step in steps if not (step[0] == "answer" and step[2] in replays)]
    if not full:
        steps, _ = prune(steps)
    results: dict[str, ExerciseGrade] = {}
    # The learner's own folder, closed to every other uid: the work dir (with a copy of their notebook), a home,
    # a temp dir, the kernel's connection file and the file the probe writes verdicts to.
    box = Path(tempfile.mkdtemp(prefix="course-grade-", dir=boxes))
    workdir, home = box / "work", box / "home"
    for folder in (workdir, home / ".cache", box / "tmp"):
        folder.mkdir(parents=True)
    shutil.copyfile(sub.path, workdir / sub.path.name)
    for cache in (Path.home() / ".cache" / "matplotlib").glob("fontlist-*.json"):  # or each kernel rebuilds it
        (home / ".cache" / "matplotlib").mkdir(exist_ok=True)
        shutil.copyfile(cache, home / ".cache" / "matplotlib" / cache.name)
    verdicts = box / f"{secrets.token_hex(8)}.jsonl"
    if jail:
        jail = dataclasses.replace(jail, report=str(box))  # where its PID 1 says which limit stopped the learner
    marks = {"PYTHONPATH": str(helpers_root), GRADING_ENV: "1", RUN_ENV: run_id, "MPLBACKEND": "agg"}
    if jail:
        jail.chown(box)
        # Only what a kernel needs: the grader's own environment may hold secrets (tokens, keys).
        keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LANGUAGE", "TZ") or k.startswith("LC_")}
        path = os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"])
        env = {**keep, **marks, "PATH": path, "HOME": str(home), "TMPDIR": str(box / "tmp")}
        env["JUPYTER_RUNTIME_DIR"] = str(box / "tmp")
    else:
        env = {**os.environ, **marks}
    # The code answers' replay starts now and runs beside the kernel: it needs nothing the kernel does.
    replaying = None
    if replays:
        deadline = (exercise_timeout + cell_timeout) * len(replays)
        replay_env = {k: v for k, v in env.items() if k not in ("HOME", "TMPDIR", "JUPYTER_RUNTIME_DIR")}
        served = {e: get_exercise(e).served for e in replays if get_exercise(e).served}
        replaying = start_replay(
            replay_plan, boxes, replay_env, helpers_root, jail, deadline, cell_timeout, exercise_timeout, served
        )
    client = notebook_client(
        nbformat.v4.new_notebook(),
        workdir,
        kernel_manager_class=sandbox.kernel_manager_class(jail, box / "kernel.json"),
        timeout=cell_timeout,
        allow_errors=True,
        interrupt_on_timeout=True,
        shutdown_kernel="immediate",  # nothing in a graded kernel needs a graceful exit
        error_on_timeout={"ename": "TimeoutError", "evalue": "time limit", "traceback": []},
    )
    keep_errors_only(client)
    earlier_error: str | None = None
    stopped: str | None = None
    judge = judge_for(helpers_root, truths)  # its process starts on the first answer it judges

    def run(source: str, timeout: float) -> tuple[str | None, bool]:
        cell = nbformat.v4.new_code_cell(source)
        client.nb.cells.append(cell)  # execute_cell stores outputs into client.nb by index
        client.timeout = timeout
        start = time.monotonic()
        client.execute_cell(cell, len(client.nb.cells) - 1)
        took = time.monotonic() - start
        grade.steps.append((source.strip().splitlines()[0][:50] if source.strip() else "", round(took, 2)))
        return _error_of(cell), took >= timeout - 0.05

    try:
        if not no_kernel:
            with client.setup_kernel(env=env, stderr=subprocess.DEVNULL):  # the kernel's own warnings are noise here
                grade.steps.append(("(kernel start)", round(time.monotonic() - t0, 2)))
                pid = kernel_pid(client.km)
                _LIVE_KERNELS[pid] = os.getpgid(pid)
                timeouts_in_a_row = 0
                for kind, source, exercise in steps:
                    if stopped:
                        break
                    if kind == "answer":
                        run(CLEAR, cell_timeout)
                    error, timed_out = run(source, cell_timeout)
                    timeouts_in_a_row = timeouts_in_a_row + 1 if timed_out else 0
                    if timed_out:  # the cell cost the whole limit (twice, if it ignored the interrupt): say which
                        first = source.strip().splitlines()[0][:60] if source.strip() else ""
                        grade.flags.append(f"a cell ran past the {cell_timeout:g} s limit and was stopped: {first!r}")
                    if kind != "answer":
                        # a learner's own check call raises in grading mode: that says nothing about other cells
                        if error and earlier_error is None and not error.startswith("ExerciseFailed"):
                            earlier_error = error
                        if timeouts_in_a_row >= 2:
                            stopped = "the kernel stopped answering after cells ran past their time limit"
                        continue
                    if timed_out:
                        results[exercise] = ExerciseGrade(
                            exercise, False, f"the answer cell did not finish within {cell_timeout:g} s (stopped)"
                        )
                        continue
                    if error:
                        why = f"the answer cell raised {error}"
                        if "SolutionsUnavailable" in error:
                            grade.flags.append(f"{exercise}: tried to load a solution")
                        if earlier_error:
                            why += f" (an earlier cell raised {earlier_error})"
                        results[exercise] = ExerciseGrade(exercise, False, why + ".")
                        continue
                    # Plain data: exported from the kernel, judged outside it (the check is deterministic).
                    nonce = secrets.token_hex(16)
                    error, timed_out = run(export.CALL.format(exercise=exercise, path=str(verdicts), nonce=nonce), 30)
                    verdict = None if timed_out else _judged(verdicts, exercise, nonce, judge, exercise_timeout)
                    if verdict:
                        results[exercise] = verdict
                        if verdict.passed and (flag := _witness_flag(exercise, _row(verdicts, exercise, nonce))):
                            grade.flags.append(flag)
                        continue
                    results[exercise] = ExerciseGrade(
                        exercise,
                        False,
                        "the answer could not be exported" + (f": {error}" if error else " (tampered with?)"),
                    )
    except DeadKernelError:
        stopped = "the kernel died (a cell ended the Python process)"
    except Exception as exc:  # a broken kernel start or client failure: say so in the row, grade the rest
        stopped = f"grading stopped: {type(exc).__name__}: {exc}"
    finally:
        for pid, pgid in list(_LIVE_KERNELS.items()):
            if replaying is None or pid != replaying.proc.pid:  # the replay goes on: finish_replay stops it
                _kill_group(pgid)  # whatever the kernel started in its group (servers in processes)
                _LIVE_KERNELS.pop(pid, None)
    if replaying:
        started = time.monotonic()
        rows, problem = finish_replay(replaying, judge, exercise_timeout)
        grade.steps.append(
            (f"(waited for the replay of {len(replay_plan)} cells)", round(time.monotonic() - started, 2))
        )
        if problem:
            grade.flags.append(problem)
        for exercise in replays:
            row = rows.get(exercise)
            if row and "SolutionsUnavailable" in row["message"]:
                grade.flags.append(f"{exercise}: tried to load a solution")
            if row and row["message"].startswith("the answer cell did not finish within"):
                grade.flags.append(f"a cell ran past the {cell_timeout:g} s limit and was stopped: {exercise}'s answer")
            if row and "repr" in row:  # plain data, from the replay: judged as the kernel's export would be
                v = judge.verdict(exercise, row["repr"], exercise_timeout)
                results[exercise] = ExerciseGrade(exercise, v.passed, v.message, v.kind)
                if v.passed and (flag := _witness_flag(exercise, row)):
                    grade.flags.append(flag)
            elif row:
                results[exercise] = ExerciseGrade(exercise, row["passed"], row["message"], row["kind"])
            else:
                why = rows.get("(setup)", {}).get("message") or problem or "no verdict"
                results[exercise] = ExerciseGrade(exercise, False, f"not graded: {why}.")
    limits = box / sandbox.LIMIT_FILE
    if limits.is_file() and not limits.is_symlink():
        said = limits.read_text(encoding="utf-8", errors="replace").splitlines()[:1]
        grade.flags.append(f"stopped by the sandbox's limit: {said[0][:200] if said else 'a limit'}")
    shutil.rmtree(box, ignore_errors=True)
    if stopped:
        grade.flags.append(stopped)
    for i in ids:
        if i in results:
            grade.exercises.append(results[i])
        elif i not in found:
            grade.exercises.append(ExerciseGrade(i, False, "no answer cell for this exercise was found (deleted?)."))
        else:
            grade.exercises.append(ExerciseGrade(i, False, f"not graded: {stopped or 'the answer cell did not run'}."))
    grade.seconds = time.monotonic() - t0
    return grade


# ---------------------------------------------------------------- outputs


def write_outputs(grades: list[NotebookGrade], out: Path) -> None:
    """Write grades.csv and one Markdown feedback file per learner."""
    out.mkdir(parents=True, exist_ok=True)
    ids = [i for i in exercise_ids() if any(e.id == i for g in grades for e in g.exercises)]
    # Text from a learner's kernel may hold what UTF-8 cannot encode (a lone surrogate): written escaped, it can
    # neither stop the file nor the other learners' rows.
    with open(out / "grades.csv", "w", newline="", encoding="utf-8", errors="backslashreplace") as f:
        writer = csv.writer(f)
        writer.writerow(["learner", "notebook", *ids, "total", "max", "flags"])
        for g in sorted(grades, key=lambda g: (g.learner, g.notebook, g.file)):
            marks = {e.id: int(e.passed) for e in g.exercises}
            writer.writerow(
                [g.learner, g.notebook, *[marks.get(i, "") for i in ids], g.total, len(g.exercises), "; ".join(g.flags)]
            )
    feedback = out / "feedback"
    feedback.mkdir(exist_ok=True)
    by_learner: dict[str, list[NotebookGrade]] = {}
    for g in grades:
        by_learner.setdefault(g.learner, []).append(g)
    for learner, rows in by_learner.items():
        lines = [f"# Feedback for {learner}", ""]
        for g in sorted(rows, key=lambda g: g.notebook):
            lines += [f"## {g.notebook}: {g.total} of {len(g.exercises)}", ""]
            for flag in g.flags:
                lines.append(f"- ⚠️ Flag: {flag}")
            if g.flags:
                lines.append("")
            for e in g.exercises:
                lines.append(f"- **{e.id}**: {feedback_line(e)}".replace("\n", " "))
            lines.append("")
        (feedback / f"{_safe(learner)}.md").write_text("\n".join(lines), encoding="utf-8", errors="backslashreplace")


def feedback_line(e: ExerciseGrade) -> str:
    """Return the verdict in words, said once, then the check's message, and the hint after a wrong answer."""
    # Words, not the mark alone: without an emoji font ✅ and ❌ show as empty boxes.
    words = "Correct" if e.passed else VERDICT_WORDS.get(e.kind, VERDICT_WORDS["wrong"])
    mark = "✅" if e.passed else "❌"
    message = e.message
    if e.kind == "blank":
        # The check's blank message speaks to a learner in the notebook ("run that cell"); feedback is read later.
        message = "The answer cell still held the `...` placeholder, so there was nothing to mark."
    message = message[:1].upper() + message[1:] if message[:1].islower() else message
    line = f"{mark} {words}. {message}".rstrip()
    if not e.passed and e.kind == "wrong":
        try:
            line += f" Hint: {get_exercise(e.id).hint}"
        except KeyError:  # an exercise this copy of the course no longer has
            pass
    return line


def _safe(name: str) -> str:
    """Return a file name for learner `name`: readable, and distinct for distinct names (zoé and zoë)."""
    readable = re.sub(r"[^A-Za-z0-9_.@-]", "_", name).strip(".") or "learner"
    if readable == name:
        return name
    # Characters were replaced: a short digest of the real name keeps two learners from sharing a file.
    return f"{readable}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"


def summary(grades: list[NotebookGrade]) -> str:
    """Return how many learners passed each exercise, and how many rows were flagged."""
    lines = [f"graded {len(grades)} notebook(s) of {len({g.learner for g in grades})} learner(s)"]
    for i in exercise_ids():
        marks = [e.passed for g in grades for e in g.exercises if e.id == i]
        if marks:
            lines.append(f"  {i}: {sum(marks)} of {len(marks)} passed")
    flagged = [g for g in grades if g.flags]
    lines.append(f"  flagged: {len(flagged)} (see the flags column of grades.csv)")
    return "\n".join(lines)


def _progress(done: int, total: int, label: str) -> None:
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done == total or not sys.stderr.isatty() else ""
    print(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:40]:<40}",
        end=end,
        file=sys.stderr,
        flush=True,
    )


def installed_courses() -> list[Path]:
    """Return the folders an editable install of the course points to (the full course, solutions and all)."""
    from importlib import metadata

    folders = []
    for dist in metadata.distributions():
        try:
            url = json.loads(dist.read_text("direct_url.json") or "{}")
        except ValueError:
            continue
        if url.get("dir_info", {}).get("editable") and str(url.get("url", "")).startswith("file://"):
            folder = Path(url["url"][len("file://") :])
            if (folder / "helpers" / "coursework").is_dir():
                folders.append(folder)
    return folders


def kill_run_kernels(run_id: str) -> int:
    """Kill any process still marked with this run's id (kernels a crashed worker left); return how many."""
    import psutil

    killed = 0
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.pid != os.getpid() and proc.environ().get(RUN_ENV) == run_id:
                proc.kill()
                killed += 1
        except (psutil.Error, OSError):
            continue
    return killed


def grade_all(
    root: Path,
    out: Path,
    course: Path = COURSE_ROOT,
    jobs: int | None = None,
    exercise_timeout: float = 60.0,
    cell_timeout: float = 120.0,
    quiet: bool = False,
    full: bool = False,
    isolation: str = "required",
    memory_mib: int = sandbox.MEMORY_MIB,
) -> list[NotebookGrade]:
    """Grade every submission under `root` into `out`; return the grades.

    isolation: "required" raises IsolationUnavailable where no sandbox can be built; "best-effort" grades
    without one and flags every row "not isolated: <why>".
    """
    from helpers.coursework.release import write_release

    why = sandbox.missing()
    if why and isolation != "best-effort":
        raise IsolationUnavailable(why)
    subs, refused = find_submissions(root, course)
    copies = duplicate_flags(subs)
    for message in refused:
        print(f"refused: {message}", file=sys.stderr)
    run_id = secrets.token_hex(8)
    out.mkdir(parents=True, exist_ok=True)  # now, so that the sandboxes can hide it
    stage = Path(tempfile.mkdtemp(prefix="course-grader-"))
    # Every learner's folder is made in this one (others may enter it, not list it), removed at the end even
    # when a worker was stopped before it could clean up (Ctrl-C).
    boxes = Path(tempfile.mkdtemp(prefix="course-boxes-"))
    boxes.chmod(0o711)
    # The truths a check measures (a server's stops, a rollback, a fan-out) are measured once per run and shared by the
    # judges: every learner is judged against the same figures, and a class pays for each measurement once. Mode
    # 0700 (mkdtemp's), so no sandboxed kernel, which runs as a uid of its own, can read or forge them.
    truths = Path(tempfile.mkdtemp(prefix="course-truths-"))
    # The kernels import this copy of helpers: same checks, no solution text to load. It belongs to root and is
    # mounted read-only in every sandbox, compiled first (a kernel cannot write its __pycache__).
    helpers_root = write_release(stage / "course", course, parts=("helpers",))
    compileall.compile_dir(helpers_root, quiet=1, workers=1)
    for path in [stage, *stage.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    if len(subs) >= sandbox.REPLAY_UID_OFFSET:  # each submission's kernel and replay take a uid of their own
        raise ValueError(f"at most {sandbox.REPLAY_UID_OFFSET - 1:,} notebooks can be graded in one run")
    jails: list[sandbox.Sandbox | None] = [None] * len(subs)
    if not why:
        hidden = (root, out, course, COURSE_ROOT, *installed_courses())
        hide = tuple(dict.fromkeys(str(p.resolve()) for p in hidden))
        need = [str(stage), *sandbox.python_dirs()]
        first = sandbox.UID_BASE + secrets.randbelow(sandbox.UID_BLOCKS) * sandbox.UID_BLOCK  # one uid per notebook
        keep = (str(boxes),)  # each learner's folder is made in it; each sandbox's /tmp is its own
        jails = [
            dataclasses.replace(
                sandbox.sandbox_for(first + i, hide, (str(stage),), need, keep=keep), memory_mib=memory_mib
            )
            for i in range(len(subs))
        ]
    jobs = jobs or os.cpu_count() or 1
    grades: list[NotebookGrade] = []
    pool = futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init
    )
    try:
        pending = {
            pool.submit(
                grade_one, s, course, helpers_root, run_id, exercise_timeout, cell_timeout, full, jail, boxes, truths
            ): s
            for s, jail in zip(subs, jails)
        }
        for n, done in enumerate(futures.as_completed(pending), 1):
            s = pending[done]
            try:
                grades.append(done.result())
            except Exception as exc:  # a worker crashed: the row says so, the others go on
                grades.append(
                    NotebookGrade(
                        s.learner,
                        s.notebook or s.path.name,
                        str(s.path),
                        flags=[f"grading crashed: {type(exc).__name__}: {exc}"],
                    )
                )
            if not quiet:
                _progress(n, len(subs), f"{s.learner}/{s.path.name}")
        pool.shutdown(wait=True)
    except BaseException:  # Ctrl-C included: stop the workers, who kill their kernels first
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        kill_run_kernels(run_id)
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(boxes, ignore_errors=True)
        shutil.rmtree(truths, ignore_errors=True)
    for g in grades:
        if Path(g.file) in copies:
            g.flags.append(copies[Path(g.file)])
        if why:
            g.flags.append(f"not isolated: {why}")
    write_outputs(grades, out)
    return grades


def main(argv: list[str] | None = None) -> int:
    """Grade the submissions named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", type=Path, help="folder with one folder per learner")
    parser.add_argument("--out", type=Path, required=True, help="where grades.csv and feedback/ go")
    parser.add_argument("--jobs", type=int, default=None, help="parallel kernels (default: one per CPU)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds each exercise's check may take")
    parser.add_argument("--cell-timeout", type=float, default=120.0, help="seconds each learner cell may take")
    parser.add_argument(
        "--full", action="store_true", help="run every read-only cell, not only those the answers read (slower)"
    )
    parser.add_argument("--course", type=Path, default=COURSE_ROOT, help="the full course to grade against")
    parser.add_argument(
        "--memory-mib",
        type=int,
        default=sandbox.MEMORY_MIB,
        help="memory one learner's processes may hold together before they are stopped (default: %(default)s)",
    )
    parser.add_argument(
        "--isolation",
        choices=("required", "best-effort"),
        default="required",
        help="where no sandbox can be built: refuse to grade (required), or grade and flag every row (best-effort)",
    )
    args = parser.parse_args(argv)
    try:
        grades = grade_all(
            args.submissions,
            args.out,
            args.course,
            args.jobs,
            args.timeout,
            args.cell_timeout,
            full=args.full,
            isolation=args.isolation,
            memory_mib=args.memory_mib,
        )
    except NotADirectoryError as exc:
        print(f"grade: {exc}", file=sys.stderr)
        return 2
    except IsolationUnavailable as exc:
        print(
            f"grade: cannot run each submission isolated: {exc}.\n"
            "Nothing was graded. To grade anyway, with every row flagged 'not isolated', "
            "pass --isolation best-effort.",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("\ngrade: interrupted; every kernel of this run was stopped", file=sys.stderr)
        return 130
    print(summary(grades))
    print(f"written: {args.out / 'grades.csv'} and {args.out / 'feedback'}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
