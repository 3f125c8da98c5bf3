"""Figure 4: N concurrent 100 ms I/O requests to FastAPI; the 100 ms floor over the makespan.

The figure is the course's way: the client runs in this process, as in a
notebook cell (the server's `async_client`, one connection per request,
gather). To show what limits it, the same load is also sent by httpx split into
pools of 50, by httpx in a process of its own (off this process's GIL, onto the
other core), and by a raw asyncio-streams client (the cheapest possible), which
is also run with 0 ms of I/O: the server's own cost for N connections. The
CPU seconds of the client (main thread) and the server (uvicorn's thread) are
read from the OS.

    python -m benchmarks.async_efficiency [--repeat 3]
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
import psutil

from helpers.serving.servers import _ssl_context as ssl_context  # one SSL context, as Server's clients use

from ._common import Figure, ROOT, median, run_alone

IO_MS = 100.0
GOALS = {50: 0.8, 500: 0.5}


async def _fire(srv: Any, n: int, ms: float) -> tuple[float, int]:
    # The course's way: the server's own async_client, one connection per request.
    async with srv.async_client(timeout=60.0, max_connections=n) as client:
        t0 = time.perf_counter()
        results = await asyncio.gather(*(client.get(f"/io/{i}", params={"ms": ms}) for i in range(n)),
                                       return_exceptions=True)
        makespan = time.perf_counter() - t0
    bad = sum(1 for i, r in enumerate(results)
              if isinstance(r, Exception) or r.status_code != 200 or r.json()["id"] != i)
    return makespan, bad


async def _fire_raw(port: int, n: int, ms: float) -> tuple[float, int]:
    """The cheapest possible client: raw asyncio streams, one connection per request."""
    async def one(i: int) -> bool:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /io/{i}?ms={ms} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = await asyncio.wait_for(reader.read(), 60)
        writer.close()
        return data.startswith(b"HTTP/1.1 200") and data.endswith(b'{"id":%d}' % i)

    t0 = time.perf_counter()
    ok = await asyncio.gather(*(one(i) for i in range(n)))
    return time.perf_counter() - t0, ok.count(False)


async def _fire_split(url: str, n: int, ms: float, per: int = 50) -> tuple[float, int]:
    """httpx with several small pools: its pool's cost grows faster than linearly with its size."""
    clients = [httpx.AsyncClient(base_url=url, timeout=60.0, limits=httpx.Limits(max_connections=per),
                                 verify=ssl_context()) for _ in range((n + per - 1) // per)]
    try:
        t0 = time.perf_counter()
        results = await asyncio.gather(*(clients[i // per].get(f"/io/{i}", params={"ms": ms}) for i in range(n)),
                                       return_exceptions=True)
        makespan = time.perf_counter() - t0
    finally:
        for c in clients:
            await c.aclose()
    return makespan, sum(1 for r in results if isinstance(r, Exception) or r.status_code != 200)


def _thread_cpu(native_ids: dict[str, int]) -> dict[str, float]:
    times = {t.id: t.user_time + t.system_time for t in psutil.Process().threads()}
    return {name: times.get(tid, 0.0) for name, tid in native_ids.items()}


def in_process(srv: Any, n: int, ms: float, server_tid: int) -> dict[str, Any]:
    """Fire n requests from this process; return makespan, errors and CPU seconds per side."""
    ids = {"client": threading.get_native_id(), "server": server_tid}
    before = _thread_cpu(ids)
    makespan, bad = asyncio.run(_fire(srv, n, ms))
    after = _thread_cpu(ids)
    return {"makespan": makespan, "errors": bad, **{f"cpu_{k}": after[k] - before[k] for k in ids}}


def out_of_process(url: str, n: int, ms: float) -> dict[str, Any]:
    """Fire n requests from a separate process; return its makespan and errors."""
    cmd = [sys.executable, "-m", "benchmarks._asyncload", url + "/io/{id}?ms=" + str(ms), "-n", str(n)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-500:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(repeat: int = 3, quick: bool = False) -> list[Figure]:
    """Measure efficiency at 50 and 500 concurrent requests, with the breakdown of what limits it."""
    import helpers
    from .apps.io_fastapi import app

    repeat = 1 if quick else repeat
    srv = helpers.serve(app, "bench-async", ready_path="/io/0?ms=0")
    server_tid = srv._thread.native_id  # the uvicorn thread, for its CPU time
    figures = []
    try:
        for n, goal in GOALS.items():
            runs = [in_process(srv, n, IO_MS, server_tid) for _ in range(repeat)]
            makespan = median(r["makespan"] for r in runs)
            efficiency = (IO_MS / 1000) / makespan
            split = [asyncio.run(_fire_split(srv.url, n, IO_MS)) for _ in range(repeat)]
            raw = [asyncio.run(_fire_raw(srv.port, n, IO_MS)) for _ in range(repeat)]
            raw_zero = [asyncio.run(_fire_raw(srv.port, n, 0.0)) for _ in range(repeat)]
            apart = [out_of_process(srv.url, n, IO_MS) for _ in range(repeat)]
            split_m, raw_m = median(m for m, _ in split), median(m for m, _ in raw)
            raw_zero_m = median(m for m, _ in raw_zero)
            apart_m = median(r["makespan"] for r in apart)
            cpu_client = median(r["cpu_client"] for r in runs)
            cpu_server = median(r["cpu_server"] for r in runs)
            errors = (sum(r["errors"] for r in runs + apart) + sum(e for _, e in split + raw + raw_zero))
            eff = lambda m: (IO_MS / 1000) / m  # noqa: E731
            limit = (f"one httpx.AsyncClient spent {cpu_client * 1000:.0f} ms of CPU and the server "
                     f"{cpu_server * 1000:.0f} ms, under one GIL on a shared 2-core machine. "
                     f"Same load with httpx split into pools of 50: {split_m * 1000:.0f} ms "
                     f"(efficiency {eff(split_m):.2f}); with the httpx client in its own process: "
                     f"{apart_m * 1000:.0f} ms ({eff(apart_m):.2f}); with a raw asyncio-streams client: "
                     f"{raw_m * 1000:.0f} ms ({eff(raw_m):.2f}); raw client with 0 ms of I/O, i.e. the "
                     f"server's own cost for {n} connections: {raw_zero_m * 1000:.0f} ms")
            figures.append(Figure(
                key=f"async_efficiency.n{n}", label=f"4. async efficiency, {n} x 100 ms I/O (floor/makespan)",
                value=efficiency, unit="", goal=f">= {goal:g}", met=efficiency >= goal,
                details={"makespan_s": makespan, "cpu_client_s": cpu_client, "cpu_server_s": cpu_server,
                         "split_pools_makespan_s": split_m, "client_in_own_process_makespan_s": apart_m,
                         "raw_client_makespan_s": raw_m, "raw_client_zero_io_makespan_s": raw_zero_m,
                         "raw_client_efficiency": eff(raw_m), "errors": errors, "runs": runs},
                note=f"makespan {makespan * 1000:.0f} ms (one httpx.AsyncClient in-process); {errors} errors. "
                     f"What limits it: {limit}.",
            ))
    finally:
        srv.stop()
    return figures


if __name__ == "__main__":
    sys.exit(run_alone(measure, __doc__))
