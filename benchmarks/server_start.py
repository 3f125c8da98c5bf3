"""Figure 2: in-kernel `helpers.serve` vs the usual subprocess start, start to first response.

python -m benchmarks.server_start [--repeat N]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import httpx

from ._common import ROOT, Figure, free_port, median, run_alone

GOAL_RATIO = 10.0

# The usual way to start each hello app from a terminal; no auto-reloader for
# any of them (flask run and uvicorn have none by default; runserver's would
# add a second process and make the ratio look better than it is).
COMMANDS: dict[str, list[str]] = {
    "fastapi": [
        "-m",
        "uvicorn",
        "helpers.apps.hello_fastapi:app",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--log-level",
        "warning",
    ],
    "flask": ["-m", "flask", "--app", "helpers.apps.hello_flask", "run", "--host", "127.0.0.1", "--port", "{port}"],
    "django": ["-m", "django", "runserver", "127.0.0.1:{port}", "--noreload"],
}
USUAL_NAMES = {"fastapi": "uvicorn module:app", "flask": "flask --app ... run", "django": "django runserver --noreload"}

COLD_SCRIPT = """
import time, json
t0 = time.perf_counter()
import helpers
{make}
srv = helpers.serve(app, "cold-start")
dt = time.perf_counter() - t0
srv.stop()
print(json.dumps({{"seconds": dt}}))
"""
COLD_MAKE = {
    "fastapi": "from helpers.apps.hello_fastapi import app",
    "flask": "from helpers.apps.hello_flask import create_app; app = create_app()",
    "django": (
        "from helpers.serving import django_kernel; django_kernel.setup_django()\n"
        "from helpers.apps import hello_django; django_kernel.set_urls('bench', hello_django.urlpatterns)\n"
        "app = django_kernel.wsgi_app()"
    ),
}


def in_kernel_app(framework: str) -> Any:
    """Build the hello app of `framework` as a notebook cell would."""
    if framework == "fastapi":
        from helpers.apps.hello_fastapi import app

        return app
    if framework == "flask":
        from helpers.apps.hello_flask import create_app

        return create_app()
    from helpers.apps import hello_django
    from helpers.serving import django_kernel

    django_kernel.setup_django()
    django_kernel.set_urls("bench-hello", hello_django.urlpatterns)
    return django_kernel.wsgi_app()


def in_kernel_start(framework: str) -> float:
    """Serve the hello app in this process; return seconds from serve() to its first answer."""
    import helpers

    app = in_kernel_app(framework)
    t0 = time.perf_counter()
    srv = helpers.serve(app, f"bench-start-{framework}")
    seconds = time.perf_counter() - t0
    assert srv.get("/").status_code == 200
    srv.stop()
    return seconds


def subprocess_start(framework: str, deadline: float = 60.0) -> float:
    """Start the hello app the usual way; return seconds from spawn to its first answer."""
    port = free_port()
    cmd = [sys.executable] + [a.format(port=port) for a in COMMANDS[framework]]
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="benchmarks.apps.django_settings", PYTHONDONTWRITEBYTECODE="1")
    url = f"http://127.0.0.1:{port}/"
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with httpx.Client(timeout=5.0) as client:
            while time.perf_counter() - t0 < deadline:
                if proc.poll() is not None:
                    raise RuntimeError(f"{framework} server exited: {proc.stderr.read().decode()[-500:]}")
                try:
                    r = client.get(url)
                    seconds = time.perf_counter() - t0
                    if r.status_code != 200:
                        raise RuntimeError(f"{framework} answered {r.status_code}")
                    return seconds
                except httpx.TransportError:
                    time.sleep(0.005)
        raise RuntimeError(f"{framework} did not answer within {deadline} s")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if proc.stderr:
            proc.stderr.close()


def cold_in_kernel_start(framework: str) -> float:
    """Time the first cell of a fresh kernel: import the framework, build the app, serve it."""
    code = COLD_SCRIPT.format(make=COLD_MAKE[framework])
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-500:])
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def measure(repeat: int = 5, quick: bool = False) -> list[Figure]:
    """Measure start-to-first-response both ways for the three frameworks; one Figure each."""
    repeat = 2 if quick else repeat
    figures = []
    for framework in ("fastapi", "flask", "django"):
        in_kernel_start(framework)  # warm-up: imports happen once per kernel
        kernel, usual = [], []
        for _ in range(repeat):  # interleaved, so background load hits both alike
            kernel.append(in_kernel_start(framework))
            usual.append(subprocess_start(framework))
        cold = cold_in_kernel_start(framework)
        ratio = median(usual) / median(kernel)
        figures.append(
            Figure(
                key=f"server_start.{framework}",
                label=f"2. start: {USUAL_NAMES[framework]} / in-kernel ({framework})",
                value=ratio,
                unit="x",
                goal=f">= {GOAL_RATIO:g}x",
                met=ratio >= GOAL_RATIO,
                details={
                    "in_kernel_median_s": median(kernel),
                    "subprocess_median_s": median(usual),
                    "in_kernel_s": kernel,
                    "subprocess_s": usual,
                    "cold_first_cell_s": cold,
                    "cold_ratio": median(usual) / cold,
                },
                note=(
                    f"in-kernel {median(kernel) * 1000:.0f} ms vs subprocess {median(usual) * 1000:.0f} ms; "
                    f"a fresh kernel's first start (imports included) takes {cold * 1000:.0f} ms"
                ),
            )
        )
    return figures


if __name__ == "__main__":
    sys.exit(run_alone(measure, __doc__))
