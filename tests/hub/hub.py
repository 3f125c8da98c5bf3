"""A throwaway JupyterHub on loopback, set up as a class would set one up, for the hub test.

The hub uses JupyterHub's own test-only pieces: `SimpleLocalProcessSpawner` (no system
users: each user's server is a local process with its own home folder) and
`DummyAuthenticator` (one shared password). Its proxy is configurable-http-proxy from the
npm registry, installed from tests/hub/package-lock.json with `npm ci` into a cache folder.
Users get the course by an nbgitpuller link that clones a local git repository.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.cache import cache_dir
from harness.chromium import missing_chromium
from harness.lab import LAB_ARGS, root_args, write_lab_settings
from harness.processes import answers, free_port, log_tail, start_and_wait, stop_tree

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHP_VERSION = "5.3.0"  # as in package.json
USER = "learner"


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
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode or not exe.exists():
        raise RuntimeError(f"npm ci of configurable-http-proxy failed:\n{done.stderr[-2000:]}")
    return str(exe)


def missing_tools() -> str | None:
    """Return why the hub test can't run here (one line), or None."""
    for module in ("jupyterhub", "nbgitpuller"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (pip install -r tests/requirements.txt)"
    reason = missing_chromium()
    if reason:
        return reason
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
    subprocess.run(
        ["git", "push", "-q", str(bare), "HEAD:refs/heads/course"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, check=True, capture_output=True, text=True, timeout=30
    ).stdout.strip()
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
        """Return the end of the hub's log, which holds the user's server's log too."""
        return log_tail(self.log, chars)


def write_config(workdir: Path, chp: str, port: int, password: str) -> Path:
    """Write the jupyterhub_config.py of a class hub on loopback; return its path."""
    settings = write_lab_settings(workdir / "lab-settings")
    home = workdir / "home" / "{username}"
    single_user_args = [*LAB_ARGS, *root_args()]
    config = f"""# A class hub on loopback (tests/hub/hub.py). The settings a class would change are marked CLASS.
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.JupyterHub.db_url = {f"sqlite:///{workdir / 'jupyterhub.sqlite'}"!r}
c.JupyterHub.cookie_secret_file = {str(workdir / "jupyterhub_cookie_secret")!r}
c.JupyterHub.pid_file = {str(workdir / "jupyterhub.pid")!r}
c.JupyterHub.cleanup_servers = True
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.pid_file = {str(workdir / "proxy.pid")!r}
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
    "PYTHONPATH": {str(workdir / "home" / USER / "course")!r},
    "JUPYTERLAB_SETTINGS_DIR": {str(settings)!r},
    "JUPYTERLAB_WORKSPACES_DIR": {str(workdir / "lab-workspaces")!r},
    "JUPYTER_CONFIG_DIR": {str(workdir / "jupyter-config")!r},
}}
"""
    path = workdir / "jupyterhub_config.py"
    path.write_text(config)
    return path


def start_hub(workdir: Path, deadline: float = 90) -> Hub:
    """Start JupyterHub (and its proxy) on loopback; return once the hub's API answers through the proxy."""
    chp = proxy_command()
    if chp is None:
        raise RuntimeError("configurable-http-proxy is not installed and npm is missing")
    port, password = free_port(), secrets.token_hex(8)
    config = write_config(workdir, chp, port, password)
    log, url = workdir / "jupyterhub.log", f"http://127.0.0.1:{port}/"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}
    proc = start_and_wait(
        [sys.executable, "-m", "jupyterhub", "-f", str(config)],
        answers(f"{url}hub/api/"),
        "JupyterHub",
        log,
        deadline,
        env=env,
        cwd=workdir,
        grace=30,
    )
    return Hub(url, password, workdir / "home" / USER, proc, log)


def stop_hub(hub: Hub) -> list[int]:
    """Stop the hub, which stops its proxy and the users' servers; kill by PID whatever is left. Return those PIDs."""
    return stop_tree(hub.proc, grace=30)  # JupyterHub stops its spawned servers (cleanup_servers) and its proxy
