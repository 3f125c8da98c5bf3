"""A throwaway JupyterHub on loopback, set up as a class would set one up, for the hub test.

The hub uses JupyterHub's own test-only pieces: `SimpleLocalProcessSpawner` (no system
users: each user's server is a local process with its own home folder) and
`DummyAuthenticator` (one shared password). Its proxy is configurable-http-proxy from the
npm registry, installed from tests/hub/package-lock.json with `npm ci` into a cache folder.
Users get the course by an nbgitpuller link that clones a local git repository.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from tools.lab import LAB_SETTINGS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHP_VERSION = "5.3.0"  # as in package.json
USER = "learner"


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cache_dir() -> Path:
    """Return the folder for tools the tests install (COURSE_CI_CACHE, else ~/.cache/course-ci)."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "course-ci"
    return Path(os.environ.get("COURSE_CI_CACHE", default))


def proxy_folder() -> Path:
    """Return the cache folder for the locked configurable-http-proxy (a new one when the lock changes)."""
    lock = (HERE / "package-lock.json").read_bytes() + (HERE / "package.json").read_bytes()
    return cache_dir() / f"chp-{CHP_VERSION}-{hashlib.sha256(lock).hexdigest()[:12]}"


def proxy_command() -> str | None:
    """Return configurable-http-proxy's path, installing the locked version with `npm ci` if needed; None without npm."""
    folder = proxy_folder()
    exe = folder / "node_modules" / ".bin" / "configurable-http-proxy"
    if exe.exists():
        return str(exe)
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(HERE / name, folder / name)
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder,
                          capture_output=True, text=True, timeout=300)
    if done.returncode or not exe.exists():
        raise RuntimeError(f"npm ci of configurable-http-proxy failed:\n{done.stderr[-2000:]}")
    return str(exe)


def missing_tools() -> str | None:
    """Return why the hub test can't run here (one line), or None."""
    for module, what in (("jupyterhub", "jupyterhub"), ("nbgitpuller", "nbgitpuller"),
                         ("playwright.sync_api", "playwright")):
        try:
            __import__(module)
        except ImportError:
            return f"{what} is not installed (pip install -r tests/requirements.txt)"
    from tools.lab import find_chromium

    if not find_chromium():
        return "Chromium not found (Debian: apt-get install chromium)"
    if not shutil.which("git"):
        return "git not found"
    installed = (proxy_folder() / "node_modules" / ".bin" / "configurable-http-proxy").exists()
    if not installed and not (shutil.which("npm") and shutil.which("node")):
        return "npm not found: it installs configurable-http-proxy (Debian: apt-get install npm)"
    return None


def course_repository(workdir: Path) -> tuple[str, str, str]:
    """Publish this checkout's HEAD commit as branch `course` of a bare repository; return its URL, branch, commit."""
    bare = workdir / "course.git"
    subprocess.run(["git", "init", "--bare", "-q", str(bare)], check=True, timeout=60)
    subprocess.run(["git", "push", "-q", str(bare), "HEAD:refs/heads/course"], cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, check=True, capture_output=True,
                            text=True, timeout=30).stdout.strip()
    return bare.as_uri(), "course", commit


@dataclass
class Hub:
    """A running hub: its public URL, the shared password, the user's home, its process."""

    url: str
    password: str
    home: Path
    proc: subprocess.Popen
    log: Path

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def write_config(workdir: Path, chp: str, port: int, password: str) -> Path:
    """Write the jupyterhub_config.py of a class hub on loopback; return its path."""
    settings = workdir / "lab-settings"
    for rel, values in LAB_SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(values))
    home = workdir / "home" / "{username}"
    single_user_args = ["--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        single_user_args.append("--allow-root")
    config = f"""# A class hub on loopback (tests/hub/hub.py). The settings a class would change are marked CLASS.
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.JupyterHub.db_url = {f"sqlite:///{workdir / 'jupyterhub.sqlite'}"!r}
c.JupyterHub.cookie_secret_file = {str(workdir / 'jupyterhub_cookie_secret')!r}
c.JupyterHub.pid_file = {str(workdir / 'jupyterhub.pid')!r}
c.JupyterHub.cleanup_servers = True
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.pid_file = {str(workdir / 'proxy.pid')!r}
# CLASS: a real authenticator (OAuthenticator, LTI, ...) instead of one shared password.
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allowed_users = {{{USER!r}}}
# CLASS: KubeSpawner (Zero to JupyterHub) or DockerSpawner with the image repo2docker builds from binder/.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(home)!r}
c.Spawner.cmd = [{sys.executable!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.args = {single_user_args!r}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
# CLASS: the per-user memory limit (Zero to JupyterHub: singleuser.memory.limit); see the README.
c.Spawner.environment = {{
    # The course's helpers come from the clone nbgitpuller made (in an image built by repo2docker,
    # binder/postBuild installs them instead).
    "PYTHONPATH": {str(workdir / 'home' / USER / 'course')!r},
    "JUPYTERLAB_SETTINGS_DIR": {str(settings)!r},
    "JUPYTERLAB_WORKSPACES_DIR": {str(workdir / 'lab-workspaces')!r},
    "JUPYTER_CONFIG_DIR": {str(workdir / 'jupyter-config')!r},
}}
"""
    path = workdir / "jupyterhub_config.py"
    path.write_text(config)
    return path


def start_hub(workdir: Path, deadline: float = 90) -> Hub:
    """Start JupyterHub (and its proxy) on loopback; return once the hub's API answers through the proxy."""
    import httpx

    chp = proxy_command()
    if chp is None:
        raise RuntimeError("configurable-http-proxy is not installed and npm is missing")
    port, password = free_port(), secrets.token_hex(8)
    config = write_config(workdir, chp, port, password)
    log = workdir / "jupyterhub.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=workdir, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    hub = Hub(f"http://127.0.0.1:{port}/", password, workdir / "home" / USER, proc, log)
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterHub exited ({proc.returncode}):\n{hub.log_tail()}")
        try:
            if httpx.get(f"{hub.url}hub/api/", timeout=2).status_code == 200:
                return hub
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    stop_hub(hub)
    raise RuntimeError(f"JupyterHub did not answer within {deadline} s:\n{hub.log_tail()}")


def stop_hub(hub: Hub) -> list[int]:
    """Stop the hub, which stops its proxy and the users' servers; kill by PID whatever is left. Return those PIDs."""
    try:
        children = psutil.Process(hub.proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    hub.proc.terminate()  # JupyterHub stops the servers it spawned (cleanup_servers) and the proxy it started
    try:
        hub.proc.wait(30)
    except subprocess.TimeoutExpired:
        hub.proc.kill()
        hub.proc.wait(5)
    left = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    for child in left:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(left, timeout=5)
    return [c.pid for c in left]
