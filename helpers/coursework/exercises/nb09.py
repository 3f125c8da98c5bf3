"""Exercises of notebook 09 (choosing: the decision helper)."""

from __future__ import annotations

from typing import Any

from helpers.coursework.exercise import ExerciseSet

exercise = ExerciseSet("09")

# The project of exercise 09.1, also shown in the notebook: a clinic whose developers know FastAPI.
CLINIC = {
    "relational_data": 1.0,
    "auth_users": 1.0,
    "server_pages": 0.6,
    "long_term_support": 0.6,
    "team_knows": "FastAPI",
}
# The project of exercise 09.2: a small events site with live updates.
EVENTS = {"realtime": 0.6, "auth_users": 0.8, "io_bound": 0.5}


@exercise(
    "09.1",
    "predict the pick, then name what decided it",
    hint="The team's experience is one factor among ten. For each of the clinic's needs, how far ahead of the "
    "runner-up does the fit table put the pick? A factor's lead is its need times that gap in fit (times its "
    "weight, 1 here), so a smaller need with a big gap can lead as much as a full need with a small one. "
    "The helper's 'Deciding factor' lines show the leads and the evidence.",
    solution="""
        # The pick: the clinic needs relational data and user accounts fully, and pages and long-term
        # support in part. The fit table gives Django the most for all four; FastAPI, the runner-up,
        # gets its points from add-ons and from the team's experience (one factor, weight 1).
        # What decided it: each factor's lead is weight x need x (the pick's fit - the runner-up's fit).
        # Work it out from the fit table, then compare with the helper:
        from helpers.usecases.decision import fit, score
        from helpers.coursework.exercises.nb09 import CLINIC

        result = score(CLINIC)
        pick, rival = result.recommendation, result.runner_up
        needs = {f: need for f, need in CLINIC.items() if f != "team_knows"}
        lead = {f: need * (fit(f)[pick] - fit(f)[rival]) for f, need in needs.items()}
        print({f: round(v, 2) for f, v in lead.items()})  # two factors may tie: either one is right
        answer = {"pick": pick, "deciding": max(lead, key=lead.get)}
        print(result)  # the helper's own 'Deciding factor' lines say the same
    """,
    praise="Right, and for the right reason: what the clinic needs, and how well each framework covers it, "
    "outweighs the team's experience.",
    data=True,
)
def clinic_pick(answer: Any) -> str | None:
    from helpers.usecases.decision import FACTORS, FRAMEWORKS, TEAM, score

    if not isinstance(answer, dict) or set(answer) != {"pick", "deciding"}:
        return 'the answer should be a dict with two keys: {"pick": "a framework", "deciding": "a factor name"}.'
    result = score(CLINIC)
    pick = answer["pick"].strip() if isinstance(answer["pick"], str) else answer["pick"]
    names = {fw.lower(): fw for fw in FRAMEWORKS}
    if not isinstance(pick, str) or pick.lower() not in names:
        return f"'pick' should be one of {list(FRAMEWORKS)}, got {answer['pick']!r}."
    if names[pick.lower()] != result.recommendation:
        if names[pick.lower()] == CLINIC[TEAM]:
            return (
                f"the helper doesn't pick {CLINIC[TEAM]}: the team knows it, but that is one factor of ten; "
                "which of the clinic's needs does each framework ship, by the fit table?"
            )
        return (
            f"the helper doesn't pick {names[pick.lower()]}: add up need x fit over the clinic's needs, "
            "with the team's experience on top for the framework it knows. Who comes out ahead?"
        )
    factors = [*FACTORS, TEAM]
    deciding = answer["deciding"]
    if deciding not in factors:
        return f"'deciding' should be one of the factor names {factors}, got {deciding!r}."
    lead = {
        f: result.contributions[f][result.recommendation] - result.contributions[f][result.runner_up] for f in factors
    }
    if lead[deciding] < -1e-9:
        return (
            f"{deciding!r} counts against {result.recommendation}: it favours {result.runner_up} by "
            f"{-lead[deciding]:.2f}. Which factor puts {result.recommendation} furthest ahead?"
        )
    if lead[deciding] <= 1e-9:
        return (
            f"{deciding!r} gives {result.recommendation} no lead over {result.runner_up}: the clinic doesn't need it."
        )
    best = max(lead.values())
    if lead[deciding] < best - 1e-9:  # factors with equal leads are equally right
        return (
            f"{deciding!r} helps {result.recommendation} by {lead[deciding]:+.2f}, but another factor leads by more. "
            "A lead is need x the gap in fit: a full need where the runner-up fits almost as well can lead less "
            "than a smaller need where it doesn't fit at all."
        )
    return None


@exercise(
    "09.2",
    "how far would the weight have to move?",
    hint="Run score(EVENTS) and read its last sentence: it names the deciding factor and the weight below which "
    "another framework catches up. Give a weight a little below that value, and name who catches up.",
    solution="""
        # The explanation's last sentence is the tipping point: below that weight of the deciding factor,
        # the runner-up catches up. Any weight just under it changes the pick.
        from helpers.usecases.decision import make_project, score, weight_to_change
        from helpers.coursework.exercises.nb09 import EVENTS

        result = score(EVENTS)
        print(result.tipping_point)
        factor = result.deciding[0]
        at, other = weight_to_change(factor, make_project(EVENTS), result.weights, result.scores,
                                     result.recommendation)
        answer = {"factor": factor, "weight": round(at - 0.05, 2), "new_pick": other}
    """,
    praise="Right: you read the tipping point and the runner-up from the explanation, not by moving sliders at random.",
    data=True,
)
def events_tipping(answer: Any) -> str | None:
    from helpers.usecases.decision import WEIGHTS, score

    if not isinstance(answer, dict) or set(answer) != {"factor", "weight", "new_pick"}:
        return (
            'the answer should be a dict with three keys: {"factor": "a factor name", "weight": a number, '
            '"new_pick": "a framework"}.'
        )
    base = score(EVENTS)
    if answer["factor"] not in WEIGHTS:
        return f"'factor' should be one of {list(WEIGHTS)}, got {answer['factor']!r}."
    if answer["factor"] != base.deciding[0]:
        return (
            f"move the weight the explanation's last sentence names; you moved {answer['factor']!r}, "
            "which is not the deciding factor."
        )
    try:
        moved = score(EVENTS, {answer["factor"]: answer["weight"]})
    except (TypeError, ValueError) as exc:
        return f"the helper refused that weight: {exc}"
    if moved.recommendation == base.recommendation:
        return (
            f"at weight {answer['weight']} the pick is still {base.recommendation}: go below the value the "
            "explanation gives."
        )
    if answer["new_pick"] != moved.recommendation:
        return f"the pick does change at that weight, but not to {answer['new_pick']!r}: read who catches up."
    return None


def picks_without(factor: str) -> dict[str, str | None]:
    """Return each example project's pick with `factor`'s weight at 0 (None: no pick, or nothing needed)."""
    from helpers.usecases.decision import EXAMPLES, score

    picks = {}
    for name, project in EXAMPLES.items():
        try:
            picks[name] = score(project, {factor: 0}).recommendation
        except ValueError:  # the project needed nothing else
            picks[name] = None
    return picks


def changed_without(factor: str) -> set[str]:
    """Return the example projects whose pick changes when `factor` no longer counts."""
    from helpers.usecases.decision import EXAMPLES, score

    after = picks_without(factor)
    return {name for name, project in EXAMPLES.items() if score(project).recommendation != after[name]}


@exercise(
    "09.3",
    "challenge a fit: which picks rest on one measurement?",
    hint="A weight of 0 takes a factor's evidence out of every score. Score each example project again with "
    "small_service weighted 0, and compare its pick with the table of examples.",
    solution="""
        from helpers.usecases import decision

        answer = set()
        for name, project in decision.EXAMPLES.items():
            try:
                after = decision.score(project, {"small_service": 0}).recommendation
            except ValueError:  # nothing else needed: no pick at all
                after = None
            if after != decision.score(project).recommendation:
                answer.add(name)
        print(answer)
    """,
    praise="Right: those picks rest on one measured factor, the installed size. If you doubt that measurement, "
    "doubt those picks; the others stand on other evidence.",
    data=True,
)
def picks_on_one_measurement(answer: Any) -> str | None:
    from helpers.usecases.decision import EXAMPLES

    if isinstance(answer, str) or not isinstance(answer, (set, list, tuple, frozenset)):
        return 'the answer should be a set of example project names, like {"newsroom CMS"}.'
    names = set(answer)
    unknown = sorted(str(n) for n in names - set(EXAMPLES))
    if unknown:
        return f"{unknown} are not example projects; the examples are {list(EXAMPLES)}."
    right = changed_without("small_service")
    missing, extra = sorted(right - names), sorted(names - right)
    if missing:
        return f"score {missing[0]!r} again with small_service at weight 0: its pick changes too."
    if extra:
        return f"{extra[0]!r} keeps its pick without small_service: other factors decide it."
    return None
