"""Judge the answers that are code in a fresh process: the course's cells, the learner's answer cells, the checks.

The grader runs this file in the learner's sandbox, once per notebook, after the learner's own kernel has ended:

    python -I replay.py      # one JSON request line on stdin; the verdict's two lines on stdout

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
  process memory, tracing) is refused and reported, and the grader flags it in grades.csv;
- every answer that is code and passed here is then served on a Unix socket in this process's folder, and stays
  up until the grader closes stdin: a web app as itself (00.x, 01.x, 02.4), or as the app the course builds from it
  (08.4's API, 07.2's app keeping its receipts beside the socket), a function or class through a port of the
  course's (03.3, 04.x, 05.x, 06.4). The grader's judge checks it again from its own process, over HTTP, with
  inputs of its own choosing (helpers/coursework/served.py), and only that verdict can give the mark.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import types
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
    "ctypes.call_function",
    "ctypes.cdata",
    "ctypes.cdata/buffer",
    "ctypes.PyObj_FromPtr",
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
        what = event
        refused = event in REFUSED_EVENTS
        if event == "open" and args:
            path = _memory_file(args[0])
            refused, what = path is not None, f"open {path}"
        if refused:
            if what not in self.seen:
                self.seen.append(what)
            raise Refused(f"{event} is not allowed while an answer is graded")


def _memory_file(path: Any) -> str | None:
    """Return `path` if it names a process's memory (/proc/PID/mem, however spelt), else None."""
    if isinstance(path, int):
        return None
    try:
        text = os.fsdecode(path)
    except (TypeError, ValueError):
        return None
    # A relative "mem" opened in /proc/self (a chdir, or a dir_fd the audit event does not show) counts too.
    name = os.path.basename(text.rstrip("/"))
    if name in ("mem", "pagemap") or (text.startswith("/proc") and "/mem" in os.path.realpath(text)):
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return None


FUNCTION_PARTS = ("__code__", "__defaults__", "__kwdefaults__")


def _functions(namespace: dict) -> list[Any]:
    """Return the Python functions in `namespace`, those wrapped as static or class methods included."""
    found = []
    for value in list(namespace.values()):
        if issubclass(type(value), (staticmethod, classmethod)):
            value = value.__func__
        if type(value) is types.FunctionType:
            found.append(value)
    return found


def snapshot(only: tuple[str, ...] = (), base: tuple | None = None) -> tuple:
    """Record sys.modules, every loaded module's attributes, its classes' attributes, its functions' code, the imports.

    With `only` (name prefixes) and `base` (an earlier snapshot, put back since), record only those modules afresh
    and take the rest from `base`: walking every module is most of a replay's own time.
    """
    modules: dict[str, tuple[Any, dict]] = dict(base[1]) if base else {}
    classes: dict[int, tuple[type, dict]] = dict(base[2]) if base else {}
    functions: dict[int, tuple[Any, tuple]] = dict(base[3]) if base else {}
    for name, module in list(sys.modules.items()):
        if only and not (name in only or name.startswith(tuple(f"{o}." for o in only))):
            continue
        try:  # not every entry is a module: a lazy object may raise on any attribute
            namespace = getattr(module, "__dict__", None)
        except Exception:  # noqa: BLE001
            continue
        if not isinstance(namespace, dict) or name == "__main__":
            continue
        modules[name] = (module, dict(namespace))
        spaces = [namespace]
        for value in list(namespace.values()):
            # type(value), never value.__class__: a lazy object (Django's settings) computes that on first use.
            if issubclass(type(value), type) and vars(value).get("__module__") == name:
                classes[id(value)] = (value, dict(vars(value)))
                spaces.append(vars(value))
        for space in spaces:
            for fn in _functions(space):
                functions[id(fn)] = (fn, tuple(getattr(fn, part) for part in FUNCTION_PARTS))
    imports = (sys.meta_path[:], sys.path_hooks[:], sys.path[:])
    return dict(sys.modules), modules, classes, functions, imports


def restore(state: tuple) -> int:
    """Put back what the answer changed in sys.modules, the snapshot's modules, classes and functions, the imports.

    Return how many things were put back. Modules the answer imported for itself stay; a module it made up (no
    file of the Python installation or the course behind it) is dropped.
    """
    registry, modules, classes, functions, imports = state
    changed = 0
    trusted = _trusted_prefixes(imports[2][:1])
    for name in [n for n in sys.modules if n not in registry]:
        origin = _origin(sys.modules[name])
        if not (origin in ("built-in", "frozen") or origin.startswith(trusted)):
            del sys.modules[name]
            changed += 1
    for name, module in registry.items():
        if sys.modules.get(name) is not module:
            sys.modules[name] = module
            changed += 1
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
    for fn, parts in functions.values():  # code swapped in place: `json.dumps.__code__ = ...`
        for part, value in zip(FUNCTION_PARTS, parts):
            if getattr(fn, part) is not value:
                setattr(fn, part, value)
                changed += 1
    sys.meta_path[:], sys.path_hooks[:], sys.path[:] = imports
    sys.path_importer_cache.clear()
    return changed


def replaced_code(state: tuple) -> list[str]:
    """Name the functions and classes of the snapshot's modules, and the checks, that were replaced since `state`.

    Values that are not code (caches, settings a library fills in on first use) may change; code may not: the course's
    own functions and classes, any class's methods, any function's code.
    """
    _, modules, classes, functions, _ = state
    changed = []
    for name, (module, before) in modules.items():
        if not (name == "helpers" or name.startswith("helpers.")):
            continue  # libraries rebind their own functions on first use (typing_extensions patches typing)
        for key, value in before.items():
            if issubclass(type(value), (types.FunctionType, type)) and module.__dict__.get(key) is not value:
                changed.append(f"{name}.{key}")
    for cls, before in classes.values():
        now = vars(cls)
        for key, value in before.items():
            if (
                issubclass(type(value), (types.FunctionType, staticmethod, classmethod, property))
                and now.get(key) is not value
            ):
                changed.append(f"{cls.__module__}.{cls.__qualname__}.{key}")
    for fn, parts in functions.values():
        if tuple(getattr(fn, part) for part in FUNCTION_PARTS) != parts:
            changed.append(f"{fn.__module__}.{fn.__qualname__}")
    return changed


def _replaced_checks() -> list[str]:
    """Return the exercises whose check in the fresh registry is not the function its exercise module defines."""
    registry = sys.modules.get("helpers.coursework.exercises")
    replaced = []
    for key, exercise in getattr(registry, "EXERCISES", {}).items():
        fn = vars(exercise).get("check")
        home = getattr(fn, "__module__", "") or ""
        module = sys.modules.get(home)
        if not home.startswith("helpers.coursework.exercises.") or getattr(module, fn.__name__, None) is not fn:
            replaced.append(key)
    return replaced


def _origin(module: Any) -> str:
    """Return the file (or "built-in", "frozen") a module was loaded from, or "" if it has none or won't say."""
    try:
        origin = getattr(getattr(module, "__spec__", None), "origin", None)
    except Exception:  # noqa: BLE001 - a lazy object in sys.modules may raise on any attribute
        return ""
    return origin if isinstance(origin, str) else ""


def _trusted_prefixes(course: list[str]) -> tuple[str, ...]:
    """Return the folders a genuine module comes from: the Python installation and `course` (the read-only copy)."""
    import site

    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages(), *course}
    return tuple(os.path.realpath(f) + os.sep for f in folders if f)


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


def judge(request: dict, rows: dict[str, Any], send: Any) -> None:
    """Run the request's cells in order; after each answer cell, put `rows[exercise]` = the reference check's verdict.

    A "data" cell is an answer that is plain data: its row holds the answer's repr instead, for the grader's judge.

    A read-only cell that raises stops the run: every answer after it is left without a row. `send(kind, text)`
    tells the main thread since when the current cell or check has run and for how long it may ("T"; it stops
    it past that), and the rows so far ("R").
    """
    import asyncio

    from IPython.core.interactiveshell import InteractiveShell

    asyncio.set_event_loop(asyncio.new_event_loop())  # this worker thread has none; top-level await needs one
    shell = InteractiveShell.instance()
    # What the checks import, imported before any answer runs: what an answer patches there is put back below.
    import helpers.coursework.checks  # noqa: F401

    def timed(limit: float) -> None:
        send("T", f"{time.monotonic()!r} {limit!r}")

    cell_limit, check_limit = float(request["cell_timeout"]), float(request["exercise_timeout"])
    serve = dict(request.get("serve") or {})  # exercise -> {"kind": "wsgi" or "asgi", "socket": path}
    state, ran_course_cell = None, True
    # A plain-data answer after the last code answer has no check after it to protect: what its cell patches can
    # change only the answers it exports itself, so no snapshot is taken for it (each walks every module).
    last_check = max((i for i, (kind, _, _) in enumerate(request["cells"]) if kind == "answer"), default=-1)
    for i, (kind, source, exercise) in enumerate(request["cells"]):
        timed(cell_limit)
        if kind not in ("answer", "data"):
            ran_course_cell = True
            error = run_cell(shell, source)
            if error:
                rows["(setup)"] = {"passed": False, "message": f"a read-only cell raised {error}", "kind": ""}
                send("R", json.dumps(rows))
                return
            continue
        guarded = i <= last_check
        if guarded and (state is None or ran_course_cell):  # a read-only cell since may have changed what it finds
            state = snapshot()
            ran_course_cell = False
        shell.user_ns.pop("answer", None)
        error = run_cell(shell, source)
        value = shell.user_ns.pop("answer", None) if "answer" in shell.user_ns else NotImplemented
        if guarded:
            restore(state)
        if error and error.startswith(CellTimeout.__name__):
            message = f"the answer cell did not finish within {cell_limit:g} s (stopped)"
            rows[exercise] = {"passed": False, "message": message, "kind": ""}
            send("R", json.dumps(rows))
            continue
        if error:
            rows[exercise] = {"passed": False, "message": f"the answer cell raised {error}.", "kind": "wrong"}
            send("R", json.dumps(rows))
            continue
        if value is NotImplemented:
            rows[exercise] = {"passed": False, "message": "the answer cell did not bind `answer`.", "kind": "wrong"}
            send("R", json.dumps(rows))
            continue
        if kind == "data":  # plain data: only its repr leaves, for the grader's judge; no check runs here
            try:
                rows[exercise] = {"passed": False, "message": "", "kind": "", "repr": repr(value)}
            except Exception as exc:  # noqa: BLE001 - a learner's __repr__ may raise anything
                why = f"the answer could not be read: {type(exc).__name__}: {exc}."
                rows[exercise] = {"passed": False, "message": why, "kind": "wrong"}
            send("R", json.dumps(rows))
            continue
        evaluate = fresh_evaluate(request["root"])
        # What the check runs with, which the answer's code must not change while it runs: the state just put
        # back, and the course's modules, imported afresh.
        before = snapshot(only=("helpers",), base=state)
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
        changed = replaced_code(before) + [f"the check of {key}" for key in _replaced_checks()]
        restore(before)
        if changed:
            rows.setdefault("(notes)", []).append(f"changing {changed[0]} while checked")
            message, kind = f"while it was checked, the answer changed the grader's code ({changed[0]})", ""
            result = None
        passed = result is not None and result.passed is True
        if passed and exercise in serve:
            # A web app that passed here is served to the grader's judge, which checks it again over a socket
            # from its own process: a patch this process makes while its check runs decides nothing there.
            timed(check_limit)
            try:
                from helpers.coursework import served
                from helpers.coursework.exercises import get_exercise

                app, kind = value, serve[exercise]["kind"]
                port = get_exercise(exercise).port
                if kind == served.CALL:  # a function or a class: the course's port runs it on what the judge sends
                    app, kind = served.call_app(served.bind(value, port)), "wsgi"
                elif port is not None:  # an app the course builds from the answer (08.4: an API from a model)
                    app = port(value)
                served.serve_unix(app, kind, serve[exercise]["socket"])
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - the app may raise anything; werkzeug exits
                passed, kind = False, "wrong"
                message = f"your app could not be served to the grader: {type(exc).__name__}: {exc}."
        rows[exercise] = {"passed": passed, "message": message, "kind": kind}
        send("R", json.dumps(rows))


def stopper() -> Any:
    """Return stop(ident): raise CellTimeout in thread `ident` at its next Python instruction (a C wait ends first).

    Resolved once, before any learner code runs: nothing the main thread calls later is looked up then.
    """
    import ctypes

    set_async_exc, c_ulong, py_object = ctypes.pythonapi.PyThreadState_SetAsyncExc, ctypes.c_ulong, ctypes.py_object
    timeout = py_object(CellTimeout)

    def stop(ident: int) -> None:
        set_async_exc(c_ulong(ident), timeout)

    return stop


def main() -> int:
    """Read one request on stdin, judge its answers in a worker thread, write the verdict lines on stdout.

    The main thread runs no learner code and calls nothing a learner's code could have replaced: what it uses is
    taken before the first cell runs, and it hears from the worker only bytes, over a pipe. Its own line (the
    nonce, whether the worker finished, what the audit hook refused) is the grader's to trust; the rows line after
    it is the worker's word.
    """
    monotonic, read, write, select, exit_now = time.monotonic, os.read, os.write, _select(), os._exit
    stop = stopper()
    chunks = []
    while chunk := os.read(0, 1 << 16):  # one line (or all of stdin): the grader keeps stdin open past it
        chunks.append(chunk)
        if b"\n" in chunk:
            break
    request = json.loads(b"".join(chunks))
    nonce, deadline = str(request.pop("nonce")).encode("ascii"), float(request.pop("deadline"))
    hold = float(request.pop("hold", 0))  # how long served answers may stay up for the judge, at most
    channel, control = os.dup(1), os.dup(0)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # what the cells print goes nowhere; only the main thread writes the verdict
        os.dup2(null, fd)
    sys.path.insert(0, request["root"])
    guard = Guard()
    sys.addaudithook(guard)
    seen = guard.seen
    inbox, outbox = os.pipe()

    def work() -> None:
        rows: dict[str, Any] = {}

        def send(kind: str, text: str) -> None:
            os.write(outbox, (kind + text.replace("\n", " ") + "\n").encode("utf-8", "backslashreplace"))

        try:
            judge(request, rows, send)
        except BaseException as exc:  # noqa: BLE001 - a learner's code may raise anything, SystemExit included
            rows["(setup)"] = {"passed": False, "message": f"grading stopped: {type(exc).__name__}: {exc}", "kind": ""}
            send("R", json.dumps(rows))
        finally:
            send("E", "")

    worker = threading.Thread(target=work, name="replay", daemon=True)
    worker.start()
    ident = worker.ident
    end, since, limit, stopped, done, rows, buffer = monotonic() + deadline, None, None, None, False, b"{}", b""
    while not done and monotonic() < end:
        if select([inbox], [], [], 0.1)[0]:
            chunk = read(inbox, 1 << 20)
            if not chunk:
                break
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                kind, text = line[:1], line[1:]
                if kind == b"T":
                    try:
                        since, limit = (float(x) for x in text.split(b" ", 1))
                    except ValueError:
                        pass
                elif kind == b"R":
                    rows = text
                elif kind == b"E":
                    done = True
        if since is None or monotonic() - since <= limit:
            continue
        if since != stopped:
            stop(ident)
            stopped = since
        elif monotonic() - since > limit + GRACE_S:
            break  # it ignored the stop: give the verdicts so far, and leave
    refused = "\n".join(seen).encode("utf-8", "backslashreplace").hex().encode("ascii")
    head = b"V " + nonce + (b" 1 " if done else b" 0 ") + (refused or b"-")
    write(channel, head + b"\n" + rows + b"\n")
    # Served answers stay up while the grader's judge calls them: until it closes stdin, or `hold` seconds.
    end = monotonic() + hold
    while monotonic() < end and select([control], [], [], max(0.0, end - monotonic()))[0]:
        if not read(control, 1 << 16):
            break
    exit_now(0)  # no atexit handler or thread of the learner's runs after the verdict


def _select() -> Any:
    """Return select.select, imported now (before any learner code)."""
    import select

    return select.select


if __name__ == "__main__":
    sys.exit(main())
