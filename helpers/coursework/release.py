"""Write a copy of the course for a class: notebooks with blank answers and locked cells, helpers without solutions.

    python -m helpers.coursework.release OUT_DIR          # (alias: python -m helpers.release OUT_DIR)
    python -m helpers.release --nbgrader DIR [NN ...]     # an nbgrader course directory (nbgrader_export.py)

The copy installs and runs like the full course; in it, `show_solution` says solutions are not part of this copy.
The instructor keeps the full course to grade with (python -m helpers.coursework.grade).
"""

from __future__ import annotations

import argparse
import ast
import shutil
import sys
from pathlib import Path

import nbformat

from helpers.coursework.cells import find_roles, with_coursework_metadata

COURSE_ROOT = Path(__file__).resolve().parents[2]
# What a class gets: the package, the notebooks, how to install and test them. Not the course's own tests,
# benchmarks or maintainer tools (the tests hold the solutions' checks, tools rebuild notebooks).
SHIPPED = (
    "helpers",
    "notebooks",
    "binder",
    "requirements.txt",
    "pyproject.toml",
    "README.md",
    "tests/nbval_sanitize.cfg",
)
EXERCISE_MODULES = "helpers/coursework/exercises"


def strip_solutions(source: str) -> str:
    """Return a Python module's source with every `solution=` keyword argument's value replaced by ""."""
    tree = ast.parse(source)
    data = source.encode("utf-8")  # ast offsets count UTF-8 bytes
    lines = data.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "solution":
                    v = kw.value
                    spans.append((starts[v.lineno - 1] + v.col_offset, starts[v.end_lineno - 1] + v.end_col_offset))
    for begin, end in sorted(spans, reverse=True):
        data = data[:begin] + b'""' + data[end:]
    return data.decode("utf-8")


def _ignore(directory: str, names: list[str]) -> set[str]:
    return {n for n in names if n in ("__pycache__", ".ipynb_checkpoints") or n.endswith(".pyc")}


def _blank(source: str) -> bool:
    """Tell whether an answer cell still holds the placeholder: `answer = ...`, or a `def answer` returning `...`."""
    lines = [line.split("#")[0].strip() for line in source.splitlines()]
    if any(line in ("answer = ...", "answer=...") for line in lines):
        return True
    defines = any(line.startswith("def answer(") for line in lines)
    return defines and any(line in ("...", "return ...", "pass") for line in lines)


def release_notebook(src: Path, dst: Path) -> None:
    """Copy one notebook with its coursework metadata, refusing one whose answer cells are not blank."""
    nb = with_coursework_metadata(nbformat.read(src, as_version=4), src.name)
    for i, (role, exercise) in find_roles(nb).items():
        if role == "answer" and not _blank(nb.cells[i].source):
            raise ValueError(
                f"{src.name}: the answer cell of {exercise} is not blank "
                "(it must bind `answer = ...`, or define `answer` with `...` for its body)"
            )
    nbformat.write(nb, dst)


def write_release(out: Path, course: Path = COURSE_ROOT, parts: tuple[str, ...] = SHIPPED) -> Path:
    """Write the class's copy of the course into `out` (which must not exist or be empty); return `out`."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: give a new folder for the release")
    if out.resolve().is_relative_to(course.resolve()) and "helpers" in parts:
        raise ValueError(f"{out} is inside the course ({course}): write the release somewhere else")
    out.mkdir(parents=True, exist_ok=True)
    for part in parts:
        src = course / part
        if not src.exists():
            continue
        dst = out / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=_ignore)
        else:
            shutil.copy2(src, dst)
    for module in (out / EXERCISE_MODULES).glob("*.py"):
        module.write_text(strip_solutions(module.read_text(encoding="utf-8")), encoding="utf-8")
    if "notebooks" in parts:
        for nb in sorted((out / "notebooks").glob("*.ipynb")):
            release_notebook(course / "notebooks" / nb.name, nb)
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the release, or the nbgrader course directory, named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, nargs="?", help="a new folder for the class's copy")
    parser.add_argument(
        "--nbgrader",
        type=Path,
        metavar="DIR",
        help="write an nbgrader course directory instead: source/<notebook>/, solutions in BEGIN/END markers",
    )
    parser.add_argument("notebooks", nargs="*", default=[], help="with --nbgrader: only notebooks starting so (00 09)")
    args = parser.parse_args(argv)
    if args.out is None and args.nbgrader is None:
        parser.error("give OUT_DIR (the class's copy) or --nbgrader DIR (an nbgrader course)")
    if args.nbgrader is None and args.notebooks:
        parser.error("notebook names go with --nbgrader; the class's copy holds every notebook")
    if args.nbgrader is not None:
        from helpers.coursework.nbgrader_export import export

        wanted = [str(args.out)] if args.out is not None else []
        try:
            written = export(args.nbgrader, [*wanted, *args.notebooks])
        except (FileExistsError, ValueError) as exc:
            print(f"release: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {len(written)} nbgrader assignment(s) to {args.nbgrader / 'source'}")
        print(f"then, in {args.nbgrader}: nbgrader generate_assignment NAME, and nbgrader autograde NAME")
        return 0
    try:
        out = write_release(args.out)
    except (FileExistsError, ValueError) as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 2
    print(f"released the course without solutions to {out}")
    print("publish it as its own repository and give learners its nbgitpuller link (see README, Instructors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
