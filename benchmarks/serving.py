"""Figures 8-9: memory per waiting connection on a threaded server and an event loop; the model against real workers.

8. gunicorn gthread (1 worker x 1000 threads) and uvicorn (1 worker, uvloop): connections held open,
   each with a request waiting on the server; resident memory of the process tree against the
   count, fitted by least squares (KiB per connection), and the latency of a probe request.
10. peak resident memory of running notebook 03 top to bottom: the kernel and every process under it
   (servers, workers, load clients), sampled every 50 ms; Binder gives 2 GB.
9. notebook 02's model (`simulate("wsgi", workers=W)`) against gunicorn with W sync worker processes,
   12 requests of 100 ms I/O at once, calibrated by one run with no I/O; the worst makespan error.

    python -m benchmarks.serving [--repeat 3]
"""

from __future__ import annotations

import copy
import os
import sys
import threading
import time

import nbformat
import psutil

from helpers.concurrency.loadgen import run_load
from helpers.concurrency.simulation import simulate
from helpers.concurrency.waiting import fit_memory, hold_connections
from helpers.serving.processes import start_gunicorn, start_uvicorn

from ._common import ROOT, Figure, median, run_alone

STEPS = [300, 600, 900]  # under gthread's default worker_connections (1,000)
MODEL_GOAL = 0.15
PEAK_GOAL_MIB = 1536
NOTEBOOK = ROOT / "notebooks" / "03_serving.ipynb"


def idle_memory(repeat: int) -> list[Figure]:
    """Fit KiB per waiting connection on both servers, `repeat` times each; median slopes."""
    servers = {
        "gunicorn gthread 1 x 1000": lambda: start_gunicorn(
            "helpers.apps.serving_flask:app", "bench-idle-threads", threads=1000, ready_path="/json"
        ),
        "uvicorn x1 (uvloop)": lambda: start_uvicorn(
            "helpers.apps.serving_fastapi:app", "bench-idle-loop", ready_path="/json"
        ),
    }
    figures = []
    for label, start in servers.items():
        fits, tops = [], []
        for _ in range(repeat):
            with start() as server:
                points = hold_connections(server, STEPS, wait_s=15)
            fits.append(fit_memory(points))
            tops.append(points[-1])
        kib = median(k for _, k in fits)
        top = tops[-1]
        figures.append(
            Figure(
                key=f"serving.kib_per_connection.{label.split()[0]}",
                label=f"8. memory per waiting connection, {label}",
                value=kib,
                unit="KiB",
                goal="(comparison)",
                met=None,
                details={"fits_base_mib_kib": fits, "at_top": vars(top)},
                note=(
                    f"base {median(b for b, _ in fits):.0f} MiB; with {top.waiting} waiting: {top.rss_mib:.0f} MiB RSS, "
                    f"{top.threads} threads, probe {top.probe_s * 1000:.0f} ms"
                ),
            )
        )
    return figures


def model_error(repeat: int) -> Figure:
    """Compare the model's makespan with 1, 2 and 4 real gunicorn sync workers; return the worst relative error."""
    rows = {}
    for workers in (1, 2, 4):
        with start_gunicorn(
            "helpers.apps.serving_flask:app", "bench-model", workers=workers, ready_path="/json"
        ) as server:
            overhead = median(
                run_load(server.url, "/io?ms=0", connections=12, progress=False).makespan / 12 * workers
                for _ in range(repeat)
            )
            measured = median(
                run_load(server.url, "/io?ms=100", connections=12, progress=False).makespan for _ in range(repeat)
            )
        predicted = simulate("wsgi", n=12, io=0.1, workers=workers, threads=1, overhead=overhead).makespan
        rows[workers] = {
            "predicted_s": predicted,
            "measured_s": measured,
            "error": abs(measured - predicted) / measured,
            "overhead_ms": overhead * 1000,
        }
    worst = max(r["error"] for r in rows.values())
    return Figure(
        key="serving.model_error",
        label="9. model vs gunicorn sync workers 1/2/4, makespan error (worst)",
        value=worst * 100,
        unit="%",
        goal=f"<= {MODEL_GOAL * 100:g} %",
        met=worst <= MODEL_GOAL,
        details=rows,
        note="; ".join(
            f"{w} worker(s): predicted {r['predicted_s'] * 1000:.0f} ms, measured "
            f"{r['measured_s'] * 1000:.0f} ms ({r['error']:.0%})"
            for w, r in rows.items()
        ),
    )


def tree_rss_mib() -> float:
    """Return the resident memory of this process's descendants (the kernel and what it started), in MiB."""
    total = 0
    for p in psutil.Process().children(recursive=True):
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def notebook_peak_memory() -> Figure:
    """Run notebook 03 in a fresh kernel as the build does; return the peak RSS of everything it started."""
    from helpers.runner.kernel import run_notebook

    nb = nbformat.read(NOTEBOOK, as_version=4)
    peak, done = [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_mib())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    try:
        run_notebook(copy.deepcopy(nb), NOTEBOOK.parent)
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - t0
    return Figure(
        key="serving.notebook_peak_memory",
        label="10. peak memory, notebook 03 (kernel + servers + clients)",
        value=peak[0],
        unit="MiB",
        goal=f"<= {PEAK_GOAL_MIB} MiB",
        met=peak[0] <= PEAK_GOAL_MIB,
        details={"seconds": seconds, "loadavg_1m": os.getloadavg()[0]},
        note=f"the run took {seconds:.1f} s (goal 60 s; load average {os.getloadavg()[0]:.1f} on this machine)",
    )


def measure(repeat: int = 3, quick: bool = False) -> list[Figure]:
    """Measure memory per waiting connection, the model's error against real workers, notebook 03's peak memory."""
    repeat = 1 if quick else repeat
    return [*idle_memory(repeat), model_error(repeat), notebook_peak_memory()]


if __name__ == "__main__":
    sys.exit(run_alone(measure, __doc__))
