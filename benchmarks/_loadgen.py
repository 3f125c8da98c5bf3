"""A small load generator run in its own process, so it doesn't share the server's GIL.

    python -m benchmarks._loadgen URL --connections 4 --seconds 2
prints one JSON line: requests, errors, seconds, req_per_s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit


def hammer(host: str, port: int, path: str, stop_at: float, counts: list[int], errors: list[int], i: int) -> None:
    """Send GETs on one keep-alive connection until `stop_at`; count answers and errors."""
    conn = http.client.HTTPConnection(host, port, timeout=10)
    while time.perf_counter() < stop_at:
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                counts[i] += 1
            else:
                errors[i] += 1
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=10)
        except (OSError, http.client.HTTPException):
            errors[i] += 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.close()


def run(url: str, connections: int, seconds: float) -> dict[str, float]:
    """Load `url` from `connections` threads for `seconds`; return the counts."""
    parts = urlsplit(url)
    counts, errors = [0] * connections, [0] * connections
    t0 = time.perf_counter()
    stop_at = t0 + seconds
    threads = [
        threading.Thread(
            target=hammer, args=(parts.hostname, parts.port, parts.path or "/", stop_at, counts, errors, i)
        )
        for i in range(connections)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return {"requests": sum(counts), "errors": sum(errors), "seconds": elapsed, "req_per_s": sum(counts) / elapsed}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.url, args.connections, args.seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
