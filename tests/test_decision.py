"""The decision helper: a pure, explainable scoring function."""
from dataclasses import fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.usecases import decision
from helpers.coursework.checks import evaluate
from helpers.usecases.decision import EXAMPLES, FACTORS, FIT, FRAMEWORKS, Project, score

needs = st.fixed_dictionaries({f: st.floats(0, 1) for f in FACTORS})
weights = st.fixed_dictionaries({f: st.floats(0, decision.MAX_WEIGHT) for f in FACTORS})


def best_fit(factor):
    return max(FRAMEWORKS, key=lambda fw: FIT[factor][fw])


@settings(max_examples=60, deadline=None)
@given(needs, weights, st.sampled_from(list(FACTORS)), st.floats(0, decision.MAX_WEIGHT))
def test_raising_a_weight_never_hurts_the_framework_that_fits_it_best(need, weight, factor, new):
    low, high = sorted([weight[factor], new])
    try:
        a = score(need, {**weight, factor: low})
    except ValueError:  # nothing needed at the lower weight: nothing to compare
        return
    b = score(need, {**weight, factor: high})
    top = best_fit(factor)
    for fw in FRAMEWORKS:
        assert b.scores[fw] >= a.scores[fw] - 1e-9  # every score is non-decreasing in every weight
        assert b.scores[top] - b.scores[fw] >= a.scores[top] - a.scores[fw] - 1e-9  # and the best fit gains most


def test_a_large_enough_weight_makes_its_best_fit_win():
    project = Project(admin_ui=0.5, realtime=0.5, small_service=0.5)
    for factor in ("admin_ui", "realtime", "small_service"):
        assert score(project, {factor: decision.MAX_WEIGHT}).recommendation == best_fit(factor)


def test_scores_are_weight_times_need_times_fit():
    result = score({"api_first": 0.5}, {"api_first": 2})
    assert result.scores == {fw: pytest.approx(2 * 0.5 * FIT["api_first"][fw]) for fw in FRAMEWORKS}


@pytest.mark.parametrize("name, pick, factor", [
    ("newsroom CMS", "Django", "admin_ui"),
    ("payments webhook service", "Flask", "small_service"),
    ("live support chat", "FastAPI", "realtime"),
    ("public partner API", "FastAPI", "api_first"),
])
def test_explanation_names_the_deciding_factors(name, pick, factor):
    result = score(EXAMPLES[name])
    assert result.recommendation == pick
    assert factor in result.deciding
    assert f"Recommendation: {pick}" in result.explanation
    for f in result.deciding:
        assert f"Deciding factor {f}" in result.explanation and FACTORS[f] in result.explanation


def test_explanation_cites_given_evidence_and_says_what_counts_against():
    result = score(EXAMPLES["live support chat"], evidence={"io_bound": "concurrent was 4.2x faster"})
    assert "concurrent was 4.2x faster" in result.explanation
    mixed = score({"admin_ui": 1, "realtime": 0.8, "io_bound": 0.8})
    assert "Against" in mixed.explanation


def test_a_tie_is_reported_as_a_tie():
    # own_parts and small_service favour Flask; realtime favours FastAPI: tune to an exact tie.
    result = score({"realtime": 1.0, "small_service": 1.0}, {"realtime": 1.0, "small_service": 1.0})
    assert result.scores["FastAPI"] == pytest.approx(1.8) and result.scores["Flask"] == pytest.approx(1.2)
    tie = score({"io_bound": 1.0, "own_parts": 1.0}, {"io_bound": 0.5, "own_parts": 1.0})
    assert tie.scores["Flask"] == pytest.approx(1.2) and tie.scores["FastAPI"] == pytest.approx(1.2)
    assert "tie" in tie.explanation


@pytest.mark.parametrize("project, weights, error, words", [
    ({"admin": 1}, None, ValueError, "unknown project factor"),
    ({"admin_ui": 1.5}, None, ValueError, "from 0 to 1"),
    ({"admin_ui": "yes"}, None, TypeError, "must be a number"),
    ({"admin_ui": 1}, {"admin_ui": -1}, ValueError, "from 0 to 5"),
    ({"admin_ui": 1}, {"speed": 1}, ValueError, "unknown weight"),
    ({"admin_ui": 1}, {"admin_ui": float("nan")}, ValueError, "'admin_ui'"),
    ({}, None, ValueError, "needs nothing"),
    ({"admin_ui": 1}, {"admin_ui": 0}, ValueError, "needs nothing"),
    ("a CMS", None, TypeError, "Project or a dict"),
    ({"admin_ui": 1}, [1, 2], TypeError, "weights must be a dict"),
])
def test_bad_input_is_refused_clearly(project, weights, error, words):
    with pytest.raises(error, match=words):
        score(project, weights)


def test_every_factor_has_fits_evidence_and_a_project_field():
    assert [f.name for f in fields(Project)] == list(FACTORS) == list(FIT) == list(decision.EVIDENCE)
    assert all(set(FIT[f]) == set(FRAMEWORKS) for f in FACTORS)


def test_exercise_04_1_refuses_wrong_picks_and_wrong_reasons():
    assert "still picks Django" in evaluate("06.1", {"weights": {}, "deciding": "realtime"}).message
    wrong_reason = evaluate("06.1", {"weights": {"realtime": 2, "admin_ui": 0.5}, "deciding": "admin_ui"})
    assert not wrong_reason.passed and "not what decided it" in wrong_reason.message
    assert "refused your weights" in evaluate("06.1", {"weights": {"realtime": 9}, "deciding": "realtime"}).message
    assert not evaluate("06.1", {"realtime": 2}).passed
