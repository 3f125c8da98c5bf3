"""Start JupyterLab for the browser tests and drive it like a learner: open, Run All, look."""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "screenshots"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# Settings a learner never sees but a test needs: no news or update pop-ups, no autosave
# (the tests run copies, but never write a notebook anyway), every cell in the DOM.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none", "autoStartDefaultKernel": True},
}


def find_chromium() -> str | None:
    """Return the path of Debian's Chromium, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: where it is, its token, the folder it serves, its process."""

    url: str
    token: str
    root: Path
    proc: subprocess.Popen

    def tree_url(self, relpath: str) -> str:
        return f"{self.url}lab/tree/{relpath}?token={self.token}&reset"


def start_lab(workdir: Path, root: Path, deadline: float = 60) -> Lab:
    """Start JupyterLab on a free loopback port with a token and its own dirs; wait until it answers."""
    settings = workdir / "settings"
    for rel, values in LAB_SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(values))
    env = dict(os.environ,
               JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(workdir / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
               JUPYTER_CONFIG_DIR=str(workdir / "config"))
    env.pop("JUPYTERHUB_SERVICE_PREFIX", None)  # links must point at this lab's /proxy/
    port, token = free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(workdir / "jupyterlab.log", "wb")
    proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    lab = Lab(f"http://127.0.0.1:{port}/", token, root, proc)
    import httpx

    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited: {(workdir / 'jupyterlab.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"{lab.url}api/status?token={token}", timeout=2).status_code == 200:
                return lab
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_lab(lab)
    raise RuntimeError(f"JupyterLab did not answer within {deadline} s")


def stop_lab(lab: Lab) -> None:
    """Stop JupyterLab and every kernel it started, by PID, whatever state they are in."""
    try:
        children = psutil.Process(lab.proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    lab.proc.terminate()  # the server shuts its kernels down on SIGTERM
    try:
        lab.proc.wait(10)
    except subprocess.TimeoutExpired:
        lab.proc.kill()
        lab.proc.wait(5)
    for child in children:  # anything the server did not stop in time
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(children, timeout=5)


def shutdown_kernels(lab: Lab) -> None:
    """Shut every kernel of `lab` down through its API, so the next notebook runs alone on the 2 cores."""
    import httpx

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
    widgets = sum(1 for c in nb.cells if c.cell_type == "code"
                  for o in c.get("outputs", []) if WIDGET_MIME in o.get("data", {}))
    return {"mermaid": mermaid, "widgets": widgets}


def open_notebook(page, lab: Lab, relpath: str) -> None:
    """Open a notebook in JupyterLab and wait until its kernel is ready."""
    page.goto(lab.tree_url(relpath))
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    idle = ".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']"
    # JupyterLab sometimes asks which kernel to start; a learner clicks "Select".
    page.wait_for_selector(f"{idle}, .jp-Dialog .jp-mod-accept", timeout=60_000)
    if page.locator(".jp-Dialog .jp-mod-accept").count():
        page.click(".jp-Dialog .jp-mod-accept")
    page.wait_for_selector(idle, timeout=60_000)


def dismiss_kernel_dialog(page) -> bool:
    """Click "Select" on JupyterLab's "Select Kernel" dialog if it is open; tell whether it was."""
    button = page.locator(".jp-Dialog .jp-mod-accept")
    if button.count():
        button.first.click()
        page.wait_for_timeout(500)
        return True
    return False


def blank_copy(src: Path, dest: Path) -> None:
    """Copy a notebook without its outputs, so only what a fresh run shows can pass the checks."""
    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)


def _menu(page, command: str) -> None:
    """Open the Run menu and click the item that runs `command`."""
    page.locator('.lm-MenuBar-item').filter(has_text=re.compile(r'^Run$')).click()
    page.click(f".lm-Menu-item[data-command='{command}']")


RESUMED: list[str] = []  # one line per Run All that stopped early and was resumed, for the report


def run_all_from_menu(page, timeout: float = 90, resumes: int = 2) -> float:
    """Click Run → Run All Cells, wait until every cell has run or one has failed; return the seconds it took."""
    t0 = time.monotonic()
    dismiss_kernel_dialog(page)
    _menu(page, "runmenu:run-all")
    return wait_until_run(page, t0, timeout, resumes)


def wait_until_run(page, t0: float, timeout: float = 90, resumes: int = 2) -> float:
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
            _menu(page, "runmenu:run-all")
        if state["running"] or state["done"]:
            started = True
        if started and not state["running"]:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 1.5:
                if state["firstNotRun"] >= 0 and not state["failed"] and resumes > 0:
                    # On a busy machine JupyterLab sometimes drops the queued cells after the first one
                    # (a late kernel handshake): do what a learner does, run the rest from there.
                    RESUMED.append(f"Run All stopped at code cell {state['firstNotRun'] + 1} of {state['cells']} "
                                   f"(kernel {state['kernel']}); resumed with Run Selected Cell and All Below")
                    page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell').nth(
                        state["firstNotRun"]).locator('.jp-InputPrompt').click()
                    _menu(page, "notebook:run-all-below")
                    resumes, quiet_since = resumes - 1, None
                    continue
                return time.monotonic() - t0
        else:
            quiet_since = None
        time.sleep(0.25)
    page.screenshot(path=str(SHOTS / "timeout.png"))
    raise TimeoutError(f"cells still running after {timeout} s: {state}")


def problems(page, expected: dict[str, int]) -> list[str]:
    """Return what a learner would see go wrong: tracebacks, broken diagrams, widgets that failed."""
    try:  # a widget shown near the end of a long run may still be loading on a busy machine: give it a moment
        page.wait_for_function("() => ![...document.querySelectorAll('.jp-OutputArea-output')]"
                               ".some(v => /Loading widget/.test(v.innerText))", timeout=10_000)
    except Exception:  # still loading after 10 s: report it below like any widget that failed
        pass
    found = page.evaluate("""(mime) => {
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
    }""", WIDGET_MIME)
    out = []
    not_run = [i for i, prompt in enumerate(found["prompts"]) if not re.fullmatch(r"\[\d+\]:", prompt)]
    if not_run:
        # Run All stopped early, or never reached these cells: never pass on half a run.
        out.append(f"{len(not_run)} of {len(found['prompts'])} code cells did not run (first: code cell "
                   f"{not_run[0] + 1}, prompt {found['prompts'][not_run[0]]!r}; kernel {found['kernel']})")
    for text in found["errs"]:
        if "Traceback" in text or re.search(r"^\w*(Error|Exception)\b", text, re.M):
            out.append("error output: " + text.strip()[-400:])
    for text in found["mermaidBad"]:
        out.append("Mermaid did not render: " + text)
    if found["mermaidOk"] != expected["mermaid"]:
        out.append(f"{found['mermaidOk']} Mermaid diagrams rendered, expected {expected['mermaid']}")
    if found["views"] != expected["widgets"] or found["viewsOk"] != expected["widgets"]:
        out.append(f"{found['viewsOk']} of {found['views']} widget views rendered, expected "
                   f"{expected['widgets']}: {found['viewsText']}")
    return out
