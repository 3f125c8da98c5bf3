"""Start a microservice in a fresh Python and measure it: time to its first answer and resident memory.

A fresh process is the fair comparison: the kernel has already imported every framework.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from helpers.numbers import require_number

APPS = Path(__file__).resolve().parent.parent / "apps"
SERVICES = {"Flask": "microservice_flask.py", "FastAPI": "microservice_fastapi.py"}

# The child loads the app module from its file, so it doesn't import the course's helpers (and IPython).
_CHILD = r"""
import json, sys, threading, time
t0 = time.perf_counter()
import importlib.util, httpx, psutil
kind, path = sys.argv[1], sys.argv[2]
if kind != "none":
    spec = importlib.util.spec_from_file_location("service", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = module.create_app("http://127.0.0.1:9")  # the inventory is not needed to list orders
    if kind == "Flask":
        from werkzeug.serving import make_server
        server = make_server("127.0.0.1", 0, app, threaded=True)
        port = server.server_port
        threading.Thread(target=server.serve_forever, daemon=True).start()
    else:
        import uvicorn
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started and thread.is_alive():
            time.sleep(0.001)
        port = server.servers[0].sockets[0].getsockname()[1]
    assert httpx.get(f"http://127.0.0.1:{port}/orders", timeout=10).status_code == 200
print(json.dumps({"seconds": time.perf_counter() - t0, "rss_mib": psutil.Process().memory_info().rss / 2**20}))
sys.stdout.flush()
# Leave without finalizing: the server's daemon thread is still running, and an interpreter torn down under
# a running thread can die of a signal with nothing on stderr (seen once in CI, for FastAPI's uvicorn thread).
import os
os._exit(0)
"""


def start_once(framework: str) -> dict[str, float]:
    """Start the orders service of `framework` ("none": only Python, httpx and psutil) in a fresh process."""
    if framework not in (*SERVICES, "none"):
        raise ValueError(f"framework must be one of {[*SERVICES, 'none']}, got {framework!r}")
    path = str(APPS / SERVICES.get(framework, ""))
    out = subprocess.run([sys.executable, "-c", _CHILD, framework, path], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(f"the {framework} service did not start:\n{out.stderr[-1500:]}")
    return json.loads(out.stdout)


def start_figures(runs: int = 3) -> dict[str, dict[str, float]]:
    """Return each service's median start time and memory, and the same for a bare Python ("none")."""
    require_number("runs", runs, 1, 10, integer=True)
    figures = {}
    for framework in ("none", *SERVICES):
        samples = [start_once(framework) for _ in range(runs)]
        figures[framework] = {key: statistics.median(s[key] for s in samples) for key in ("seconds", "rss_mib")}
    return figures
