"""The prose of the stored notebooks: every helper it names, every notebook it points to, and its headings.

Each check reads the Markdown cells of the notebooks in NOTEBOOK_DIR; the "can fail" tests point NOTEBOOK_DIR at
a temporary copy with one broken sentence and show that the same test function then fails.
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.runner.course import NOTEBOOK_DIR, ROOT, notebook_names
from tests.conftest import COURSE_NOTEBOOKS

# A path inside the helpers package, as prose names it: helpers/components/contract.py, helpers/apps/.
HELPER_PATH = re.compile(r"(?<![\w./-])helpers/[\w./-]*[\w/]")
# A dotted name inside a code span: `helpers.components.contract`, `helpers.concurrency.load.run_load`.
CODE_SPAN = re.compile(r"`([^`\n]+)`")
HELPER_DOTTED = re.compile(r"(?<![\w.])helpers(?:\.\w+)+")
# A notebook file: a link target (02_concurrency.ipynb#Summary) or a name in the text.
NOTEBOOK_FILE = re.compile(r"(?<![\w-])(\d\d_[\w-]*\.ipynb)")
# "notebook 03", "Notebooks 02 and 06", "notebooks 04, 05 or 06".
NOTEBOOK_NUMBERS = re.compile(r"\b[Nn]otebooks?\s+(\d\d(?:(?:,\s*|\s+and\s+|\s+or\s+)\d\d)*)\b")
# "notebook 03 (*Serving for real*)", "notebook 03, *Serving for real*".
NUMBER_AND_TITLE = re.compile(r"\b[Nn]otebook\s+(\d\d)(?:,\s*|\s+\()\*([^*\n]+)\*")
# "[01: Architecture: one app built three ways](01_architecture.ipynb)", as the navigation cells write it.
NUMBERED_LINK = re.compile(r"\[(\d\d): ([^\]\n]+)\]\((\d\d_[\w-]*\.ipynb)[)#]")
# "the serving notebook", "the web-layer notebook": a notebook named by its subject (not "the model of notebook 02").
NAMED = re.compile(r"\b[Tt]he ([a-z][\w'-]*(?: [a-z][\w'-]*)?) notebook\b(?!\s*\d)")
# Words that name no notebook in "the X notebook".
NOT_A_NAME = {
    "current", "earlier", "executed", "final", "first", "following", "fresh", "graded", "instructor's", "last",
    "learner's", "new", "next", "original", "other", "previous", "released", "running", "same", "stored",
    "student's", "submitted", "this", "whole",
}  # fmt: skip
# Words that end a phrase before "notebook" starts a new one: "the server this notebook uses".
NOT_IN_A_NAME = {"a", "an", "by", "for", "from", "in", "of", "on", "that", "this", "to", "with"}
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK_DIR / name, as_version=4)


def prose(name: str) -> list[tuple[int, str]]:
    """Return (index in `cells`, source) of every Markdown cell of notebook `name`."""
    return [(i, c.source) for i, c in enumerate(read(name).cells) if c.cell_type == "markdown"]


def h1(name: str) -> str:
    """Return the notebook's title, its first level-1 heading."""
    for _, source in prose(name):
        for line in source.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return ""


def top_level_names(path: str) -> set[str]:
    """Return the names a module's source defines or imports at top level (inside `if` and `try` too), and `__all__`."""
    names: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
                if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
                    names.update(ast.literal_eval(node.value))
            elif isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(ast.parse(Path(path).read_text(encoding="utf-8")).body)
    return names


def missing_dotted(dotted: str) -> str | None:
    """Say what is missing from `dotted` (a module, or a name in one), or return None when it exists.

    Finds the longest prefix that is a module with importlib's finders, which import nothing below `helpers`
    itself; the next part must then be a name that module defines or imports, read from its source.
    """
    parts = dotted.split(".")
    spec = importlib.util.find_spec(parts[0])
    if spec is None:
        return f"no package {parts[0]}"
    module, i = parts[0], 1
    while i < len(parts) and spec.submodule_search_locations:
        sub = importlib.machinery.PathFinder.find_spec(f"{module}.{parts[i]}", list(spec.submodule_search_locations))
        if sub is None:
            break
        spec, module, i = sub, f"{module}.{parts[i]}", i + 1
    if i == len(parts):
        return None
    if parts[i] not in top_level_names(spec.origin):
        return f"{module} has no module or name {parts[i]!r}"
    return None


def helper_problems(name: str) -> list[str]:
    """Return every helpers/… path and helpers.… name in the notebook's prose that doesn't exist."""
    problems = []
    for i, source in prose(name):
        for path in HELPER_PATH.findall(source):
            target = ROOT / path
            if not (target.is_dir() if path.endswith("/") else target.exists()):
                problems.append(f"cell {i}: {path} does not exist")
        for span in CODE_SPAN.findall(source):
            for dotted in HELPER_DOTTED.findall(span):
                missing = missing_dotted(dotted)
                if missing:
                    problems.append(f"cell {i}: `{dotted}`: {missing}")
    return problems


def notebook_reference_problems(name: str) -> list[str]:
    """Return every notebook the prose names (file, number, number and title, or subject) that isn't in the course."""
    names = [n for n in notebook_names() if (NOTEBOOK_DIR / n).exists()]
    by_number = {n[:2]: n for n in names}
    titles = {n: h1(n) for n in names}
    subjects = set()
    for n in names:
        subjects.add(n[3:].removesuffix(".ipynb").replace("_", " "))  # "web layer", "use cases"
        subjects.add(re.sub(r"^the ", "", titles[n].split(":")[0].lower()))  # "serving for real"
    subjects |= {" ".join(w.removesuffix("s") for w in s.split()) for s in subjects}  # "use case"

    def title_matches(number: str, title: str) -> bool:
        full = titles[by_number[number]].lower()
        title = title.strip().lower()
        return full.startswith(title) or full.removeprefix("the ").startswith(title)

    problems = []
    for i, source in prose(name):
        for file in NOTEBOOK_FILE.findall(source):
            if file not in names:
                problems.append(f"cell {i}: {file} is not a notebook of the course")
        for numbers in NOTEBOOK_NUMBERS.findall(source):
            for number in re.findall(r"\d\d", numbers):
                if number not in by_number:
                    problems.append(f"cell {i}: there is no notebook {number}")
        for number, title in NUMBER_AND_TITLE.findall(source):
            if number in by_number and not title_matches(number, title):
                problems.append(f"cell {i}: notebook {number} is {titles[by_number[number]]!r}, not {title!r}")
        for number, title, file in NUMBERED_LINK.findall(source):
            if file[:2] != number or (number in by_number and not title_matches(number, title)):
                problems.append(f"cell {i}: the link [{number}: {title}] leads to {file}")
        for words in NAMED.findall(source):
            subject = words.lower().replace("-", " ").replace("'s", "")
            if subject.split()[0] in NOT_A_NAME or NOT_IN_A_NAME & set(subject.split()):
                continue
            if subject not in subjects and " ".join(w.removesuffix("s") for w in subject.split()) not in subjects:
                problems.append(f"cell {i}: no notebook is 'the {words} notebook'")
    return problems


def headings(name: str) -> list[tuple[int, int, str]]:
    """Return (cell index, level, text) of every Markdown heading, in order, skipping fenced code."""
    found = []
    for i, source in prose(name):
        fenced = False
        for line in source.splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            elif not fenced and (m := HEADING.match(line)):
                found.append((i, len(m.group(1)), m.group(2)))
    return found


def repeated_heading_problems(name: str) -> list[str]:
    """Return each heading that repeats the heading just before it, same level and text."""
    found = headings(name)
    return [
        f"cells {a[0]} and {b[0]}: {'#' * b[1]} {b[2]} twice in a row"
        for a, b in zip(found, found[1:])
        if a[1:] == b[1:]
    ]


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_every_helper_the_prose_names_exists(name):
    assert helper_problems(name) == []


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_every_notebook_the_prose_refers_to_exists(name):
    assert notebook_reference_problems(name) == []


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_no_heading_repeats_the_one_before_it(name):
    assert repeated_heading_problems(name) == []


# Can fail: the same tests over a copy of the notebooks with one sentence broken.


@pytest.fixture
def broken_copy(tmp_path, monkeypatch):
    """Copy the notebooks to tmp_path, point NOTEBOOK_DIR there, and return a function that edits a copy's prose."""
    for name in COURSE_NOTEBOOKS:
        shutil.copy(NOTEBOOK_DIR / name, tmp_path / name)
    monkeypatch.setattr(sys.modules[__name__], "NOTEBOOK_DIR", tmp_path)

    def edit(name: str, old: str, new: str) -> None:
        nb = nbformat.read(tmp_path / name, as_version=4)
        cells = [c for c in nb.cells if c.cell_type == "markdown" and old in c.source]
        assert cells, f"{old!r} is not in the prose of {name}"
        cells[0].source = cells[0].source.replace(old, new, 1)
        nbformat.write(nb, tmp_path / name)

    return edit


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("`helpers/components/contract.py`", "`helpers/contract.py`", "helpers/contract.py does not exist"),
        ("`helpers/components/contract.py`", "`helpers/gone/`", "helpers/gone/ does not exist"),
        ("`helpers/components/contract.py`", "`helpers.contract`", "`helpers.contract`: helpers has no"),
        (
            "`helpers/components/contract.py`",
            "`helpers.components.contract.no_such_step`",
            "helpers.components.contract has no module or name 'no_such_step'",
        ),
    ],
)
def test_a_helper_that_moved_fails_the_test(broken_copy, old, new, problem):
    broken_copy("01_architecture.ipynb", old, new)
    with pytest.raises(AssertionError, match=re.escape(problem)):
        test_every_helper_the_prose_names_exists("01_architecture.ipynb")


@pytest.mark.parametrize(
    ("new", "problem"),
    [
        ("[notebook 12](12_deployment.ipynb)", "12_deployment.ipynb is not a notebook of the course"),
        ("notebook 12", "there is no notebook 12"),
        ("notebook 03 (*Serving on a laptop*)", "notebook 03 is 'Serving for real"),
        ("the components notebook", "no notebook is 'the components notebook'"),
    ],
)
def test_a_notebook_that_does_not_exist_fails_the_test(broken_copy, new, problem):
    broken_copy("02_concurrency.ipynb", "notebook 03 (*Serving for real*)", new)
    with pytest.raises(AssertionError, match=re.escape(problem)):
        test_every_notebook_the_prose_refers_to_exists("02_concurrency.ipynb")


def test_a_navigation_link_to_the_wrong_notebook_fails_the_test(broken_copy):
    broken_copy("01_architecture.ipynb", "(02_concurrency.ipynb)", "(03_serving.ipynb)")
    with pytest.raises(AssertionError, match=re.escape("the link [02: Concurrency")):
        test_every_notebook_the_prose_refers_to_exists("01_architecture.ipynb")


def test_the_names_the_course_uses_pass():
    """What the course's prose does say, in each form, is accepted."""
    assert missing_dotted("helpers.components.contract") is None
    assert missing_dotted("helpers.stop_all") is None  # a re-export, known only by `__all__` and TYPE_CHECKING
    assert missing_dotted("helpers.concurrency.load.run_load") is None
    assert missing_dotted("helpers.concurrency.load.no_such_name") is not None


def test_a_repeated_heading_fails_the_test(broken_copy):
    broken_copy(
        "04_data.ipynb", "### Exercise 04.4: fix the N+1 loop", "## Exercises\n\n### Exercise 04.4: fix the N+1 loop"
    )
    with pytest.raises(AssertionError, match="## Exercises twice in a row"):
        test_no_heading_repeats_the_one_before_it("04_data.ipynb")
