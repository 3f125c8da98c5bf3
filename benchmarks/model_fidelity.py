"""Figure 3: notebook 02's scenarios, the model's prediction vs a real run: makespan and p95.

    python -m benchmarks.model_fidelity [--repeat 3]
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from ._common import Figure, median, table, unavailable

GOAL_ERROR = 0.10


def _get(obj: Any, *names: str) -> float:
    """Read the first of `names` from an object or a mapping (issue 4's result shape)."""
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return float(obj[name])
        if hasattr(obj, name):
            return float(getattr(obj, name))
    raise KeyError(f"none of {names} in {type(obj).__name__}")


def measure(repeat: int = 3, quick: bool = False) -> list[Figure]:
    """Measure each scenario `repeat` times; one Figure per scenario (the worse of the two errors)."""
    try:
        from helpers import scenarios
    except ImportError as exc:
        return [unavailable("model_fidelity", "3. model fidelity (all scenarios)", "%", "<= 10% each",
                            f"helpers.scenarios not importable yet ({exc})")]
    repeat = 1 if quick else repeat
    figures = []
    for name in scenarios.SCENARIOS:
        results = [scenarios.measure(name) for _ in range(repeat)]
        pm = _get(results[0], "predicted_makespan")
        pp = _get(results[0], "predicted_p95")
        mm = median(_get(r, "measured_makespan") for r in results)
        mp = median(_get(r, "measured_p95") for r in results)
        err_m, err_p = abs(mm - pm) / pm, abs(mp - pp) / pp
        worst = max(err_m, err_p)
        figures.append(Figure(
            f"model_fidelity.{name}", f"3. model error, scenario {name!r}", worst * 100, "%",
            f"<= {GOAL_ERROR * 100:g}%", worst <= GOAL_ERROR,
            details={"predicted_makespan_s": pm, "measured_makespan_s": mm, "predicted_p95_s": pp,
                     "measured_p95_s": mp, "makespan_error": err_m, "p95_error": err_p, "repeat": repeat},
            note=(f"makespan {pm * 1000:.0f} predicted vs {mm * 1000:.0f} ms measured ({err_m:.0%}); "
                  f"p95 {pp * 1000:.0f} vs {mp * 1000:.0f} ms ({err_p:.0%})"),
        ))
    return figures


def main(argv: list[str] | None = None) -> int:
    """Print this figure alone."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(table(measure(args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
