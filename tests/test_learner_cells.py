"""No learner cell asserts a time, rate, ratio or memory figure it measured: those are verdicts (helpers.verdicts).

A learner on a shared machine (Binder, a class hub) must never see Run All stop on a measured claim.
Deterministic facts (a status code, a query count, a header) may stay as asserts.
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from helpers.runner.course import notebook_names, notebook_path

# Words that name something measured in time, rate, ratio or memory, as the notebooks name them.
MEASURED = {
    "time", "times", "timing", "timings", "span", "spans", "makespan", "spread", "throughput", "seconds",
    "elapsed", "latency", "p50", "p95", "p99", "ms", "kib", "mib", "rss", "memory", "core", "cores", "used",
    "blocked", "awaited", "stalled", "lag", "lags", "overhead", "overheads", "waits", "rate", "speed",
    "capacity", "probe", "threads", "started", "duration", "ratio", "per", "import",
}  # fmt: skip


def _words(node: ast.AST) -> set[str]:
    """Return the lower-case words of every name, attribute and string key in `node`."""
    words: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            text = sub.id
        elif isinstance(sub, ast.Attribute):
            text = sub.attr
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            text = sub.value
        else:
            continue
        words |= {w for w in re.split(r"[^a-z0-9]+", text.lower()) if len(w) > 1}
    return words


def measured_asserts(source: str) -> list[str]:
    """Return each `assert` in a code cell whose condition names a measured figure."""
    # IPython magics and shell lines are not Python: blank them, keep the line numbers.
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    tree = ast.parse("\n".join(lines))
    return [ast.unparse(node.test) for node in ast.walk(tree)
            if isinstance(node, ast.Assert) and _words(node.test) & MEASURED]  # fmt: skip


def test_the_scan_finds_a_measured_claim_and_passes_a_fact():
    assert measured_asserts('assert span["fastapi-blocking"] > 5 * span["fastapi-async"]')
    assert measured_asserts("assert all(p.probe_answered and p.probe_s < 0.5 for p in points)")
    assert measured_asserts('%time x = 1\nassert hello["FastAPI"].throughput > hello["Django"].throughput')
    assert measured_asserts('assert memory["FastAPI"] > memory["Flask"]')
    assert not measured_asserts('assert r.status_code == 200 and r.json()["framework"] == "Flask"')
    assert not measured_asserts('assert counts[("Django", "lazy loop")][0] == len(data.books) + 1')


@pytest.mark.parametrize("name", notebook_names())
def test_no_learner_cell_asserts_a_measured_figure(name):
    nb = nbformat.read(notebook_path(name), as_version=4)
    found = [
        f"cell {i}: assert {claim}"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for claim in measured_asserts(cell.source)
    ]
    assert not found, "show these as helpers.verdicts.verdict(...), not assert:\n" + "\n".join(found)
