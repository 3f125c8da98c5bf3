"""Name the interpreter internals an answer cell reaches for: what a cheat needs, and no exercise does.

The grader flags such a cell in grades.csv for a person to read. Forging a verdict from inside Python takes one
of these: another frame (to reach the check's variables), the import system or `builtins` (to swap the checks),
IPython's input pipeline, the garbage collector or C memory (to find objects), code built from strings (to hide
the rest), or a raw file descriptor or exit (to write a verdict and leave). No answer of the course uses them.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import unicodedata

# (what it is, in words; the names that reach it)
KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "other frames",
        (
            "_getframe",
            "currentframe",
            "f_back",
            "f_locals",
            "f_globals",
            "tb_frame",
            "gi_frame",
            "cr_frame",
            "getouterframes",
            "getinnerframes",
            "_current_frames",
        ),
    ),
    ("the import system", ("meta_path", "path_hooks", "path_importer_cache", "__import__", "importlib", "modules")),
    ("builtins", ("builtins", "__builtins__")),
    (
        "IPython's input pipeline",
        ("get_ipython", "input_transformers_cleanup", "input_transformers_post", "ast_transformers", "events"),
    ),
    (
        "the garbage collector or C memory",
        (
            "gc",
            "ctypes",
            "cffi",
            "__subclasses__",
            "cell_contents",
            "__closure__",
            "__globals__",
            "__code__",
            "__defaults__",
            "__kwdefaults__",
        ),
    ),
    ("the grader's own threads", ("_target", "main_thread", "_active")),
    ("code built from text", ("exec", "eval", "compile")),
    (
        "raw file descriptors or exits",
        ("fdopen", "dup", "dup2", "_exit", "settrace", "setprofile", "atexit", "pread", "pwrite", "readlink"),
    ),
)
_NAMES = {name: kind for kind, names in KINDS for name in names}
_PROC = re.compile(r"/proc/|/pr['\"]")  # also "/pr" "oc/..." split in two


def reached(source: str) -> list[str]:
    """Return the kinds of internals `source` names, in KINDS order, each once (an empty list for a plain answer)."""
    # Python reads identifiers NFKC-normalised: a fullwidth `__ｃｌｏｓｕｒｅ__` is `__closure__` to it, so to this.
    source = unicodedata.normalize("NFKC", source)
    found: set[str] = set()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        tokens = []
        found.add("code that does not parse")
    previous = None
    for tok in tokens:
        if tok.type == tokenize.NAME and tok.string in _NAMES:
            # `sys.modules` and `shell.events` are internals; a variable of the learner's named `modules` is not.
            if tok.string not in ("modules", "events") or (previous is not None and previous.string == "."):
                found.add(_NAMES[tok.string])
        elif tok.type == tokenize.STRING and (
            _PROC.search(tok.string)
            or any(
                re.search(rf"\b{re.escape(n)}\b", tok.string)
                for n in _NAMES
                if len(n) > 4 and n not in ("modules", "events")
            )
        ):
            found.add("names of internals in a string")
        if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
            previous = tok
    if _dynamic_attributes(source):
        found.add("attribute names built at run time")
    order = [kind for kind, _ in KINDS] + [
        "attribute names built at run time",
        "names of internals in a string",
        "code that does not parse",
    ]
    return [kind for kind in order if kind in found]


def _dynamic_attributes(source: str) -> bool:
    """Tell whether `source` gets or sets an attribute whose name is not written out (`getattr(x, "f_" + "back")`)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "delattr", "hasattr")
            and len(node.args) >= 2
            and not (isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str))
        ):
            return True
    return False
