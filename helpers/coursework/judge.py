"""Judge answers that are plain data outside the learner's kernel, so no cell of theirs can forge the verdict.

The grader's probe only exports such an answer, as its `repr`; this module turns the text back into a value
with `ast.literal_eval` (which builds literals and never runs code) and runs the course's check on it in a
Python process of the grader's, one per graded notebook:

    python -m helpers.coursework.judge      # reads {"id", "repr"} lines on stdin, writes one verdict line each

Whatever the learner's kernel writes is at most an answer they chose: a patched `json`, a rewritten probe or
a wrapped import can change what is judged, never the verdict. An answer that is a web app reaches the judge as a
socket its replay serves it on (helpers/coursework/served.py): the check runs here and sees only HTTP.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from helpers.coursework.served import Remote

MAX_REPR = 100_000  # characters: longer than any answer of the course, short enough to parse at once
PLAIN = "plain data (strings, numbers, True/False/None, and tuples, lists, sets or dicts of them)"


def decode(text: Any) -> Any:
    """Return the value whose repr is `text`; raise ValueError naming what an answer may be."""
    if not isinstance(text, str):
        raise ValueError(f"the answer should be {PLAIN}.")
    if len(text) > MAX_REPR:
        raise ValueError(f"the answer is {len(text):,} characters long as Python text; at most {MAX_REPR:,} are read.")
    if text.strip() == "Ellipsis":
        return ...
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise ValueError(f"the answer should be {PLAIN}; its repr {shown!r} is not.") from None


def judge_line(line: str) -> dict[str, Any]:
    """Return the verdict row for one request line {"id": exercise, "repr": text}."""
    from helpers.coursework.checks import _sentence, evaluate
    from helpers.coursework.served import Remote

    try:
        request = json.loads(line)
        exercise = request["id"]
        served = request.get("remote")
        value = Remote(str(served["kind"]), str(served["socket"]), int(served["uid"])) if served else None
        text = None if served else request["repr"]
    except (ValueError, KeyError, TypeError):
        return {"passed": False, "message": "the grader sent a request the judge could not read.", "kind": ""}
    if value is None:
        try:
            value = decode(text)
        except ValueError as exc:
            return {"passed": False, "message": _sentence(str(exc)), "kind": "wrong"}
    result = evaluate(exercise, value)
    return {"passed": result.passed is True, "message": result.message, "kind": str(result.kind)}


def main() -> int:
    """Answer each request line on stdin with one verdict line on stdout, until stdin closes."""
    # Some checks render with Django (05.1) or post its admin form (01.4), as the notebook set it up before them.
    from helpers.serving.django_kernel import setup_django

    setup_django()
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(judge_line(line)) + "\n")
            sys.stdout.flush()
    return 0


@dataclass
class Verdict:
    """What the judge said of one answer."""

    passed: bool
    message: str
    kind: str


class Judge:
    """A judge process of the grader's, started on first use; a check past its time limit costs the process."""

    def __init__(self, helpers_root: Path, truths: Path | None = None) -> None:
        from helpers.coursework.truths import TRUTHS_ENV

        self.helpers_root = helpers_root
        self.env = {**os.environ, "PYTHONPATH": str(helpers_root), "MPLBACKEND": "agg"}
        self.env.pop(TRUTHS_ENV, None)
        if truths is not None:  # the grading run's shared truths: measured once, read by every judge of the run
            self.env[TRUTHS_ENV] = str(truths)
        self.proc: subprocess.Popen | None = None
        self.uses = 0  # answers judged since this judge was made

    def _start(self) -> subprocess.Popen:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "helpers.coursework.judge"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=self.helpers_root,
                env=self.env,
            )
        return self.proc

    def verdict(self, exercise: str, text: str, timeout: float) -> Verdict:
        """Judge the answer whose repr is `text`; a judge that takes longer than `timeout` seconds is stopped."""
        return self._ask({"id": exercise, "repr": text}, timeout)

    def served(self, exercise: str, remote: Remote, timeout: float) -> Verdict:
        """Judge the web app a replay serves at `remote`, over HTTP; stopped past `timeout` seconds."""
        return self._ask({"id": exercise, "remote": dataclasses.asdict(remote)}, timeout)

    def _ask(self, request: dict, timeout: float) -> Verdict:
        self.uses += 1
        proc = self._start()
        try:
            proc.stdin.write((json.dumps(request) + "\n").encode())
            proc.stdin.flush()
        except OSError:
            self.close()
            return Verdict(False, "the grader's judge stopped before it read the answer.", "")
        line = _read_line(proc, timeout)
        if line is None:
            self.close()
            return Verdict(False, f"checking the answer took longer than {timeout:g} s (stopped)", "")
        try:
            row = json.loads(line)
        except ValueError:
            self.close()
            return Verdict(False, "the grader's judge gave no verdict.", "")
        return Verdict(row.get("passed") is True, str(row.get("message", "")), str(row.get("kind", "")))

    def close(self) -> None:
        """Stop the judge process, if it runs."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(10)
            for pipe in (self.proc.stdin, self.proc.stdout):
                try:
                    pipe.close()
                except OSError:
                    pass
            self.proc = None


def _read_line(proc: subprocess.Popen, timeout: float) -> str | None:
    """Return one line of `proc`'s stdout, or None if none came within `timeout` seconds or it ended."""
    fd = proc.stdout.fileno()
    data = b""
    end = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while not data.endswith(b"\n"):
            left = end - time.monotonic()
            if left <= 0 or not sel.select(left):
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            data += chunk
    return data.decode("utf-8", "replace").strip()


if __name__ == "__main__":
    sys.exit(main())
