"""Figure 3: notebook 02's scenarios, the model's prediction vs a real run: makespan and p95.

python -m benchmarks.model_fidelity [--repeat 3]
"""

from __future__ import annotations

import sys

from ._common import Figure, median, run_alone

GOAL_ERROR = 0.10


def measure(repeat: int = 3, quick: bool = False) -> list[Figure]:
    """Measure each scenario `repeat` times; one Figure per scenario (the worse of the two errors)."""
    from helpers.concurrency import scenarios

    repeat = 1 if quick else repeat
    figures = []
    for name in scenarios.SCENARIOS:
        results = [scenarios.measure(name) for _ in range(repeat)]
        pm, pp = results[0].predicted_makespan, results[0].predicted_p95
        mm = median(r.measured_makespan for r in results)
        mp = median(r.measured_p95 for r in results)
        err_m, err_p = abs(mm - pm) / pm, abs(mp - pp) / pp
        worst = max(err_m, err_p)
        figures.append(
            Figure(
                f"model_fidelity.{name}",
                f"3. model error, scenario {name!r}",
                worst * 100,
                "%",
                f"<= {GOAL_ERROR * 100:g}%",
                worst <= GOAL_ERROR,
                details={
                    "predicted_makespan_s": pm,
                    "measured_makespan_s": mm,
                    "predicted_p95_s": pp,
                    "measured_p95_s": mp,
                    "makespan_error": err_m,
                    "p95_error": err_p,
                    "repeat": repeat,
                },
                note=(
                    f"makespan {pm * 1000:.0f} predicted vs {mm * 1000:.0f} ms measured ({err_m:.0%}); "
                    f"p95 {pp * 1000:.0f} vs {mp * 1000:.0f} ms ({err_p:.0%})"
                ),
            )
        )
    return figures


if __name__ == "__main__":
    sys.exit(run_alone(measure, __doc__))
