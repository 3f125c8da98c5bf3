"""Notebook 09's exercise checks: 09.1's hint reaches an accepted answer, whatever the decision helper's fits are.

Wrong answers and their feedback are in the catalogue, test_wrong_answers.py. Nothing here hard-codes a figure the
helper computes: the fits changed before (admin_ui, io_bound, api_first) and may change again.
"""

from __future__ import annotations

from helpers.coursework.checks import evaluate
from helpers.coursework.exercises import get_exercise
from helpers.coursework.exercises.nb09 import CLINIC
from helpers.usecases.decision import FACTORS, TEAM, fit, score


def test_09_1_the_hint_reasoning_reaches_an_accepted_answer():
    # The hint: "a factor's lead is its need times the gap in fit between the pick and the runner-up".
    result = score(CLINIC)
    pick, rival = result.recommendation, result.runner_up
    lead = {f: need * (fit(f)[pick] - fit(f)[rival]) for f, need in CLINIC.items() if f in FACTORS}
    best = max(lead.values())
    reached = [f for f, v in lead.items() if v >= best - 1e-9]
    assert reached and all(evaluate("09.1", {"pick": pick, "deciding": f}).passed for f in reached)


def test_09_1_ties_are_all_accepted_and_nothing_else():
    result = score(CLINIC)
    pick, rival = result.recommendation, result.runner_up
    lead = {f: result.contributions[f][pick] - result.contributions[f][rival] for f in [*FACTORS, TEAM]}
    best = max(lead.values())
    for factor, value in lead.items():
        assert evaluate("09.1", {"pick": pick, "deciding": factor}).passed == (value >= best - 1e-9), factor


def test_09_1_the_old_hint_trap_is_answered_with_the_reason():
    # "Which needs does the clinic have at 1.0?": a full need can lead less than a smaller one with a bigger gap.
    result = score(CLINIC)
    pick, rival = result.recommendation, result.runner_up
    full = [f for f, need in CLINIC.items() if need == 1.0]
    lead = {f: result.contributions[f][pick] - result.contributions[f][rival] for f in full}
    best = max(result.contributions[f][pick] - result.contributions[f][rival] for f in FACTORS)
    for factor in (f for f in full if lead[f] < best - 1e-9):
        assert "need x the gap in fit" in evaluate("09.1", {"pick": pick, "deciding": factor}).message


def test_09_1_solution_names_no_single_largest_lead():
    # The worked solution derives the deciding factor from the helper and says two may tie, not "the" one.
    code = get_exercise("09.1").solution
    assert "tie" in code and "max(lead" in code and '"relational_data"' not in code
