"""Judge the answers that are code in a fresh process: the course's cells, the learner's answer cells, the checks.

The grader runs this file in the learner's sandbox, once per notebook, after the learner's own kernel has ended:

    python -I replay.py      # one JSON request on stdin; one JSON verdict line on stdout

The request holds the cells to run, in the notebook's order: the course's read-only cells the answers need
(restored from the course, not taken from the submission) and the learner's answer cells as submitted, with the
course's read-only copy to import the checks from, a deadline and a nonce. Nothing else the learner wrote runs
here: no added cell, no input transformer or import hook left by an earlier cell, no file from their kernel's
home (this process has a home of its own). Inside, each answer cell still runs beside its check; so:

- the cells and the check run in a worker thread, while the nonce and the verdict's pipe stay in the main thread,
  whose frames the worker cannot reach (the audit hook below refuses `sys._current_frames` and `gc`'s walks);
- after the answer cell, every module attribute and class attribute it changed in modules loaded before it
  (`json.dumps`, `builtins.__import__`, `jinja2.Environment.get_template`, ...) and the import system
  (`sys.meta_path`, `sys.path_hooks`, `sys.path`) are put back, and the course's checks are imported afresh
  from the course's read-only copy, so a patched check, encoder or import hook judges nothing;
- what the learner's code tried against the grader (walking the interpreter's objects, loading C code, reading
  process memory, tracing) is refused and reported, and the grader flags it in grades.csv.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

# Audit events a learner's code has no business raising while it is graded (loading a C library is not one:
# imports do it): each one reaches objects or memory
# beyond its own (another thread's frames, every object, raw memory through ctypes, a tracer). Refused and reported.
REFUSED_EVENTS = (
    "gc.get_objects",
    "gc.get_referrers",
    "gc.get_referents",
    "sys._current_frames",
    "ctypes.addressof",
    "ctypes.cdata",
    "ctypes.string_at",
    "ctypes.wstring_at",
    "sys.settrace",
    "sys.setprofile",
)
GRACE_S = 5.0  # how long a cell or check stopped for its time limit may take to give up before the replay ends
# Modules the course's checks keep across the fresh import: Django's model registry and settings live in them.
KEEP_MODULES = ("helpers.apps", "helpers.serving.django")


class Refused(RuntimeError):
    """A learner's code tried something the grader refuses."""


class CellTimeout(Exception):
    """Raised in the worker by the main thread when a cell or a check runs past its time limit."""


class Guard:
    """An audit hook that refuses, and records, what code outside the main thread may not do.

    The main thread never runs a learner's code; the worker runs the cells and the check. No flag turns the hook
    off: a flag would be an object the learner's code could reach and reset.
    """

    def __init__(self) -> None:
        self.main = threading.get_ident()
        self.seen: list[str] = []

    def __call__(self, event: str, args: tuple) -> None:
        if threading.get_ident() == self.main:
            return
        refused = event in REFUSED_EVENTS or (
            event == "open" and isinstance(args[0], str) and args[0].startswith("/proc/") and "/mem" in args[0]
        )
        if refused:
            if event not in self.seen:
                self.seen.append(event if event != "open" else f"open {args[0]}")
            raise Refused(f"{event} is not allowed while an answer is graded")


def snapshot() -> tuple[dict, dict, tuple]:
    """Record every loaded module's attributes, the attributes of the classes they define, and the import system."""
    modules: dict[str, tuple[Any, dict]] = {}
    classes: dict[int, tuple[type, dict]] = {}
    for name, module in list(sys.modules.items()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict) or name == "__main__":
            continue
        modules[name] = (module, dict(namespace))
        for value in list(namespace.values()):
            if isinstance(value, type) and getattr(value, "__module__", None) == name:
                classes[id(value)] = (value, dict(vars(value)))
    imports = (sys.meta_path[:], sys.path_hooks[:], sys.path[:])
    return modules, classes, imports


def restore(state: tuple[dict, dict, tuple]) -> int:
    """Put back what the answer changed in the snapshot's modules, classes and import system; return how much."""
    modules, classes, imports = state
    changed = 0
    for module, before in modules.values():
        now = module.__dict__
        for key, value in before.items():
            if key not in now or now[key] is not value:
                now[key] = value
                changed += 1
    for cls, before in classes.values():
        now = vars(cls)
        for key in [k for k in now if k not in before and not k.startswith("_")]:
            try:  # an added public attribute may shadow a base class's method
                delattr(cls, key)
                changed += 1
            except (AttributeError, TypeError):
                pass
        for key, value in before.items():
            if key in ("__dict__", "__weakref__"):
                continue
            if key not in now or now[key] is not value:
                try:
                    setattr(cls, key, value)
                    changed += 1
                except (AttributeError, TypeError):
                    pass
    sys.meta_path[:], sys.path_hooks[:], sys.path[:] = imports
    sys.path_importer_cache.clear()
    return changed


def fresh_evaluate(root: str) -> Any:
    """Import the course's checks afresh from `root` (the course's read-only copy); return its `evaluate`."""
    for name in [m for m in list(sys.modules) if m == "helpers" or m.startswith("helpers.")]:
        if not name.startswith(KEEP_MODULES):
            del sys.modules[name]
    sys.path.insert(0, root)
    from helpers.coursework.checks import evaluate

    return evaluate


def run_cell(shell: Any, source: str) -> str | None:
    """Run one cell in `shell`; return the error it raised as "Type: message", or None."""
    result = shell.run_cell(source, store_history=False, silent=False)
    if result.success:
        return None
    exc = result.error_in_exec or result.error_before_exec
    return f"{type(exc).__name__}: {exc}"


def judge(request: dict, rows: dict[str, dict], clock: dict) -> None:
    """Run the request's cells in order; after each answer cell, put `rows[exercise]` = the reference check's verdict.

    A read-only cell that raises stops the run: every answer after it is left without a row. `clock` says since
    when the current cell or check has run, and for how long it may (the main thread stops it past that).
    """
    import asyncio

    from IPython.core.interactiveshell import InteractiveShell

    asyncio.set_event_loop(asyncio.new_event_loop())  # this worker thread has none; top-level await needs one
    shell = InteractiveShell.instance()
    # What the checks import, imported before any answer runs: what an answer patches there is put back below.
    import helpers.coursework.checks  # noqa: F401

    def timed(limit: float) -> None:
        clock.update(since=time.monotonic(), limit=limit)

    cell_limit, check_limit = float(request["cell_timeout"]), float(request["exercise_timeout"])
    for kind, source, exercise in request["cells"]:
        timed(cell_limit)
        if kind != "answer":
            error = run_cell(shell, source)
            if error:
                rows["(setup)"] = {"passed": False, "message": f"a read-only cell raised {error}", "kind": ""}
                return
            continue
        state = snapshot()
        shell.user_ns.pop("answer", None)
        error = run_cell(shell, source)
        value = shell.user_ns.pop("answer", None) if "answer" in shell.user_ns else NotImplemented
        restore(state)
        if error and error.startswith(CellTimeout.__name__):
            message = f"the answer cell did not finish within {cell_limit:g} s (stopped)"
            rows[exercise] = {"passed": False, "message": message, "kind": ""}
            continue
        if error:
            rows[exercise] = {"passed": False, "message": f"the answer cell raised {error}.", "kind": "wrong"}
            continue
        if value is NotImplemented:
            rows[exercise] = {"passed": False, "message": "the answer cell did not bind `answer`.", "kind": "wrong"}
            continue
        evaluate = fresh_evaluate(request["root"])
        for _attempt in range(2):
            # A failed check runs once more: a timing check can miss on a machine busy grading two notebooks at
            # a time, and a right answer must not lose its mark to that.
            timed(check_limit)
            result = evaluate(exercise, value)
            if result.passed is True or str(result.kind) == "blank" or CellTimeout.__name__ in str(result.message):
                break
        message, kind = str(result.message), str(result.kind)
        if CellTimeout.__name__ in message:
            message, kind = f"checking the answer took longer than {check_limit:g} s (stopped)", ""
        rows[exercise] = {"passed": result.passed is True, "message": message, "kind": kind}
        clock.pop("since", None)


def interrupt(thread: threading.Thread) -> None:
    """Raise CellTimeout in `thread` at its next Python instruction (a wait in C ends first)."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(CellTimeout))


def main() -> int:
    """Read one request on stdin, judge its answers in a worker thread, write one verdict line on stdout."""
    dumps, write, exit_now = json.dumps, os.write, os._exit  # taken before any learner code runs
    chunks = []
    while chunk := os.read(0, 1 << 16):
        chunks.append(chunk)
    request = json.loads(b"".join(chunks))
    nonce, deadline = request.pop("nonce"), float(request.pop("deadline"))
    channel = os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # what the cells print goes nowhere; only the main thread writes the verdict
        os.dup2(null, fd)
    sys.path.insert(0, request["root"])
    guard = Guard()
    sys.addaudithook(guard)
    rows: dict[str, dict] = {}
    clock: dict = {}

    def work() -> None:
        try:
            judge(request, rows, clock)
        except BaseException as exc:  # noqa: BLE001 - a learner's code may raise anything, SystemExit included
            rows["(setup)"] = {"passed": False, "message": f"grading stopped: {type(exc).__name__}: {exc}", "kind": ""}

    worker = threading.Thread(target=work, name="replay", daemon=True)
    worker.start()
    end, stopped = time.monotonic() + deadline, None
    while worker.is_alive() and time.monotonic() < end:
        worker.join(0.1)
        since, limit = clock.get("since"), clock.get("limit")
        if not (isinstance(since, float) and isinstance(limit, float)) or time.monotonic() - since <= limit:
            continue
        if since != stopped:
            interrupt(worker)
            stopped = since
        elif time.monotonic() - since > limit + GRACE_S:
            break  # it ignored the stop: give the verdicts so far, and leave
    verdicts = {}
    for exercise, row in list(rows.items()):
        if isinstance(exercise, str) and isinstance(row, dict):
            verdicts[exercise] = {
                "passed": row.get("passed") is True,
                "message": str(row.get("message", ""))[:4000],
                "kind": str(row.get("kind", "")),
            }
    line = {"nonce": nonce, "rows": verdicts, "finished": not worker.is_alive(), "refused": list(guard.seen)}
    write(channel, (dumps(line) + "\n").encode())
    exit_now(0)  # no atexit handler or thread of the learner's runs after the verdict


if __name__ == "__main__":
    sys.exit(main())
