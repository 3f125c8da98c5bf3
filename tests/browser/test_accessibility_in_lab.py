"""axe-core over the course's content in JupyterLab: text alternatives, table headers, named controls, keyboard use.

axe-core is pinned (version and the registry's sha512), fetched once with `npm pack` into the course's
cache folder, and injected into the page. It checks the course's content only: rendered Markdown and
cell outputs (widgets and feedback included), never JupyterLab's own interface.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import tarfile
import tempfile
import warnings
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from harness.cache import cache_dir
from harness.lab import ROOT, open_notebook, run_all_from_menu
from tests.conftest import COURSE_NOTEBOOKS, skip_unless

AXE_VERSION = "4.14.1"
AXE_INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
# The course's content: rendered Markdown cells and every cell output. JupyterLab's chrome (menus,
# editors, prompts) is left out: its own findings are JupyterLab's to fix, not the course's.
CONTENT = [[".jp-MarkdownOutput"], [".jp-OutputArea-output"]]
# What the stored outputs must pass. Links in a sentence pass link-in-text-block only with the course's
# JupyterLab style (lab-style/: underlined links), which every JupyterLab in the course's environment loads.
STORED_RULES = ("image-alt", "empty-table-header", "link-in-text-block")
# The classes of the widget boxes around the element axe names by `target` (a CSS selector).
ANCESTOR_CLASSES = """(target) => {
    let el = document.querySelector(target), classes = [];
    for (; el; el = el.parentElement) classes.push(el.className || '');
    return classes.join(' ');
}"""
DARK, LIGHT = "JupyterLab Dark", "JupyterLab Light"
CHANGE_THEME = "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})"
THEME_IS = "(theme) => document.body.dataset.jpThemeName === theme"
WITHOUT_COURSE_STYLE = """() => document.querySelectorAll('link[href*="custom/custom.css"]').forEach(l => l.remove())"""
WIDGET_RULES = ("button-name", "select-name", "image-alt", "label", "empty-table-header")
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
# axe's colour rules see no text while JupyterLab's themed body hides its overflow; the page
# looks the same without it, and the report's contrast counts then mean something.
SHOW_OVERFLOW = "() => { document.body.style.overflow = 'visible'; }"
RUN_AXE = """async (include) => {
    const result = await axe.run({include}, {resultTypes: ['violations']});
    return result.violations.map(v => ({id: v.id, impact: v.impact,
        nodes: v.nodes.map(n => ({html: n.html.slice(0, 300), target: n.target.join(' '), impact: v.impact}))}));
}"""


def axe_script() -> str | None:
    """Return axe-core's minified source from the cache, fetching the pinned tarball with npm if needed."""
    folder = cache_dir() / f"axe-core-{AXE_VERSION}"
    script = folder / "axe.min.js"
    if script.exists():
        return script.read_text()
    npm = shutil.which("npm")
    if not npm:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", tmp, "--loglevel=error"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        tarball = Path(tmp) / f"axe-core-{AXE_VERSION}.tgz"
        if done.returncode or not tarball.exists():
            raise RuntimeError(f"npm pack axe-core@{AXE_VERSION} failed:\n{done.stderr[-2000:]}")
        # The registry's own integrity: a different file under the same version is never run.
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if digest != AXE_INTEGRITY:
            raise RuntimeError(f"axe-core {AXE_VERSION} from npm has integrity {digest}, expected {AXE_INTEGRITY}")
        with tarfile.open(tarball) as archive:
            source = archive.extractfile("package/axe.min.js").read().decode()
    folder.mkdir(parents=True, exist_ok=True)
    script.write_text(source)
    return source


@pytest.fixture(scope="module")
def axe(browser_ready) -> str:
    """axe-core's source; skip without npm (fail in CI, where COURSE_REQUIRE_BROWSER=1)."""
    source = axe_script()
    skip_unless(
        None if source else "npm not found: it fetches axe-core (Debian: apt-get install npm)",
        required_by="COURSE_REQUIRE_BROWSER",
    )
    return source


def run_axe(page, axe: str, include: list[list[str]] = CONTENT) -> dict[str, list[dict]]:
    """Run axe over `include` in the notebook in front; return the violated rules and their nodes."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe)
    page.evaluate(SHOW_OVERFLOW)
    return {v["id"]: v["nodes"] for v in page.evaluate(RUN_AXE, include)}


def grave(nodes: list[dict]) -> bool:
    """Tell whether axe rated these findings of one rule serious or critical."""
    return any(n.get("impact") in ("serious", "critical") for n in nodes)


def summary(found: dict[str, list[dict]]) -> str:
    """Return the violated rules and their counts, most first, on one line."""
    return ", ".join(f"{rule} {len(nodes)}" for rule, nodes in sorted(found.items(), key=lambda kv: -len(kv[1])))


def wait_for_rendering(page) -> None:
    """Wait until every Markdown cell has rendered and the Mermaid diagrams have drawn (or failed)."""
    page.wait_for_function(
        """() => {
        const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        const pending = [...nb.querySelectorAll('.jp-RenderedMermaid')]
            .filter(m => !m.querySelector('img, svg') && !m.classList.contains('jp-mod-warning'));
        return nb.querySelectorAll('.jp-MarkdownOutput').length > 0 && pending.length === 0;
    }""",
        timeout=60_000,
    )


def on_theme(page, theme: str) -> None:
    """Switch JupyterLab to `theme` and wait until it applies."""
    page.evaluate(CHANGE_THEME, theme)
    page.wait_for_function(THEME_IS, arg=theme, timeout=30_000)


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_stored_outputs_have_text_alternatives_and_table_headers(page, lab, axe, name):
    """The notebook as stored, opened and not run: every image has alt text, every table header has words.

    Checked on JupyterLab's light theme, then its dark one (colour contrast). Stored outputs change only when
    the notebooks are rebuilt: until then this reports what is stored.
    """
    copy = lab.root / "stored" / name
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(ROOT / "notebooks" / name, copy)
    open_notebook(page, lab, f"stored/{name}")
    wait_for_rendering(page)
    found = run_axe(page, axe)
    on_theme(page, DARK)
    try:
        for rule, nodes in run_axe(page, axe).items():
            found.setdefault(rule, []).extend({**n, "html": f"(dark) {n['html']}"} for n in nodes)
    finally:  # the lab's settings are shared by the other tests
        on_theme(page, LIGHT)
    # Every rule axe found, asserted or not, in pytest's warnings summary: never silent.
    warnings.warn(
        f"axe-core {AXE_VERSION} over {name} (stored outputs, light and dark): {summary(found) or 'no violations'}",
        stacklevel=1,
    )
    # The rules named above, and any other axe finds serious or critical: none in the course's content.
    failed = {rule: nodes for rule, nodes in found.items() if rule in STORED_RULES or grave(nodes)}
    assert not failed, "\n".join(
        f"{rule}: {len(nodes)} — " + "; ".join(n["html"][:120] for n in nodes[:3]) for rule, nodes in failed.items()
    )


def _broken_outputs_notebook() -> nbformat.NotebookNode:
    """A notebook whose stored outputs are broken on purpose: an image with no alt, a header with no words."""
    from io import BytesIO

    from PIL import Image

    png = BytesIO()
    Image.new("RGB", (40, 20), "#0072B2").save(png, format="PNG")
    image = new_output("display_data", data={"image/png": base64.b64encode(png.getvalue()).decode(), "text/plain": "x"})
    table = new_output(
        "display_data",
        data={
            "text/html": "<table><thead><tr><th></th><th>value</th></tr></thead><tbody><tr><td>a</td>"
            "<td>1</td></tr></tbody></table>",
            "text/plain": "a 1",
        },
    )
    words = (
        "A sentence with [a link](https://jupyter.org) in it, told apart by colour alone without the course's style."
    )
    nb = new_notebook(
        cells=[new_markdown_cell(f"# Broken on purpose\n\n{words}"), new_code_cell("", outputs=[image, table])]
    )
    nb.metadata["kernelspec"] = KERNELSPEC
    return nb


def test_the_check_fails_on_an_image_with_no_alt_an_empty_header_and_a_link_told_by_colour(page, lab, axe):
    """The stored-output check can fail: a copy broken on purpose (never a course notebook) fails every rule."""
    path = lab.root / "broken" / "no_alt.ipynb"
    path.parent.mkdir(exist_ok=True)
    nbformat.write(_broken_outputs_notebook(), path)
    open_notebook(page, lab, "broken/no_alt.ipynb")
    wait_for_rendering(page)
    assert "link-in-text-block" not in run_axe(page, axe)  # the course's style underlines the link
    page.evaluate(WITHOUT_COURSE_STYLE)  # JupyterLab as it comes
    found = run_axe(page, axe)
    assert set(STORED_RULES) <= set(found), summary(found)


WIDGETS = [
    "from helpers.concurrency.sim_widget import explore\n\nexplore(n=10, io_ms=100, cpu_ms=5)",
    "from helpers.usecases.decision_widget import decision_widget\n\ndecision_widget()",
    # Broken on purpose: an icon with no words, which the check must catch.
    "import ipywidgets as widgets\n\nwidgets.Button(icon='play').add_class('broken-on-purpose')",
]


def _run_widgets(page, lab, name: str, cells: list[str]) -> None:
    nb = new_notebook(cells=[new_markdown_cell("# The course's widgets"), *map(new_code_cell, cells)])
    nb.metadata["kernelspec"] = KERNELSPEC
    path = lab.root / "broken" / name
    path.parent.mkdir(exist_ok=True)
    nbformat.write(nb, path)
    open_notebook(page, lab, f"broken/{name}")
    run_all_from_menu(page)
    page.wait_for_selector(".sim-widget .sim-plot img", timeout=60_000)
    page.wait_for_selector(".decision-widget .decision-result", timeout=60_000)


def test_widgets_name_their_controls_and_images_and_work_from_the_keyboard(page, lab, axe):
    """Both widgets, used: no unnamed button, menu or image; sliders, Play, a preset and Reset by keys alone."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    _run_widgets(page, lab, "widgets.ipynb", WIDGETS)
    found = run_axe(page, axe)
    broken = [n for n in found.get("button-name", []) if "broken-on-purpose" in n["html"]]
    assert broken, f"the unnamed button shown on purpose was not caught: {summary(found)}"
    course = {
        rule: [n for n in nodes if "broken-on-purpose" not in n["html"]]
        for rule, nodes in found.items()
        if rule in WIDGET_RULES or grave(nodes)
    }
    assert not any(course.values()), {rule: [n["html"][:120] for n in nodes] for rule, nodes in course.items() if nodes}
    warnings.warn(f"axe-core {AXE_VERSION} over the two widgets, used: {summary(found)}", stacklevel=1)

    sim = page.locator(".sim-widget").first
    readout = sim.locator(".sim-time")
    image = sim.locator(".sim-plot img")
    assert "all 10 requests done" in image.get_attribute("alt")
    sim.locator(".noUi-handle").first.focus()  # the "requests" slider, the first stop of Tab in the widget
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    # The picture and its words follow the keys: 13 requests now.
    page.wait_for_function(
        "() => document.querySelector('.sim-widget .sim-plot img').alt.includes('all 13 requests done')",
        timeout=20_000,
    )
    # Tab on from the slider until Play has the focus: it is reachable from the keyboard, in order.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.innerText.trim()") == "Play":
            break
    else:
        pytest.fail("Tab never reached the Play button")
    start = readout.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(t) => document.querySelector('.sim-widget .sim-time').innerText !== t", arg=start, timeout=20_000
    )
    assert sim.get_by_role("button", name="Pause").count() == 1
    page.keyboard.press("Enter")  # the same button, now Pause
    sim.get_by_role("button", name="Play").wait_for(timeout=10_000)

    box = page.locator(".decision-widget").first
    result = box.locator(".decision-result")
    start = result.inner_text()
    presets = box.get_by_role("combobox", name="Preset")
    presets.focus()
    # Open the list (Space), one down, Enter: past the preset the widget started from, to one that changes
    # the result. A bare ArrowDown on the closed list is JupyterLab's "next cell" in command mode: it moves
    # the focus out of the output, so a learner opens the list first (or uses PageDown, End).
    for _ in range(presets.locator("option").count()):
        for key in (" ", "ArrowDown", "Enter"):
            page.keyboard.press(key)
        try:
            page.wait_for_function(
                "(t) => document.querySelector('.decision-widget .decision-result').innerText !== t",
                arg=start,
                timeout=5_000,
            )
            break
        except PlaywrightTimeout:
            continue
    else:
        pytest.fail("no preset chosen from the keyboard changed the result")
    assert presets.input_value() != "(your own)"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.innerText.trim()") == "Reset"
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(t) => document.querySelector('.decision-widget .decision-result').innerText === t", arg=start, timeout=20_000
    )
    assert presets.input_value() == "(your own)"


def test_every_slider_handle_has_an_accessible_name(page, lab, axe):
    # ipywidgets 8 names no slider handle (jupyter-widgets/ipywidgets#2650); helpers.slider_names does, for
    # the course's widgets. A bare slider shown beside them keeps the check honest: it must be caught.
    bare = "import ipywidgets as widgets\n\nwidgets.IntSlider(description='bare').add_class('broken-on-purpose')"
    _run_widgets(page, lab, "sliders.ipynb", [*WIDGETS[:2], bare])
    unnamed = run_axe(page, axe).get("aria-input-field-name", [])
    bare = [n for n in unnamed if "broken-on-purpose" in page.evaluate(ANCESTOR_CLASSES, n["target"])]
    assert bare, f"the bare slider shown on purpose was not caught: {len(unnamed)} unnamed"
    assert len(unnamed) == len(bare), f"{len(unnamed) - len(bare)} of the course's slider handles have no name"
    names = page.evaluate(
        "() => [...document.querySelectorAll('.sim-widget .noUi-handle')].map(h => h.getAttribute('aria-label'))"
    )
    assert "requests" in names and "time cursor" in names, names
