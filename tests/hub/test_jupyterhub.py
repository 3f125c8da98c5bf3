"""A class on a real JupyterHub: log in, follow the nbgitpuller link, run 00, open server links through the hub."""

from __future__ import annotations

import re
import subprocess
import time
import urllib.parse
import warnings

from harness.lab import (
    RESUMED,
    ROOT,
    click_menu,
    expected_counts,
    notebook_state,
    problems,
    run_all_from_menu,
    wait_for_kernel,
)
from tests.browser.test_offline_docs_in_lab import cut_off_the_internet
from tests.hub.hub import USER, course_repository


def nbgitpuller_link(hub_url: str, repo: str, branch: str, notebook: str) -> str:
    """Return the link an instructor hands out: clone `repo` into ~/course, then open `notebook` in JupyterLab."""
    query = urllib.parse.urlencode(
        {"repo": repo, "branch": branch, "targetpath": "course", "urlpath": f"lab/tree/course/{notebook}"}
    )
    return f"{hub_url}hub/user-redirect/git-pull?{query}"


def wait_for_notebook(page, name: str, timeout: float = 180) -> None:
    """Wait until JupyterLab has the course's notebook `name` in front, loaded, with its kernel idle."""
    # JupyterLab restores the last visit's tabs before it opens the one in the URL: waiting for any
    # notebook let a CI run clear and run 00 again while 01 was still loading, then miss 01's links.
    wait_for_kernel(page, f"course/notebooks/{name}", timeout)


def clear_and_run_all(page, name: str, timeout: float = 180) -> float:
    """Clear the stored outputs (so only this run's can pass), then Run All as a learner does; return seconds."""
    in_front = (notebook_state(page) or {}).get("path")
    assert in_front == f"course/notebooks/{name}", f"JupyterLab has {in_front!r} in front, not {name!r}"
    click_menu(page, "Edit", "editmenu:clear-all")
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
        ".jp-CodeCell .jp-InputPrompt')].some(e => /\\[\\d+\\]/.test(e.textContent))",
        timeout=10_000,
    )
    RESUMED.clear()
    seconds = run_all_from_menu(page, timeout=timeout)
    for line in RESUMED:
        warnings.warn(f"{name} on the hub: {line}", stacklevel=2)
    expected = expected_counts(ROOT / "notebooks" / name)
    if expected["mermaid"]:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        # JupyterLab loads its Mermaid renderer on first use: on a busy machine the diagrams come after the run.
        try:
            page.wait_for_function(
                "(n) => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
                ".jp-RenderedMermaid img, .jp-NotebookPanel:not(.lm-mod-hidden) "
                ".jp-RenderedMermaid svg').length >= n",
                arg=expected["mermaid"],
                timeout=60_000,
            )
        except PlaywrightTimeout:
            pass  # problems() names what is missing
    found = problems(page, expected)
    assert not found, "\n".join(found)
    return seconds


def follow(page, selector: str):
    """Click the first link matching `selector` (it opens a tab); return the tab once loaded, and the href."""
    link = page.locator(selector).first
    link.scroll_into_view_if_needed(timeout=10_000)
    href = link.get_attribute("href")
    with page.context.expect_page() as new:
        link.click()
    tab = new.value
    tab.wait_for_load_state("load")
    return tab, href


def test_a_class_runs_the_course_on_jupyterhub(hub, hub_browser, hub_shots, tmp_path):
    t0 = time.monotonic()
    repo, branch, commit = course_repository(tmp_path)
    context = hub_browser.new_context(viewport={"width": 1280, "height": 800})
    blocked: list[tuple[str, str]] = []
    cut_off_the_internet(context, blocked)
    page = context.new_page()
    page.set_default_timeout(30_000)
    console: list[str] = []  # JupyterLab's own messages (kernel websockets, errors), printed if the test fails
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    try:
        # The learner clicks the instructor's link, logs in, and lands on 00 in the pulled course.
        link = nbgitpuller_link(hub.url, repo, branch, "notebooks/00_start_here.ipynb")
        page.goto(
            f"{hub.url}hub/login?next={urllib.parse.quote(urllib.parse.urlsplit(link).path + '?' + urllib.parse.urlsplit(link).query)}"
        )
        page.fill("input[name=username]", USER)
        page.fill("input[name=password]", hub.password)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(re.compile(rf"/user/{USER}/lab/tree/course/notebooks/00_start_here\.ipynb"), timeout=240_000)
        wait_for_notebook(page, "00_start_here.ipynb")
        pulled = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=hub.home / "course", capture_output=True, text=True, timeout=30
        ).stdout.strip()
        assert pulled == commit, "nbgitpuller did not clone the course's commit"
        clear_and_run_all(page, "00_start_here.ipynb")
        page.screenshot(path=str(hub_shots / "hub_00_after_run_all.png"))

        # A server link goes through the hub's proxy and the user's jupyter-server-proxy.
        prefix = f"/user/{USER}/proxy/"
        tab, href = follow(page, f'a[href^="{prefix}"]:has-text("fastapi")')
        assert re.fullmatch(rf"{prefix}\d+/", href), href
        assert tab.evaluate("() => JSON.parse(document.body.innerText).framework") == "FastAPI"
        tab.goto(urllib.parse.urljoin(tab.url, "docs"))
        tab.wait_for_selector(".swagger-ui .opblock", timeout=30_000)  # rendered offline, through both proxies
        tab.screenshot(path=str(hub_shots / "hub_fastapi_docs.png"))
        tab.close()

        # Notebook 01's Django admin: the login page, then the bookshelf behind it.
        page.goto(f"{hub.url}user/{USER}/lab/tree/course/notebooks/01_architecture.ipynb")
        wait_for_notebook(page, "01_architecture.ipynb")
        clear_and_run_all(page, "01_architecture.ipynb")
        tab, href = follow(page, f'a[href^="{prefix}"][href*="/admin/"]')
        assert urllib.parse.urlsplit(tab.url).path.startswith(prefix), tab.url
        assert urllib.parse.urlsplit(tab.url).path.count("/proxy/") == 1, tab.url
        assert tab.locator("input[name=username]").count() == 1, tab.url
        tab.fill("input[name=username]", "admin")
        tab.fill("input[name=password]", "course-admin")
        with tab.expect_navigation():
            tab.click("input[type=submit]")
        with tab.expect_navigation():
            tab.click("a[href$='/bookshelf/book/']")
        assert tab.locator("#result_list").count() == 1, tab.url
        tab.screenshot(path=str(hub_shots / "hub_django_admin.png"))
        tab.close()
        needed = [(kind, url) for kind, url in blocked if kind != "image"]
        assert not needed, f"the class needed the internet: {needed}"
    except Exception:
        page.screenshot(path=str(hub_shots / "hub_failure.png"))
        print(hub.log_tail())  # the hub's log holds the user's JupyterLab's log too
        print("\n".join(["the page's console:", *console[-60:]]))
        raise
    finally:
        context.close()
    print(f"hub test: {time.monotonic() - t0:.0f} s from the link to the Django admin")
