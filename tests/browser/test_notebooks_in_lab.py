"""Every notebook, run as a learner runs it: open in JupyterLab, Run → Run All Cells, look at the page."""

from __future__ import annotations

import re
import time
import urllib.parse
import warnings

import pytest

from harness.lab import (
    RESUMED,
    ROOT,
    click_menu,
    expected_counts,
    open_notebook,
    problems,
    run_all_from_menu,
    run_all_timeout,
    wait_until_run,
)
from tests.conftest import COURSE_NOTEBOOKS

TIMINGS: dict[str, float] = {}


def run_notebook(page, lab, name: str, shots) -> None:
    """Open, Run All from the menu, assert nothing went wrong, save a screenshot."""
    open_notebook(page, lab, f"notebooks/{name}")
    RESUMED.clear()
    TIMINGS[name] = run_all_from_menu(page, timeout=run_all_timeout(ROOT / "notebooks" / name))
    for line in RESUMED:  # visible in pytest's warnings summary, never silent
        warnings.warn(f"{name}: {line}", stacklevel=2)
    found = problems(page, expected_counts(ROOT / "notebooks" / name))
    page.screenshot(path=str(shots / f"{name[:2]}_after_run_all.png"))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_notebook_runs_clean_in_jupyterlab(page, lab, shots, name):
    run_notebook(page, lab, name, shots)
    interact = INTERACTIONS.get(name[:2])
    if interact:
        interact(page, lab, shots)
    try_an_exercise(page, name, shots)


# One exercise per notebook, tried after Run All as a learner would: a wrong answer first (feedback that
# names the mistake, then the hint), then the solution typed into the same cell (accepted).
EXERCISE_TRIES = {
    "00": ("00.5", 'print(server_logs())\nanswer = {"exception": "ValueError", "function": "total"}'),
    "01": ("01.5", 'answer = {"Django": 0, "Flask": 4, "FastAPI": 2}'),
    "02": (
        "02.3",
        'answer = {"asyncio.run": "returns", "fix": "result = asyncio.run(fire(server.url, \\"/io?ms=100\\", 10))", '
        '"60 threads": "cell"}',
    ),
    "03": (
        "03.1",
        'answer = {"makespan": {1: 1.2, 2: 0.6, 4: 0.3}, "left": {"SIGTERM to the master": 0, '
        '"SIGKILL to the master": 0, "SIGKILL to the group": 0}}',
    ),
    "04": ("04.1", 'answer = {"django": "INNER JOIN", "sqlalchemy": "INNER JOIN", "django_nullable": "INNER JOIN"}'),
    "05": (
        "05.4",
        'answer = {"Django Ninja": {"401", "403", "404"}, "flask-smorest": {"401", "403", "404"}, '
        '"FastAPI": {"401", "403", "404"}}',
    ),
    "06": (
        "06.2",
        'answer = {"fails at 500": {"FastAPI def"}, "failure": "a", "why": "c", "limit": 10, "p50 at 500": 2.5, '
        '"most threads": ("Django async", 500, 10)}',
    ),
    "07": ("07.5", 'answer = {"DJANGO_SECRET_KEY": "dev"}'),
    "08": ("08.3", 'answer = {"plain view": 5, "async view": 1, "under WSGI": "overlap, worker free"}'),
    "09": ("09.3", 'answer = {"payments webhook receiver"}'),
}
CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"


def _run_cell(page, index: int) -> None:
    """Select cell `index` by its prompt, as a learner clicks it, and run it with Shift+Enter."""
    prompt = page.locator(CELLS).nth(index).locator(".jp-InputPrompt")
    prompt.scroll_into_view_if_needed()
    prompt.click()
    page.keyboard.press("Shift+Enter")


def try_an_exercise(page, name: str, shots) -> None:
    """Type a wrong answer, run it and its check (feedback and hint), then the solution (correct)."""
    import nbformat

    from helpers.coursework.cells import find_roles
    from helpers.coursework.exercises import EXERCISES

    exercise_id, wrong = EXERCISE_TRIES[name[:2]]
    roles = find_roles(nbformat.read(ROOT / "notebooks" / name, as_version=4))
    answer_cell = next(i for i, role in roles.items() if role == ("answer", exercise_id))
    check_cell = next(i for i, role in roles.items() if role == ("check", exercise_id))
    for text, verdict, shot in ((wrong, "Not yet", "wrong"), (EXERCISES[exercise_id].solution, "Correct", "right")):
        editor = page.locator(CELLS).nth(answer_cell).locator(".cm-content")
        editor.scroll_into_view_if_needed()
        editor.click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(text)  # as pasted: no auto-closed brackets or quotes
        page.keyboard.press("Shift+Enter")
        _run_cell(page, check_cell)
        expected = f"{verdict}: exercise {exercise_id}"
        page.wait_for_function(
            "([sel, i, text]) => (document.querySelectorAll(sel)[i]?.querySelector('.jp-OutputArea')?.innerText"
            " || '').includes(text)",
            arg=[CELLS, check_cell, expected],
            timeout=60_000,
        )
        said = page.locator(CELLS).nth(check_cell).locator(".jp-OutputArea").inner_text()
        page.screenshot(path=str(shots / f"{name[:2]}_exercise_{shot}.png"))
        if verdict == "Not yet":
            assert "Hint:" in said, said  # the hint comes after a wrong attempt, not before
        else:
            assert "Hint:" not in said and "Not yet" not in said, said


def _follow_proxy_link(page, selector: str, shots, shot: str):
    """Click the first link matching `selector` (opens a tab) and return the new page once loaded."""
    link = page.locator(selector).first
    link.scroll_into_view_if_needed(timeout=10_000)
    href = link.get_attribute("href")
    assert "/proxy/" in href, href
    with page.context.expect_page() as new:
        link.click()
    tab = new.value
    tab.wait_for_load_state("load")
    tab.screenshot(path=str(shots / shot))
    return tab


def _flask_link_href(page) -> str | None:
    return page.evaluate("""() => {
        const outs = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')];
        const out = outs.find(o => o.innerText.includes('open flask-hello'));
        const a = out && out.querySelector('a[href*="/proxy/"]');
        return a ? a.getAttribute('href') : null;
    }""")


def nb00(page, lab, shots):
    """Re-running the serving cell moves the links shown further down to the new servers, and they answer."""
    before = _flask_link_href(page)
    assert before, "no link to flask-hello after Run All"
    cell = (
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
        .filter(has_text='serve(hello_flask.create_app(), "flask-hello")')
        .first
    )
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Control+Enter")  # run the selected cell again, as the notebook invites
    page.wait_for_function(
        """(b) => {
        const outs = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')];
        const out = outs.find(o => o.innerText.includes('open flask-hello'));
        const a = out && out.querySelector('a[href*="/proxy/"]');
        return a && a.getAttribute('href') !== b;
    }""",
        arg=before,
        timeout=30_000,
    )
    after = _flask_link_href(page)
    tab = _follow_proxy_link(page, f'a[href="{after}"]', shots, "00_link_after_rerun.png")
    assert '"framework":"Flask"' in tab.content().replace(" ", ""), tab.content()[:300]
    tab.close()


def nb01(page, lab, shots):
    """The Django admin link goes through jupyter-server-proxy to the admin login page."""
    tab = _follow_proxy_link(page, 'a[href*="/proxy/"][href*="/admin/"]', shots, "01_django_admin.png")
    # The admin redirects to its login page: through the proxy, once, to the right path.
    assert urllib.parse.urlsplit(tab.url).path.count("/proxy/") == 1, tab.url
    assert tab.locator("input[name=username]").count() == 1, tab.url
    assert "Django" in tab.title(), tab.title()
    # Styled, not bare HTML: every stylesheet came through the proxy and has rules.
    sheets = tab.evaluate(
        "() => [...document.querySelectorAll('link[rel=stylesheet]')]"
        ".map(l => [l.href, !!(l.sheet && l.sheet.cssRules.length)])"
    )
    assert sheets and all(ok for _, ok in sheets), sheets
    # Log in as the notebook's superuser and land on the bookshelf's change list.
    tab.fill("input[name=username]", "admin")
    tab.fill("input[name=password]", "course-admin")
    with tab.expect_navigation():
        tab.click("input[type=submit]")
    assert urllib.parse.urlsplit(tab.url).path.count("/proxy/") == 1, tab.url
    with tab.expect_navigation():
        tab.click("a[href$='/bookshelf/book/']")
    assert tab.locator("#result_list").count() == 1, tab.url
    tab.screenshot(path=str(shots / "01_django_admin_books.png"))
    tab.close()


def _plot_src(page) -> str:
    return page.locator(".sim-widget .sim-plot img").first.get_attribute("src") or ""


def nb02(page, lab, shots):
    """Moving a simulation slider redraws the plot; Play advances the time readout."""
    box = page.locator(".sim-widget").first
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "02_sim_widget.png"))
    before = _plot_src(page)
    slider = box.locator(".widget-slider .noUi-handle, .widget-slider .slider-handle").first
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "(b) => { const i = document.querySelector('.sim-widget .sim-plot img'); return i && i.src !== b; }",
        arg=before,
        timeout=20_000,
    )
    label = box.locator(".sim-time").first
    t0 = label.inner_text()
    box.get_by_role("button", name="Play").first.click()
    page.wait_for_function(
        "(t) => document.querySelector('.sim-widget .sim-time').innerText !== t", arg=t0, timeout=20_000
    )
    time.sleep(1)
    page.screenshot(path=str(shots / "02_sim_widget_playing.png"))


def nb09(page, lab, shots):
    """Changing a weight changes the decision helper's result."""
    box = page.locator(".decision-widget").first
    box.evaluate("(b) => b.scrollIntoView({block: 'start'})")
    result = box.locator(".decision-result").first
    before = result.inner_text()
    # At 1280 x 800 the chart and the explanation sit beside the controls, in view while a slider moves.
    slider = box.locator(".widget-slider").first.bounding_box()
    shown = result.bounding_box()
    height = page.viewport_size["height"]
    assert shown["x"] > slider["x"] + slider["width"], (shown, slider)
    assert 0 <= shown["y"] < slider["y"] + 40 and shown["y"] + 200 < height, (shown, slider, height)
    handle = box.locator(".widget-slider .noUi-handle, .widget-slider .slider-handle")
    changed = False
    for i in range(handle.count()):  # push each weight to an extreme until the text changes
        handle.nth(i).focus()
        for key in ("End", "Home"):
            page.keyboard.press(key)
            try:
                page.wait_for_function(
                    "(t) => document.querySelector('.decision-widget .decision-result').innerText !== t",
                    arg=before,
                    timeout=3_000,
                )
                changed = True
                break
            except Exception:
                continue
        if changed:
            break
    page.screenshot(path=str(shots / "09_decision_widget.png"))
    assert changed, f"no weight slider changed the result: {before!r}"


def nb08(page, lab, shots):
    """FastAPI's /docs opens through the proxy, and renders offline."""
    tab = _follow_proxy_link(page, 'a[href*="/proxy/"][href*="/docs"]', shots, "08_fastapi_docs.png")
    assert "Swagger UI" in tab.title(), tab.title()
    # Swagger UI's files come from this machine (helpers.serving.offline_docs), so the page renders
    # offline: its operations show, and it names its schema under the proxy prefix.
    tab.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    schema_url = re.search(r"url: '([^']+openapi\.json)'", tab.content()).group(1)
    assert schema_url.startswith(urllib.parse.urlsplit(tab.url).path.rsplit("/docs", 1)[0]), schema_url
    schema = tab.evaluate("async (u) => (await fetch(u)).json()", schema_url)
    assert schema["openapi"].startswith("3.") and schema["paths"], schema.keys()
    tab.close()


INTERACTIONS = {"00": nb00, "01": nb01, "02": nb02, "08": nb08, "09": nb09}


def test_the_checks_catch_a_raise_a_broken_diagram_and_a_missing_widget(page, lab, shots):
    """A notebook broken on purpose three ways (a temporary copy, never a course notebook) must fail all three checks."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb = new_notebook(
        cells=[
            new_markdown_cell("# Broken on purpose\n\n```mermaid\nflowchart LR\n  A -->> B((\n```"),
            # stored outputs promise a widget view; the code no longer makes one
            new_code_cell(
                "print('no widget here')",
                outputs=[
                    new_output(
                        "display_data",
                        data={
                            "application/vnd.jupyter.widget-view+json": {
                                "model_id": "0" * 32,
                                "version_major": 2,
                                "version_minor": 0,
                            },
                            "text/plain": "VBox()",
                        },
                    )
                ],
            ),
            new_code_cell("raise ValueError('broken on purpose')"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    path = lab.root / "broken" / "broken.ipynb"
    nbformat.write(nb, path)
    open_notebook(page, lab, "broken/broken.ipynb")
    run_all_from_menu(page)
    found = "\n".join(problems(page, expected_counts(path)))
    assert "ValueError" in found and "broken on purpose" in found, found
    assert "Mermaid" in found, found
    assert "widget views rendered, expected 1" in found, found


def test_a_run_that_stops_early_is_resumed_and_reported(page, lab):
    """If only the first cell ran (as JupyterLab sometimes does on a busy machine), the rest still runs."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(f"x{i} = {i}") for i in range(3)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    path = lab.root / "broken" / "stops_early.ipynb"
    nbformat.write(nb, path)
    open_notebook(page, lab, "broken/stops_early.ipynb")
    RESUMED.clear()
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").first.locator(".jp-InputPrompt").click()
    click_menu(page, "Run", "notebook:run-cell")  # only the first cell, as in the flaky runs
    wait_until_run(page, time.monotonic())
    assert problems(page, expected_counts(path)) == []
    assert len(RESUMED) == 1 and "code cell 2 of 3" in RESUMED[0], RESUMED
    RESUMED.clear()
