"""JupyterLab on loopback, driven in Chromium like a learner: open a notebook, Run All from the menu, look."""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from typing import TYPE_CHECKING

import httpx
import nbformat

from harness.processes import NotReady, answers, free_port, start_and_wait, stop_tree, wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "screenshots"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# Settings a learner never sees but a test needs: no news or update pop-ups, no autosave
# (the tests run copies, but never write a notebook anyway), every cell in the DOM.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,
    },
}
# The server side: no news feed and no update check (nothing leaves the machine), and JupyterLab's
# app object in the page (window.jupyterapp), so a test waits on JupyterLab's own state, not on looks.
LAB_ARGS = (
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.expose_app_in_browser=True",
)
# What JupyterLab knows of the widget in front: the one its Edit and Run menus act on.
NOTEBOOK_STATE = r"""() => {
    const app = window.jupyterapp;
    if (!app) return null;
    if (!window.courseRestoredHook) {
        window.courseRestoredHook = true;
        app.restored.then(() => { window.courseRestored = true; });
    }
    const w = app.shell.currentWidget;
    const session = w && w.sessionContext;
    const kernel = session && session.session ? session.session.kernel : null;
    return {
        restored: !!window.courseRestored,
        path: w && w.context ? w.context.path : null,
        loaded: !!(w && w.context && w.context.isReady && w.isRevealed),
        session: !!(session && session.isReady),
        kernelName: session ? session.kernelDisplayName : null,
        kernel: kernel ? kernel.status : null,
        connection: kernel ? kernel.connectionStatus : null,
        menus: app.commands.isEnabled("editmenu:clear-all") && app.commands.isEnabled("runmenu:run-all"),
    };
}"""


def write_lab_settings(folder: Path) -> Path:
    """Write LAB_SETTINGS into `folder`, to be used as JUPYTERLAB_SETTINGS_DIR; return it."""
    for rel, values in LAB_SETTINGS.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(json.dumps(values))
    return folder


def root_args() -> list[str]:
    """Return the flag a Jupyter server needs when it runs as root (containers, CI), else nothing."""
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


@dataclass
class Lab:
    """A running JupyterLab: where it is, its token, the folder it serves, its process."""

    url: str
    token: str
    root: Path
    proc: Popen

    def tree_url(self, relpath: str) -> str:
        """Return the URL that opens `relpath` in a fresh workspace, logged in by the token."""
        return f"{self.url}lab/tree/{relpath}?token={self.token}&reset"


def start_lab(workdir: Path, root: Path, deadline: float = 60) -> Lab:
    """Start JupyterLab on a free loopback port with a token and its own dirs; return once it answers."""
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(write_lab_settings(workdir / "settings")),
        JUPYTERLAB_WORKSPACES_DIR=str(workdir / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
        JUPYTER_CONFIG_DIR=str(workdir / "config"),
    )
    env.pop("JUPYTERHUB_SERVICE_PREFIX", None)  # links must point at this lab's /proxy/
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        *LAB_ARGS,
        *root_args(),
    ]
    url = f"http://127.0.0.1:{port}/"
    proc = start_and_wait(
        cmd,
        answers(f"{url}api/status?token={token}"),
        "JupyterLab",
        workdir / "jupyterlab.log",
        deadline,
        env=env,
        cwd=root,
    )
    return Lab(url, token, root, proc)


def stop_lab(lab: Lab) -> None:
    """Stop JupyterLab and every kernel it started, by PID, whatever state they are in."""
    stop_tree(lab.proc, grace=10)


def shutdown_kernels(lab: Lab) -> None:
    """Shut every kernel of `lab` down through its API, so the next notebook runs alone on the 2 cores."""

    h = {"Authorization": f"token {lab.token}"}
    try:
        for k in httpx.get(f"{lab.url}api/kernels", headers=h, timeout=5).json():
            httpx.delete(f"{lab.url}api/kernels/{k['id']}", headers=h, timeout=15)
    except httpx.HTTPError:
        pass  # stop_lab kills what is left by PID


def expected_counts(path: Path) -> dict[str, int]:
    """Count what a fresh run must show: Mermaid blocks and widget views in the stored outputs."""
    nb = nbformat.read(path, as_version=4)
    mermaid = sum(c.source.count("```mermaid") for c in nb.cells if c.cell_type == "markdown")
    widgets = sum(
        1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if WIDGET_MIME in o.get("data", {})
    )
    return {"mermaid": mermaid, "widgets": widgets}


def open_notebook(page: Page, lab: Lab, relpath: str, timeout: float = 180) -> float:
    """Open a notebook in JupyterLab and wait until it is in front with its kernel idle; return the seconds it took."""
    page.goto(lab.tree_url(relpath))
    return wait_for_kernel(page, relpath, timeout)


def notebook_state(page: Page) -> dict | None:
    """Return JupyterLab's own view of the widget in front (path, loaded, kernel); None before JupyterLab runs."""
    return page.evaluate(NOTEBOOK_STATE)


def is_ready(state: dict | None, relpath: str) -> bool:
    """Tell whether `state` shows notebook `relpath` in front, loaded, with its kernel connected and idle."""
    if not state or not state["path"]:
        return False
    return (
        (state["path"] == relpath or state["path"].endswith("/" + relpath))
        and state["restored"]
        and state["loaded"]
        and state["menus"]
        and state["session"]
        and state["kernel"] == "idle"
        and state["connection"] == "connected"
    )


def wait_for_kernel(page: Page, relpath: str, timeout: float = 180) -> float:
    """Wait until notebook `relpath` is in front, loaded, with its kernel connected and idle; return the seconds."""
    # JupyterLab's state, not the page's looks: the kernel indicator reads "idle" before the file has
    # loaded and before any kernel exists. On a busy machine the hub test went on then: Clear All
    # cleared the empty placeholder cell and the file's stored outputs came in after it, and Run All
    # found no kernel (JupyterLab started one for it, killing the one it was starting, or ran nothing).
    from playwright.sync_api import Error as PlaywrightError

    last: dict = {}

    def ready() -> bool:
        try:
            dismiss_kernel_dialog(page)
            last["state"] = notebook_state(page)
        except PlaywrightError as error:  # the page is still navigating (a redirect, JupyterLab's router)
            last["state"] = str(error).splitlines()[0]
            return False
        return is_ready(last["state"], relpath)

    try:
        return wait_until(ready, f"{relpath} in JupyterLab", timeout)
    except NotReady:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "not_ready.png"))
        raise TimeoutError(
            f"{relpath} was not ready in JupyterLab within {timeout:g} s; JupyterLab's state: {last.get('state')}"
        ) from None


def dismiss_kernel_dialog(page: Page) -> bool:
    """Answer JupyterLab's "Select Kernel" dialog with the Python kernel if it is open; tell whether it was."""
    dialog = page.locator(".jp-Dialog")
    if not dialog.count():
        return False
    choices = dialog.locator("select")
    if choices.count():  # the Python kernel, as a learner picks, not whatever the list shows first
        values = choices.first.evaluate("s => [...s.options].map(o => o.value)")
        python = [v for v in values if '"python3"' in v]
        if python:
            choices.first.select_option(python[0])
    dialog.locator(".jp-mod-accept").first.click()
    page.wait_for_timeout(500)
    return True


def blank_copy(src: Path, dest: Path) -> None:
    """Copy a notebook without its outputs, so only what a fresh run shows can pass the checks."""
    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)


def click_menu(page: Page, menu: str, command: str) -> None:
    """Open the menu-bar menu named `menu` and click its item that runs `command`."""
    page.locator(".lm-MenuBar-item").filter(has_text=re.compile(rf"^{re.escape(menu)}$")).click()
    page.click(f".lm-Menu-item[data-command='{command}']")


RESUMED: list[str] = []  # one line per Run All that stopped early and was resumed, for the report


def run_all_timeout(path: Path, floor: float = 90.0) -> float:
    """Return how long a Run All of the notebook at `path` may take in a test: twice its stored build's time, or `floor`.

    The build stores `run_all_seconds` at full durations, longer than the tests' quick runs: twice it leaves room
    for a busy machine without waiting long on a notebook that really hangs.
    """
    seconds = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("run_all_seconds", 0)
    return max(floor, 2.0 * float(seconds or 0))


def run_all_from_menu(page: Page, timeout: float = 90, resumes: int = 2) -> float:
    """Click Run → Run All Cells, wait until every cell has run or one has failed; return the seconds it took."""
    t0 = time.monotonic()
    dismiss_kernel_dialog(page)
    click_menu(page, "Run", "runmenu:run-all")
    return wait_until_run(page, t0, timeout, resumes)


def wait_until_run(page: Page, t0: float, timeout: float = 90, resumes: int = 2) -> float:
    """Wait until every code cell has run or one has failed, resuming a run that stopped early."""
    end, quiet_since, retry_at = time.monotonic() + timeout, None, 10.0
    started = False
    while time.monotonic() < end:
        state = page.evaluate("""() => {
            const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            const p = [...nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim());
            const status = nb.querySelector('.jp-Notebook-ExecutionIndicator');
            const failed = [...nb.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
                .some(e => /Traceback|^\\w*(Error|Exception)\\b/m.test(e.innerText));
            return {running: p.filter(t => t === '[*]:').length, done: p.filter(t => /\\[\\d+\\]/.test(t)).length,
                    cells: p.length, firstNotRun: p.findIndex(t => !/\\[(\\d+|\\*)\\]/.test(t)), failed,
                    kernel: status ? status.getAttribute('data-status') : 'unknown'};
        }""")
        if not started and (dismiss_kernel_dialog(page) or time.monotonic() - t0 > retry_at):
            retry_at += 10  # a late "Select Kernel" dialog or a busy page swallowed the click
            click_menu(page, "Run", "runmenu:run-all")
        if state["running"] or state["done"]:
            started = True
        if started and not state["running"]:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 1.5:
                if state["firstNotRun"] >= 0 and not state["failed"] and resumes > 0:
                    # On a busy machine JupyterLab sometimes drops the queued cells after the first one
                    # (a late kernel handshake): do what a learner does, run the rest from there.
                    RESUMED.append(
                        f"Run All stopped at code cell {state['firstNotRun'] + 1} of {state['cells']} "
                        f"(kernel {state['kernel']}); resumed with Run Selected Cell and All Below"
                    )
                    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").nth(
                        state["firstNotRun"]
                    ).locator(".jp-InputPrompt").click()
                    click_menu(page, "Run", "notebook:run-all-below")
                    resumes, quiet_since = resumes - 1, None
                    continue
                return time.monotonic() - t0
        else:
            quiet_since = None
        time.sleep(0.25)
    page.screenshot(path=str(SHOTS / "timeout.png"))
    raise TimeoutError(f"cells still running after {timeout} s: {state}")


def problems(page: Page, expected: dict[str, int]) -> list[str]:
    """Return what a learner would see go wrong: tracebacks, broken diagrams, widgets that failed."""
    try:  # a widget shown near the end of a long run may still be loading on a busy machine: give it a moment
        page.wait_for_function(
            "() => ![...document.querySelectorAll('.jp-OutputArea-output')]"
            ".some(v => /Loading widget/.test(v.innerText))",
            timeout=10_000,
        )
    except Exception:  # still loading after 10 s: report it below like any widget that failed
        pass
    found = page.evaluate(
        """(mime) => {
        const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        const errs = [...nb.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
            .map(e => e.innerText);
        const mermaid = [...nb.querySelectorAll('.jp-RenderedMermaid')];
        // top-level outputs of cells (not the ones inside an Output widget) that are widget views
        const views = [...nb.querySelectorAll('.jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output')]
            .filter(v => v.getAttribute('data-mime-type') === mime || v.matches('.jupyter-widgets')
                         || v.querySelector('.jupyter-widgets') || /Error displaying widget|Loading widget/.test(v.innerText));
        return {
            errs,
            mermaidOk: mermaid.filter(m => !m.classList.contains('jp-mod-warning') && m.querySelector('img, svg')).length,
            mermaidBad: mermaid.filter(m => m.classList.contains('jp-mod-warning')).map(m => m.innerText.slice(0, 200)),
            views: views.length,
            viewsOk: views.filter(v => v.querySelector('.jupyter-widgets, .widget-output, .lm-Widget .jupyter-widgets')
                                        && !/Error displaying widget|Loading widget/.test(v.innerText)).length,
            viewsText: views.map(v => v.innerText.slice(0, 120)),
            prompts: [...nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim()),
            kernel: (nb.querySelector('.jp-Notebook-ExecutionIndicator') || {getAttribute: () => 'unknown'})
                .getAttribute('data-status'),
        };
    }""",
        WIDGET_MIME,
    )
    out = []
    not_run = [i for i, prompt in enumerate(found["prompts"]) if not re.fullmatch(r"\[\d+\]:", prompt)]
    if not_run:
        # Run All stopped early, or never reached these cells: never pass on half a run.
        out.append(
            f"{len(not_run)} of {len(found['prompts'])} code cells did not run (first: code cell "
            f"{not_run[0] + 1}, prompt {found['prompts'][not_run[0]]!r}; kernel {found['kernel']})"
        )
    for text in found["errs"]:
        if "Traceback" in text or re.search(r"^\w*(Error|Exception)\b", text, re.M):
            out.append("error output: " + text.strip()[-400:])
    for text in found["mermaidBad"]:
        out.append("Mermaid did not render: " + text)
    if found["mermaidOk"] != expected["mermaid"]:
        out.append(f"{found['mermaidOk']} Mermaid diagrams rendered, expected {expected['mermaid']}")
    if found["views"] != expected["widgets"] or found["viewsOk"] != expected["widgets"]:
        out.append(
            f"{found['viewsOk']} of {found['views']} widget views rendered, expected "
            f"{expected['widgets']}: {found['viewsText']}"
        )
    return out
