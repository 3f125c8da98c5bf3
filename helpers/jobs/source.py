"""Show a function, a class or a whole course module without importing it (Django settings and projects need set-up)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Any


def source_of(module: str, name: str | None = None) -> str:
    """Return the source of `name` (decorators included), or of the whole module, from its file, never imported."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise ValueError(f"{module!r} is not a Python module of the course")
    text = Path(spec.origin).read_text()
    if name is None:
        return text.rstrip()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            return "\n".join(text.splitlines()[first - 1 : node.end_lineno])
    raise ValueError(f"{module} defines no function or class {name!r}")


def show_source(module: str, name: str | None = None) -> Any:
    """Show `name` from `module` with highlighting, as helpers.display.show_code does, without importing `module`."""
    from IPython.display import Code

    return Code(source_of(module, name), language="python")
