"""Every Mermaid diagram of the course fits a 1280×800 window in JupyterLab: at most 700 px tall, sidebar open or not."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from harness.lab import Lab, open_notebook, shutdown_kernels
from tests.conftest import COURSE_NOTEBOOKS

if TYPE_CHECKING:
    from playwright.sync_api import Page

MAX_HEIGHT = 700  # px; below JupyterLab's menu, tab and status bars a 800 px window shows about 680 px of notebook
VIEWPORT = {"width": 1280, "height": 800}
CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"
# Each diagram of a cell drawn (an <img> of SVG, loaded) or failed (JupyterLab's warning): n of them in all.
RENDERED = """([cells, i, n]) => {
    const cell = document.querySelectorAll(cells)[i];
    const all = cell ? [...cell.querySelectorAll('.jp-RenderedMermaid')] : [];
    return all.length === n && all.every(m => m.classList.contains('jp-mod-warning')
        || [...m.querySelectorAll('img')].some(img => img.complete && img.naturalWidth > 0));
}"""
# The height on screen of each diagram of a cell, each scrolled into view first; null for one that failed.
HEIGHTS = """(cell) => [...cell.querySelectorAll('.jp-RenderedMermaid')].map(m => {
    m.scrollIntoView({block: 'start'});
    const img = m.querySelector('img');
    return m.classList.contains('jp-mod-warning') || !img ? null : img.getBoundingClientRect().height;
})"""
# The widest notebook a learner can have in this window: the left sidebar (file browser) closed.
COLLAPSE_LEFT = """() => {
    const shell = window.jupyterapp.shell;
    const width = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)').getBoundingClientRect().width;
    if (shell.leftCollapsed) return null;
    shell.collapseLeft();
    return width;
}"""
WIDER = "(w) => document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)').getBoundingClientRect().width > w"


def mermaid_cells(path: Path) -> dict[int, int]:
    """Return {cell index: number of ```mermaid blocks} for the Markdown cells of a notebook that have any."""
    nb = nbformat.read(path, as_version=4)
    counts = {i: c.source.count("```mermaid") for i, c in enumerate(nb.cells) if c.cell_type == "markdown"}
    return {i: n for i, n in counts.items() if n}


def diagram_heights(page: Page, lab: Lab, relpath: str) -> dict[str, dict[int, list[float | None]]]:
    """Open a notebook and return each diagram's height on screen, by layout then cell; None for one that failed."""
    expected = mermaid_cells(lab.root / relpath)
    open_notebook(page, lab, relpath)
    cells = page.locator(CELLS)
    assert cells.count() == len(nbformat.read(lab.root / relpath, as_version=4).cells), f"{relpath}: cells in the DOM"
    found: dict[str, dict[int, list[float | None]]] = {}
    for layout in ("file browser open", "left sidebar closed"):
        if layout == "left sidebar closed":
            width = page.evaluate(COLLAPSE_LEFT)
            if width is not None:
                page.wait_for_function(WIDER, arg=width, timeout=10_000)
        found[layout] = {}
        for i, n in expected.items():
            cells.nth(i).scroll_into_view_if_needed()
            page.wait_for_function(RENDERED, arg=[CELLS, i, n], timeout=60_000)  # Mermaid loads on first use
            found[layout][i] = cells.nth(i).evaluate(HEIGHTS)
    return found


def too_tall(page: Page, lab: Lab, relpath: str) -> tuple[list[str], list[str]]:
    """Return (what is wrong, every height measured) for the diagrams of one notebook, one line each."""
    wrong, seen = [], []
    for layout, by_cell in diagram_heights(page, lab, relpath).items():
        for i, heights in by_cell.items():
            for h in heights:
                where = f"{Path(relpath).name} cell {i}"
                if h is None:
                    wrong.append(f"{where}: the Mermaid diagram did not render ({layout})")
                    continue
                seen.append(f"{where}: {h:.0f} px ({layout})")
                if h > MAX_HEIGHT:
                    wrong.append(f"{where}: Mermaid diagram {h:.0f} px tall with the {layout}, limit {MAX_HEIGHT} px")
    return wrong, seen


def test_every_diagram_fits_the_window(page, lab):
    """Open each course notebook in one tab and check every diagram's height on screen."""
    assert page.viewport_size == VIEWPORT
    wrong, seen = [], []
    for name in COURSE_NOTEBOOKS:
        w, s = too_tall(page, lab, f"notebooks/{name}")
        wrong += w
        seen += s
        shutdown_kernels(lab)  # nothing runs here: don't keep seven idle kernels
    assert seen, "no Mermaid diagram measured"
    assert not wrong, "\n".join([*wrong, "", "all heights:", *seen])


def test_the_check_catches_a_tall_diagram(page, lab):
    """Name the tall diagram of a temporary notebook (never a course notebook) and not the short one beside it."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    chain = "\n".join(f"    N{k}[step {k}] --> N{k + 1}[step {k + 1}]" for k in range(12))
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Short\n\n```mermaid\nflowchart LR\n    A --> B\n```"),
            new_code_cell("x = 1"),
            new_markdown_cell(f"# Tall on purpose\n\n```mermaid\nflowchart TB\n{chain}\n```"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, lab.root / "broken" / "tall_diagram.ipynb")
    wrong, seen = too_tall(page, lab, "broken/tall_diagram.ipynb")
    assert len(seen) == 4, seen  # two diagrams, two layouts
    assert len(wrong) == 2 and all(w.startswith("tall_diagram.ipynb cell 2: Mermaid diagram") for w in wrong), wrong
