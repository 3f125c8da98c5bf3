"""Score Django, Flask and FastAPI for a described project, with visible weights and reasons.

Nothing here is a black box: a project is a handful of needs between 0 and 1,
FIT says how well each framework serves each need, WEIGHTS says how much each
need counts, and a framework's score is the sum of weight x need x fit.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

FRAMEWORKS: tuple[str, ...] = ("Django", "Flask", "FastAPI")

# Each factor: a short label used in sentences, and why the fits are what they are.
FACTORS: dict[str, str] = {
    "admin_ui": "a staff back office (admin UI)",
    "server_pages": "server-rendered HTML pages",
    "deadline": "a tight deadline",
    "large_team": "a large team that needs shared conventions",
    "own_parts": "choosing your own parts",
    "small_service": "a small, single-purpose service",
    "realtime": "real-time features (WebSockets)",
    "io_bound": "I/O-bound work (waiting on other services)",
    "api_first": "an API-first design with a published schema",
}

# How well each framework serves each need, from 0 (you build it yourself) to 1 (it ships).
FIT: dict[str, dict[str, float]] = {
    "admin_ui": {"Django": 1.0, "Flask": 0.3, "FastAPI": 0.2},  # Django's admin ships; others need add-ons
    "server_pages": {"Django": 1.0, "Flask": 0.8, "FastAPI": 0.4},  # Flask ships Jinja2; FastAPI makes it optional
    "deadline": {"Django": 0.9, "Flask": 0.5, "FastAPI": 0.6},  # batteries save days; choosing parts costs them
    "large_team": {"Django": 0.9, "Flask": 0.4, "FastAPI": 0.6},  # one project layout everyone knows
    "own_parts": {"Django": 0.2, "Flask": 1.0, "FastAPI": 0.7},  # a micro core leaves the choices to you
    "small_service": {"Django": 0.3, "Flask": 1.0, "FastAPI": 0.8},  # little code, few dependencies
    "realtime": {"Django": 0.5, "Flask": 0.2, "FastAPI": 1.0},  # WebSockets are built into Starlette
    "io_bound": {"Django": 0.5, "Flask": 0.4, "FastAPI": 1.0},  # an event loop overlaps waits cheaply
    "api_first": {"Django": 0.4, "Flask": 0.3, "FastAPI": 1.0},  # OpenAPI generated from Pydantic models
}

# Default weights: every need counts the same until you say otherwise.
WEIGHTS: dict[str, float] = {name: 1.0 for name in FACTORS}
MAX_WEIGHT = 5.0

# Where the course shows each factor at work (cited in explanations).
EVIDENCE: dict[str, str] = {
    "admin_ui": "the CMS case in this notebook gets a searchable, filterable back office from a few lines of admin.py",
    "server_pages": "notebook 04 renders the same page with Django templates and Jinja2",
    "deadline": "notebook 01 counts what Django ships against what Flask and FastAPI leave to you",
    "large_team": "Django fixes where models, views, URLs and admin live, so a newcomer knows where to look",
    "own_parts": "the microservice case in this notebook picks its own HTTP client and validation",
    "small_service": "the Flask microservice in this notebook is one short file with a health check",
    "realtime": "the chat case in this notebook broadcasts over WebSockets with FastAPI alone",
    "io_bound": "the fan-out case in this notebook measures concurrent calls beating sequential ones",
    "api_first": "the API-first case in this notebook generates its OpenAPI schema from Pydantic models",
}


@dataclass(frozen=True)
class Project:
    """A project described by how much it needs each factor, each from 0 to 1."""

    admin_ui: float = 0.0
    server_pages: float = 0.0
    deadline: float = 0.0
    large_team: float = 0.0
    own_parts: float = 0.0
    small_service: float = 0.0
    realtime: float = 0.0
    io_bound: float = 0.0
    api_first: float = 0.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            _check_number(name, value, 0.0, 1.0, "a need")


@dataclass(frozen=True)
class Decision:
    """Scores, the pick, each factor's contribution and an explanation in sentences."""

    scores: dict[str, float]
    recommendation: str
    runner_up: str
    contributions: dict[str, dict[str, float]]  # factor -> framework -> weight * need * fit
    deciding: list[str]  # factors that most favour the pick over the runner-up
    explanation: str
    weights: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.explanation


def _check_number(name: str, value: Any, low: float, high: float, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} {name!r} must be a number from {low:g} to {high:g}, got {type(value).__name__}")
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{what} {name!r} must be from {low:g} to {high:g}, got {value!r}")


def make_project(description: "Project | Mapping[str, float]") -> Project:
    """Return a Project from a Project or a mapping of factor names to needs."""
    if isinstance(description, Project):
        return description
    if not isinstance(description, Mapping):
        raise TypeError(f"project must be a Project or a dict of needs, got {type(description).__name__}")
    unknown = set(description) - set(FACTORS)
    if unknown:
        raise ValueError(f"unknown project factor(s) {sorted(unknown)}; the factors are {list(FACTORS)}")
    return Project(**description)


def check_weights(weights: "Mapping[str, float] | None") -> dict[str, float]:
    """Return the full weights (defaults filled in) after checking names and ranges."""
    if weights is None:
        return dict(WEIGHTS)
    if not isinstance(weights, Mapping):
        raise TypeError(f"weights must be a dict of factor names to numbers, got {type(weights).__name__}")
    unknown = set(weights) - set(FACTORS)
    if unknown:
        raise ValueError(f"unknown weight name(s) {sorted(unknown)}; the factors are {list(FACTORS)}")
    full = dict(WEIGHTS)
    for name, value in weights.items():
        _check_number(name, value, 0.0, MAX_WEIGHT, "weight")
        full[name] = float(value)
    return full


def score(
    project: "Project | Mapping[str, float]",
    weights: "Mapping[str, float] | None" = None,
    evidence: "Mapping[str, str] | None" = None,
) -> Decision:
    """Score the three frameworks for `project` and explain the pick in sentences.

    `evidence` replaces EVIDENCE sentences, e.g. with figures a notebook just measured.
    """
    project = make_project(project)
    weights = check_weights(weights)
    if evidence is not None and (not isinstance(evidence, Mapping) or set(evidence) - set(FACTORS)):
        raise ValueError(f"evidence must be a dict whose keys are among {list(FACTORS)}, got {evidence!r}")
    cited = {**EVIDENCE, **(evidence or {})}
    needs = asdict(project)
    contributions = {
        f: {fw: weights[f] * needs[f] * FIT[f][fw] for fw in FRAMEWORKS} for f in FACTORS
    }
    scores = {fw: sum(contributions[f][fw] for f in FACTORS) for fw in FRAMEWORKS}
    if max(scores.values()) <= 0:
        raise ValueError("the project needs nothing (or every weight it needs is 0): set at least one need above 0")
    # Ties go to the earlier framework in FRAMEWORKS; the explanation says so.
    ranked = sorted(FRAMEWORKS, key=lambda fw: -scores[fw])
    best, second = ranked[0], ranked[1]
    edge = {f: contributions[f][best] - contributions[f][second] for f in FACTORS}
    deciding = [f for f in sorted(FACTORS, key=lambda f: -edge[f]) if edge[f] > 1e-9][:3]
    against = [f for f in sorted(FACTORS, key=lambda f: edge[f]) if edge[f] < -1e-9][:1]
    sentences = [
        "Scores: " + ", ".join(f"{fw} {scores[fw]:.2f}" for fw in ranked) + " (sum of weight × need × fit).",
    ]
    if scores[best] - scores[second] < 1e-9:
        sentences.append(f"{best} and {second} tie; the needs don't separate them, so change a weight or a need.")
    else:
        sentences.append(f"Recommendation: {best}, ahead of {second} by {scores[best] - scores[second]:.2f} points.")
    for f in deciding:
        sentences.append(
            f"Deciding factor {f}: {FACTORS[f]} (weight {weights[f]:g}, need {needs[f]:g}) "
            f"gives {best} {edge[f]:+.2f} over {second}; {cited[f]}."
        )
    for f in against:
        sentences.append(f"Against {best}: {f}, {FACTORS[f]}, favours {second} by {-edge[f]:.2f}.")
    return Decision(
        scores=scores,
        recommendation=best,
        runner_up=second,
        contributions=contributions,
        deciding=deciding,
        explanation="\n".join(sentences),
        weights=weights,
    )


def fit_table() -> list[list[Any]]:
    """Return the FIT table as rows: factor, what it means, and one fit per framework."""
    return [[f, FACTORS[f], *(FIT[f][fw] for fw in FRAMEWORKS)] for f in FACTORS]


# A few realistic projects, to see what the helper says about each.
EXAMPLES: dict[str, Project] = {
    "newsroom CMS": Project(admin_ui=1, server_pages=1, deadline=0.8, large_team=0.6),
    "payments webhook service": Project(small_service=1, own_parts=0.7, io_bound=0.4),
    "live support chat": Project(realtime=1, io_bound=0.8, small_service=0.3),
    "public partner API": Project(api_first=1, io_bound=0.5, large_team=0.4),
    "price aggregator": Project(io_bound=1, small_service=0.6, api_first=0.3),
    "shop with back office": Project(admin_ui=0.8, server_pages=0.8, deadline=1, api_first=0.3),
}
