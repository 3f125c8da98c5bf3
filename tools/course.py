"""The navigation cells that link the course's notebooks (the list itself is helpers.runner.course)."""

from __future__ import annotations

import nbformat

from helpers.runner.course import NOTEBOOK_DIR, NOTEBOOKS, ROOT, notebook_names  # noqa: F401 (the one list)

NAV_MARK = "<!--NAVIGATION-->"
CONTENTS_MARK = "<!--CONTENTS-->"


def title_of(filename: str) -> str:
    """Return a notebook's H1 (from its first cell), or its planned title if it doesn't exist yet."""
    path = NOTEBOOK_DIR / filename
    if path.exists():
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                for line in cell.source.splitlines():
                    if line.startswith("# "):
                        return line[2:].strip()
                break
    return dict(NOTEBOOKS)[filename]


def nav_markdown(filename: str) -> str:
    """Return the previous / contents / next line for `filename`."""
    names = [n for n, _ in NOTEBOOKS]
    i = names.index(filename)
    parts = []
    if i > 0:
        parts.append(f"< [{names[i - 1][:2]}: {title_of(names[i - 1])}]({names[i - 1]})")
    parts.append(f"[Contents]({names[0]}#Contents)")
    if i + 1 < len(names):
        parts.append(f"[{names[i + 1][:2]}: {title_of(names[i + 1])}]({names[i + 1]}) >")
    where = "the start of the series" if i == 0 else f"part {i} of {len(names) - 1}"
    return f"{NAV_MARK}\n*This is {where}.* " + " | ".join(parts)


def contents_markdown() -> str:
    """Return the course's table of contents, built from each notebook's H1."""
    lines = [CONTENTS_MARK, "## Contents", ""]
    for i, (name, _) in enumerate(NOTEBOOKS):
        lines.append(f"{i}. [{title_of(name)}]({name})")
    return "\n".join(lines)


def with_navigation(nb: nbformat.NotebookNode, filename: str) -> nbformat.NotebookNode:
    """Return `nb` with its navigation cells (after the title, and last) and contents refreshed."""
    nb = nbformat.from_dict(nb)
    cells = [c for c in nb.cells if not (c.cell_type == "markdown" and c.source.startswith(NAV_MARK))]
    nav = nav_markdown(filename)
    top = nbformat.v4.new_markdown_cell(nav)
    bottom = nbformat.v4.new_markdown_cell(nav)
    # Stable ids keep diffs small when the navigation is rebuilt.
    top["id"], bottom["id"] = "nav-top", "nav-bottom"
    cells = cells[:1] + [top] + cells[1:] + [bottom]
    for c in cells:
        if c.cell_type == "markdown" and c.source.startswith(CONTENTS_MARK):
            c.source = contents_markdown()
    nb.cells = cells
    return nb


def stale_navigation() -> list[str]:
    """Return the notebooks whose navigation or contents cells are out of date."""
    stale = []
    for name, _ in NOTEBOOKS:
        path = NOTEBOOK_DIR / name
        if not path.exists():
            continue
        nb = nbformat.read(path, as_version=4)
        fresh = with_navigation(nb, name)
        if [c.source for c in fresh.cells] != [c.source for c in nb.cells]:
            stale.append(name)
    return stale
