"""Figure 11: the shop's endpoint in five set-ups at 100 concurrent against PostgreSQL, side by side in one run.

A sixth row is FastAPI def fixed (its session dependency limited to the pool), since the plain one starves its pool.

Each set-up (helpers.concurrency.db_load.shop_setups) is one worker process with a pool of 10 connections; every
request's query waits 50 ms in the database, so the pool's ceiling is 10 / 0.05 s = 200 requests per second.
Rounds rotate the order, so a burst of other work lands on every set-up alike; the median of the rounds is reported.

    python -m benchmarks.database [--repeat 3]
"""

from __future__ import annotations

import re
import sys

from helpers.apps.stock_schema import create_shop
from helpers.concurrency import db_load
from helpers.concurrency.db_load_report import ceiling, errors_text
from helpers.services.postgres import start_postgres

from ._common import Figure, median, run_alone

POOL, WAIT_MS, CONCURRENT = 10, 50, 100


def measure(repeat: int = 3, quick: bool = False, seconds: float = 5.0) -> list[Figure]:
    """Load each set-up at 100 concurrent, `repeat` rounds in rotating order; one Figure per set-up."""
    repeat, seconds = (1, 2.0) if quick else (repeat, seconds)
    # The five set-ups, and FastAPI def as it runs once its session dependency is limited to the pool.
    setups = [*db_load.shop_setups(threads=POOL), db_load.fastapi_def_limited()]
    runs: dict[str, list[db_load.LevelRun]] = {s.short: [] for s in setups}
    db = start_postgres("bench-db", max_connections=100)
    try:
        create_shop(db.dsn, items=100, stock=10)
        for round_ in range(repeat):
            for k in [(i + round_) % len(setups) for i in range(len(setups))]:
                setup = setups[k]
                runs[setup.short] += db_load.load_setup(
                    db, setup, levels=[CONCURRENT], seconds=seconds, pool_size=POOL, pool_timeout=5, name="bench-shop"
                )
    finally:
        db.stop()
    top = ceiling(POOL, WAIT_MS)
    side_by_side = ", ".join(f"{name} {median(r.result.throughput for r in rs):,.0f}" for name, rs in runs.items())
    figures = []
    for setup in setups:
        rs = runs[setup.short]
        rates = [r.result.throughput for r in rs]
        figures.append(
            Figure(
                key="database.req_per_s." + re.sub(r"[^a-z0-9]+", "_", setup.short.lower()).strip("_"),
                label=f"11. {setup.label}, {CONCURRENT} concurrent, pool {POOL}",
                value=median(rates),
                unit="req/s",
                goal=f"(comparison; ceiling {top:,.0f})",
                met=None,
                details={
                    "rates": rates,
                    "p99_ms": [r.result.percentile(99) * 1000 for r in rs],
                    "held": [r.held for r in rs],
                    "threads": [r.threads for r in rs],
                    "failed": [errors_text(r) for r in rs],
                    "seconds": seconds,
                },
                note=f"{min(rates):,.0f}-{max(rates):,.0f} over {len(rs)} run(s) of {seconds:g} s; "
                f"failed: {'; '.join(errors_text(r) for r in rs)}; all {len(runs)}: {side_by_side}",
            )
        )
    return figures


if __name__ == "__main__":
    sys.exit(run_alone(measure, __doc__))
