"""Fire N concurrent GETs with httpx from its own process; print the makespan as JSON.

    python -m benchmarks._asyncload URL_WITH_{id} -n 50
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import httpx


async def fire(url: str, n: int, timeout: float) -> dict[str, float]:
    """Send n GETs at once on n connections; return makespan and errors."""
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        t0 = time.perf_counter()
        results = await asyncio.gather(*(client.get(url.format(id=i)) for i in range(n)), return_exceptions=True)
        makespan = time.perf_counter() - t0
    errors = sum(1 for r in results if isinstance(r, Exception) or r.status_code != 200)
    return {"makespan": makespan, "errors": errors}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, fire, print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(fire(args.url, args.n, args.timeout))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
