"""Figure 6: requests per second for the same trivial JSON endpoint on the three frameworks.

Each hello app (helpers/apps/hello_*.py) is served in this process the way the
course serves it (Flask and Django on werkzeug's threaded server, FastAPI on
uvicorn); a load generator in a separate process keeps a few keep-alive
connections busy. Rounds are interleaved so background load hits all three alike.

    python -m benchmarks.framework_overhead [--rounds 3] [--seconds 2] [--connections 4]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

from ._common import ROOT, Figure, median, table
from .server_start import in_kernel_app

FRAMEWORKS = ("django", "flask", "fastapi")

# The published benchmark to read ours against (shared with notebook 03), cited by link: no copied figures.
from helpers.serving.published import TECHEMPOWER_JSON as PUBLISHED  # noqa: E402

HONEST_NOTE = (
    "In-kernel numbers are not production numbers: one process, so the server threads and the "
    "event loop share one GIL (the load generator runs in its own process) and this machine's 2 cores (with other work on them); the WSGI apps run on "
    "werkzeug's development server, not gunicorn/uWSGI with several workers; FastAPI runs one uvicorn worker "
    "with the asyncio loop and the pure-Python h11 parser (uvloop and httptools are not installed). Ratios between the three are the figure to read, "
    "and even they depend on the server more than on the framework."
)


def load(url: str, seconds: float, connections: int) -> dict[str, Any]:
    """Run the load generator against `url` in a subprocess; return its JSON."""
    cmd = [
        sys.executable,
        "-m",
        "benchmarks._loadgen",
        url,
        "--seconds",
        str(seconds),
        "--connections",
        str(connections),
    ]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 60)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-500:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(rounds: int = 3, seconds: float = 2.0, connections: int = 4, quick: bool = False) -> list[Figure]:
    """Measure req/s of the three hello apps, interleaved rounds; Figures per framework and ratios."""
    import helpers

    if quick:
        rounds, seconds = 1, 1.0
    servers = {fw: helpers.serve(in_kernel_app(fw), f"bench-overhead-{fw}") for fw in FRAMEWORKS}
    rates: dict[str, list[float]] = {fw: [] for fw in FRAMEWORKS}
    errors: dict[str, int] = {fw: 0 for fw in FRAMEWORKS}
    try:
        for _ in range(rounds):
            for fw, srv in servers.items():
                result = load(srv.url + "/", seconds, connections)
                rates[fw].append(result["req_per_s"])
                errors[fw] += result["errors"]
    finally:
        for srv in servers.values():
            srv.stop()
    med = {fw: median(r) for fw, r in rates.items()}
    figures = [
        Figure(
            f"framework_overhead.{fw}",
            f"6. req/s, hello JSON, in-kernel ({fw})",
            med[fw],
            "req/s",
            "(comparison)",
            None,
            details={"rounds": rates[fw], "errors": errors[fw]},
            note=(f"{errors[fw]} errors" if errors[fw] else ""),
        )
        for fw in FRAMEWORKS
    ]
    for a, b in (("fastapi", "flask"), ("fastapi", "django"), ("flask", "django")):
        figures.append(
            Figure(
                f"framework_overhead.ratio.{a}_{b}",
                f"6. ratio {a}/{b}",
                med[a] / med[b],
                "x",
                "(comparison)",
                None,
            )
        )
    figures[-1].note = (
        f"published reference: {PUBLISHED['name']} ({PUBLISHED['url']}): {PUBLISHED['measures']}. "
        f"{HONEST_NOTE} Load: {connections} keep-alive connections "
        f"from a separate process, {rounds} x {seconds:g} s per framework."
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    """Print this figure alone."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args(argv)
    print(table(measure(args.rounds, args.seconds, args.connections)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
