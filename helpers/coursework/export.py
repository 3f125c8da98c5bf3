"""Export a plain-data answer from the learner's kernel as its repr, for the grader's judge to rebuild and check.

The grader runs one line in the kernel after the answer cell (see `CALL`). A learner's cell can change what is
exported, which is no more than choosing an answer; the verdict is the judge's, outside the kernel.
"""

from __future__ import annotations

import json
from typing import Any

# The line the grader runs in the kernel: it binds no name there.
CALL = (
    '__import__("helpers.coursework.export", fromlist=["export"]).export({exercise!r}, {path!r}, {nonce!r}, globals())'
)


def export(exercise_id: str, path: str, nonce: str, namespace: dict[str, Any]) -> None:
    """Append {"id", "nonce", "repr"} for `namespace["answer"]` to `path` ("unbound" or "error" if it has none)."""
    try:
        row: dict[str, Any] = {"repr": repr(namespace["answer"])}
    except KeyError:
        row = {"unbound": True}
    except Exception as exc:  # a learner's __repr__ may raise anything
        row = {"error": f"{type(exc).__name__}: {exc}"}
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"id": exercise_id, "nonce": nonce, **row}) + "\n")
