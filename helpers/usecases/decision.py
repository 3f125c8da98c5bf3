"""Score Django, Flask and FastAPI for a described project; every fit carries the evidence it came from.

A project is a handful of needs between 0 and 1 (plus, optionally, the framework the team
already knows). Each factor's fits are one of three kinds:
- measured: computed from a figure the course measured, named by the notebook cell that shows it;
- cited: a fact the frameworks' documentation states, with its address and a probe that fails when
  the installed packages disagree, turned into a fit by one scale (LEVELS) for every cited factor;
- judgement: a documented fact whose ranking is the course's judgement, labelled so, with its reason.
Add-ons count the same way for all three frameworks. A framework's score is the sum of weight x need x fit.
"""

from __future__ import annotations

import functools
import importlib.metadata as md
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from packaging.version import Version

from helpers.numbers import require_number

FRAMEWORKS: tuple[str, ...] = ("Django", "Flask", "FastAPI")
APPS = Path(__file__).resolve().parent.parent / "apps"
NOTEBOOK = "08_use_cases.ipynb"
MAX_WEIGHT = 5.0

# How a documented fact becomes a fit: the framework ships it whole, ships part of it,
# leaves it to a maintained add-on, or leaves it to you. One scale for every cited factor; the
# numbers themselves are a judgement (an add-on is worth less than what ships, more than nothing).
LEVELS: dict[str, float] = {"ships": 1.0, "ships part": 0.6, "add-on": 0.4, "none": 0.0}
LEVELS_RULE = "fit = " + ", ".join(f"{k} {v:g}" for k, v in LEVELS.items()) + " (the scale is a judgement)"
KINDS = ("measured", "cited", "judgement")


@dataclass(frozen=True)
class Evidence:
    """What a factor's fits rest on, and how the fits follow from it."""

    kind: str  # one of KINDS: "measured" (the course's figure), "cited" (documentation), "judgement" (labelled)
    source: str  # measured: "notebook NN, cell `id`"; cited and judgement: the documentation's address
    statement: str  # one sentence with the figures or the fact
    figures: dict[str, Any]  # per framework: the measured figure (None: not built) or the cited level
    rule: str  # how the fits follow from the figures
    fits: dict[str, float]
    cell: str = ""  # measured: the id of the notebook cell that shows the figure
    files: tuple[str, ...] = ()  # measured: the files the figure was measured from, relative to helpers/apps
    notebook: str = NOTEBOOK  # measured: the notebook whose cell shows the figure
    reason: str = ""  # judgement: why the levels are what they are, in one sentence


@dataclass(frozen=True)
class Factor:
    """One thing a project may need: plain-language label, one-line description, evidence."""

    name: str
    label: str
    description: str
    evidence: Callable[[], Evidence]  # re-derives the evidence from the installed packages and the course's files


# -- how evidence is gathered ------------------------------------------------------------------


def code_lines(relative: str) -> int:
    """Count the lines of code of a file under helpers/apps (no blanks, comments or docstrings)."""
    from helpers.components.footprint import code_lines as count

    path = APPS / relative
    if not path.is_file():
        raise FileNotFoundError(f"evidence file helpers/apps/{relative} is missing")
    return count(path)


@functools.cache
def installed_mb(distribution: str) -> float:
    """Return the size in MB of `distribution` and everything it pulls in: the course's one definition of size."""
    from helpers.components.footprint import dependency_tree, installed_size

    return installed_size([distribution, *dependency_tree(distribution)]) / 1e6


def _fewer_is_better(figures: Mapping[str, float | None]) -> dict[str, float]:
    # The best framework gets 1, the others best/theirs; None (the course built nothing) gets 0.
    best = min(v for v in figures.values() if v is not None)
    return {fw: 0.0 if v is None else round(best / v, 2) for fw, v in figures.items()}


def measured(
    cell: str,
    statement: str,
    figures: dict[str, float | None],
    unit: str,
    files: tuple[str, ...] = (),
    notebook: str = NOTEBOOK,
) -> Evidence:
    """Evidence from a figure the course measured: fewer is better, and the fit is best / this one."""
    return Evidence(
        "measured",
        f"notebook {notebook[:2]}, cell `{cell}`",
        statement,
        figures,
        f"fit = smallest {unit} / this framework's {unit} (0 where the course built none)",
        _fewer_is_better(figures),
        cell=cell,
        files=files,
        notebook=notebook,
    )


def cited(url: str, statement: str, levels: dict[str, str], probe: Callable[[], bool], judgement: str = "") -> Evidence:
    """Evidence from the documentation, checked against the installed packages by `probe`.

    With `judgement` (its reason, one sentence), the levels are the course's judgement and say so.
    """
    if not probe():
        raise LookupError(f"the installed packages no longer agree with: {statement} ({url})")
    return Evidence(
        "judgement" if judgement else "cited",
        url,
        statement,
        dict(levels),
        LEVELS_RULE,
        {fw: LEVELS[level] for fw, level in levels.items()},
        reason=judgement,
    )


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _requires(distribution: str, name: str) -> bool:
    from helpers.components.footprint import dependency_tree

    return name in dependency_tree(distribution)


# -- the factors -----------------------------------------------------------------------------


def _admin() -> Evidence:
    from helpers.usecases.cms_contest import admin_lines

    lines = admin_lines()
    return cited(
        "https://docs.djangoproject.com/en/stable/ref/contrib/admin/",
        f"Django ships its admin, with its login (the CMS contest's back office took {lines['Django']} lines of "
        f"admin.py); Flask and FastAPI leave it to maintained add-ons, Flask-Admin ({lines['Flask']} lines in the "
        "CMS contest, its Flask-Login login included) and SQLAdmin (named in notebook 01, not run by the course)",
        {"Django": "ships", "Flask": "add-on", "FastAPI": "add-on"},
        lambda: _has("django.contrib.admin") and not _has("flask.admin") and not _has("fastapi.admin"),
    )


def _api() -> Evidence:
    ninja, drf = code_lines("api_first_ninja.py"), code_lines("api_first_drf.py")
    lines = {
        # Django has two documented add-ons for this job; a project picks one, so Django counts the shorter.
        "Django": min(ninja, drf),
        "Flask": code_lines("api_first_smorest.py"),
        "FastAPI": code_lines("api_first_fastapi.py"),
    }
    return measured(
        "api-contest-lines",
        f"the same books API with a generated OpenAPI schema took {lines['FastAPI']} lines with FastAPI, "
        f"{ninja} with Django Ninja, {drf} with Django REST framework and drf-spectacular, and {lines['Flask']} "
        "with flask-smorest (Ninja, DRF and flask-smorest are add-ons; Django's fit takes the shorter of its two)",
        lines,
        "lines",
        ("api_first_fastapi.py", "api_first_ninja.py", "api_first_drf.py", "api_first_smorest.py"),
    )


def _small() -> Evidence:
    size = {fw: round(installed_mb(fw.lower()), 1) for fw in FRAMEWORKS}
    return measured(
        "microservice-contest-size",
        f"installed with its dependencies, Flask is {size['Flask']} MB, FastAPI {size['FastAPI']} MB and "
        f"Django {size['Django']} MB (start time and memory: the microservice contest)",
        size,
        "MB installed",
    )


def _pages() -> Evidence:
    return cited(
        "https://fastapi.tiangolo.com/advanced/templates/",
        "Django ships its template engine; Flask installs Jinja2 as a dependency; FastAPI documents "
        "Jinja2Templates but Jinja2 is an optional install",
        {"Django": "ships", "Flask": "ships", "FastAPI": "ships part"},
        lambda: (
            _has("django.template")
            and _requires("flask", "jinja2")
            and not _requires("fastapi", "jinja2")
            and _has("fastapi.templating")
        ),
    )


def _relational() -> Evidence:
    return cited(
        "https://docs.djangoproject.com/en/stable/topics/migrations/",
        "Django ships an ORM and migrations; Flask and FastAPI leave both to add-ons "
        "(SQLAlchemy with Flask-SQLAlchemy or SQLModel, and Alembic)",
        {"Django": "ships", "Flask": "add-on", "FastAPI": "add-on"},
        lambda: (
            _has("django.db.migrations")
            and not _requires("flask", "sqlalchemy")
            and not _requires("fastapi", "sqlalchemy")
        ),
    )


def _auth() -> Evidence:
    return cited(
        "https://docs.djangoproject.com/en/stable/topics/auth/",
        "Django ships users, groups, permissions and login views; FastAPI ships security helpers "
        "(OAuth2 password flow, API keys) but no user model; Flask leaves logins to Flask-Login, "
        "with which the CMS contest wrote Flask-Admin's login page and staff table",
        {"Django": "ships", "Flask": "add-on", "FastAPI": "ships part"},
        lambda: _has("django.contrib.auth") and _has("fastapi.security") and not _has("flask.login"),
    )


def _django_asgi_is_http_only() -> bool:
    import inspect

    from django.core.handlers.asgi import ASGIHandler

    # Django's own ASGI handler refuses every scope but HTTP: WebSockets need Channels.
    return "can only handle ASGI/HTTP connections" in inspect.getsource(ASGIHandler.__call__)


def _realtime() -> Evidence:
    return cited(
        "https://fastapi.tiangolo.com/advanced/websockets/",
        "FastAPI (Starlette) ships WebSockets; Flask needs flask-sock (a thread per socket, on werkzeug or "
        "gunicorn's gthread); Django needs Channels: the chat contest measured FastAPI against flask-sock",
        {"Django": "add-on", "Flask": "add-on", "FastAPI": "ships"},
        lambda: _has("starlette.websockets") and not _has("flask.websockets") and _django_asgi_is_http_only(),
    )


def _flask_serves_threaded() -> bool:
    import inspect

    import flask

    # `flask run` and app.run() serve each request in its own thread unless told otherwise.
    return 'setdefault("threaded", True)' in inspect.getsource(flask.Flask.run)


def _io() -> Evidence:
    return cited(
        "https://flask.palletsprojects.com/en/stable/async-await/",
        "each framework overlaps waits on other services in its usual set-up: FastAPI and Django's async views in "
        "an event loop, Flask in a thread per request (its development server is threaded by default); the fan-out "
        "contest measured a tie, and Flask's docs say an async view still holds a worker per request",
        {"Django": "ships", "Flask": "ships", "FastAPI": "ships"},
        lambda: _has("django.core.handlers.asgi") and _flask_serves_threaded() and _has("starlette.routing"),
    )


def _support() -> Evidence:
    return cited(
        "https://www.djangoproject.com/download/#supported-versions",
        "Django's LTS releases (every x.2) get security fixes for at least three years; Pallets supports "
        "only Flask's latest feature release; FastAPI is 0.x and its docs say to pin it because "
        "minor releases may break (fastapi.tiangolo.com/deployment/versions/)",
        {"Django": "ships", "Flask": "ships part", "FastAPI": "none"},
        # FastAPI's advice to pin holds while it is 0.x; the policies themselves are on the pages cited.
        lambda: Version(md.version("fastapi")).major == 0,
        judgement="the policies are documented, but weighing three years of LTS fixes against Flask's latest-release "
        "support and FastAPI's pinning advice is the course's judgement",
    )


FACTORS: dict[str, Factor] = {
    f.name: f
    for f in [
        Factor(
            "admin_ui",
            "Staff back office",
            "Editors manage content in generated list, filter, search and edit pages.",
            _admin,
        ),
        Factor(
            "relational_data",
            "Relational data, migrations",
            "Tables with relations, changed over time by migrations.",
            _relational,
        ),
        Factor("auth_users", "User accounts and logins", "People sign in; some may do more than others.", _auth),
        Factor("server_pages", "HTML pages from the server", "The server renders pages from templates.", _pages),
        Factor("api_first", "Published API contract", "Other teams code against an OpenAPI schema.", _api),
        Factor("realtime", "Live updates (WebSockets)", "The server pushes messages to open browsers.", _realtime),
        Factor("io_bound", "Waits on other services", "Requests mostly wait on APIs or databases.", _io),
        Factor("small_service", "Small single-purpose service", "One job, few dependencies, quick to start.", _small),
        Factor(
            "long_term_support", "Long-term support", "The project must run for years on supported versions.", _support
        ),
    ]
}
TEAM = "team_knows"  # the factor of the framework the team already knows: an input, not a property of a framework
TEAM_LABEL = "Team already knows it"
TEAM_DESCRIPTION = "Your team's experience with one of the three."

# Every factor counts the same until you say otherwise; the team's experience too.
WEIGHTS: dict[str, float] = {**{name: 1.0 for name in FACTORS}, TEAM: 1.0}


@functools.cache
def evidence() -> dict[str, Evidence]:
    """Return each factor's evidence, gathered once per process."""
    return {name: factor.evidence() for name, factor in FACTORS.items()}


def fit(factor: str) -> dict[str, float]:
    """Return the fits of `factor`, computed from its evidence."""
    return evidence()[factor].fits


@dataclass(frozen=True)
class Project:
    """A project: how much it needs each factor (0 to 1), and the framework the team knows, if any."""

    admin_ui: float = 0.0
    relational_data: float = 0.0
    auth_users: float = 0.0
    server_pages: float = 0.0
    api_first: float = 0.0
    realtime: float = 0.0
    io_bound: float = 0.0
    small_service: float = 0.0
    long_term_support: float = 0.0
    team_knows: str | None = None

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if name == TEAM:
                if value is not None and value not in FRAMEWORKS:
                    raise ValueError(f"team_knows must be one of {list(FRAMEWORKS)} or None, got {value!r}")
            else:
                require_number(f"need {name!r}", value, 0.0, 1.0)

    def needs(self) -> dict[str, float]:
        """Return the needs by factor name (the team factor is 1 when the team knows a framework)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != TEAM}
        return {**values, TEAM: 1.0 if self.team_knows else 0.0}


@dataclass(frozen=True)
class Decision:
    """Scores, the pick (None when the needs can't separate the frameworks), the reasons and their evidence."""

    scores: dict[str, float]
    recommendation: str | None
    runner_up: str
    contributions: dict[str, dict[str, float]]  # factor -> framework -> weight * need * fit
    deciding: list[str]  # factors that most favour the pick over the runner-up
    explanation: str
    weights: dict[str, float] = field(default_factory=dict)
    tipping_point: str = ""  # how far the deciding weight would have to move to change the pick

    def __str__(self) -> str:
        return self.explanation

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.explanation)  # plain-text views (nbval, terminals) read the sentences

    def _repr_html_(self) -> str:
        """Return the decision as HTML that wraps at words: the pick in words, then one item per sentence."""
        import html

        pick = (
            f"Pick: {html.escape(self.recommendation)}"
            if self.recommendation
            else "No pick: the needs don't separate the frameworks"
        )
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.explanation.splitlines())
        return (
            f'<div style="line-height: 1.45; white-space: normal; word-break: normal; max-width: 62em">'
            f"<b>{pick}</b><ul style='margin-top: 0.3em'>{items}</ul></div>"
        )


def make_project(description: Project | Mapping[str, Any]) -> Project:
    """Return a Project from a Project or a mapping of factor names to needs (and team_knows)."""
    if isinstance(description, Project):
        return description
    if not isinstance(description, Mapping):
        raise TypeError(f"project must be a Project or a dict of needs, got {type(description).__name__}")
    unknown = set(description) - {*FACTORS, TEAM}
    if unknown:
        raise ValueError(f"unknown project factor(s) {sorted(unknown)}; the factors are {[*FACTORS, TEAM]}")
    return Project(**description)


def normalise_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Return a weight for every factor: the ones given (checked), the default 1 for the rest."""
    if weights is None:
        return dict(WEIGHTS)
    if not isinstance(weights, Mapping):
        raise TypeError(f"weights must be a dict of factor names to numbers, got {type(weights).__name__}")
    unknown = set(weights) - set(WEIGHTS)
    if unknown:
        raise ValueError(f"unknown weight name(s) {sorted(unknown)}; the factors are {list(WEIGHTS)}")
    full = dict(WEIGHTS)
    for name, value in weights.items():
        require_number(f"weight {name!r}", value, 0.0, MAX_WEIGHT)
        full[name] = float(value)
    return full


def fit_for(factor: str, project: Project) -> dict[str, float]:
    """Return the fits of `factor` for `project` (the team factor follows the team)."""
    if factor == TEAM:
        return {fw: 1.0 if fw == project.team_knows else 0.0 for fw in FRAMEWORKS}
    return fit(factor)


def label(factor: str) -> str:
    """Return the plain-language label of `factor`."""
    return TEAM_LABEL if factor == TEAM else FACTORS[factor].label


def _why(factor: str, project: Project) -> str:
    if factor == TEAM:
        return f"your team knows {project.team_knows} (your input)"
    e = evidence()[factor]
    return f"{e.statement} [{e.kind}: {e.source}]"


def weight_to_change(
    factor: str, project: Project, weights: Mapping[str, float], scores: Mapping[str, float], best: str
) -> tuple[float, str] | None:
    """Return the weight of `factor` (0 to MAX_WEIGHT) nearest its own at which another framework catches up
    with `best`, and that framework; None when no weight in range changes the pick."""
    need, fits, w = project.needs()[factor], fit_for(factor, project), weights[factor]
    crossings = []
    for other in FRAMEWORKS:
        # best's lead over `other` moves by need x (fit_best - fit_other) per unit of weight
        slope = need * (fits[best] - fits[other])
        if other == best or abs(slope) < 1e-12:
            continue
        at = w - (scores[best] - scores[other]) / slope
        if 0 <= at <= MAX_WEIGHT and (at < w if slope > 0 else at > w):
            crossings.append((abs(at - w), at, other))
    return min(crossings)[1:] if crossings else None


def tipping_point(
    deciding: str, project: Project, weights: Mapping[str, float], scores: Mapping[str, float], best: str
) -> str:
    """Say how far the deciding weight would have to move to change the pick, or which weight would."""
    change = weight_to_change(deciding, project, weights, scores, best)
    if change is not None:
        at, other = change
        if at < 0.005:
            return f"The pick holds at every weight of '{label(deciding)}' above 0; at 0, {other} ties with {best}."
        return (
            f"The pick changes if the weight of '{label(deciding)}' drops from {weights[deciding]:g} "
            f"to below {at:.2f} (then {other} catches up)."
        )
    moves = [
        (abs(c[0] - weights[f]), f, *c)
        for f in [*FACTORS, TEAM]
        if (c := weight_to_change(f, project, weights, scores, best)) is not None
    ]
    text = f"No weight of '{label(deciding)}' from 0 to {MAX_WEIGHT:g} changes the pick"
    if not moves:
        return text + f", nor does any other single weight: {best} leads on several factors."
    _, f, at, other = min(moves)
    verb = "rises" if at > weights[f] else "drops"
    return text + (
        f"; the smallest single change that does: the weight of '{label(f)}' {verb} from "
        f"{weights[f]:g} to {at:.2f} (then {other} catches up)."
    )


def score(project: Project | Mapping[str, Any], weights: Mapping[str, float] | None = None) -> Decision:
    """Score the three frameworks for `project` and explain the pick, with the evidence behind each fit."""
    project = make_project(project)
    weights = normalise_weights(weights)
    needs = project.needs()
    names = [*FACTORS, TEAM]
    contributions = {f: {fw: weights[f] * needs[f] * fit_for(f, project)[fw] for fw in FRAMEWORKS} for f in names}
    scores = {fw: sum(contributions[f][fw] for f in names) for fw in FRAMEWORKS}
    if max(scores.values()) <= 0:
        raise ValueError("the project needs nothing (or every weight it needs is 0): set at least one need above 0")
    ranked = sorted(FRAMEWORKS, key=lambda fw: -scores[fw])
    best, second = ranked[0], ranked[1]
    sentences = [
        "Scores: " + ", ".join(f"{fw} {scores[fw]:.2f}" for fw in ranked) + " (sum of weight × need × fit).",
    ]
    asked = {weights[f] * needs[f] for f in FACTORS}
    if project.team_knows is None and len(asked) == 1:
        # Every need counts the same: the column sums would decide, and they only count what each ships.
        sentences.append(
            "Every need counts the same, so the helper makes no pick: the scores would only count how "
            "many factors each framework covers, not what your project needs most. "
            "Say what matters more."
        )
        return Decision(scores, None, second, contributions, [], "\n".join(sentences), weights)
    if scores[best] - scores[second] < 1e-9:
        sentences.append(f"{best} and {second} tie; the needs don't separate them, so change a weight or a need.")
        return Decision(scores, None, second, contributions, [], "\n".join(sentences), weights)
    sentences.append(f"Recommendation: {best}, ahead of {second} by {scores[best] - scores[second]:.2f} points.")
    edge = {f: contributions[f][best] - contributions[f][second] for f in names}
    deciding = [f for f in sorted(names, key=lambda f: -edge[f]) if edge[f] > 1e-9][:3]
    against = [f for f in sorted(names, key=lambda f: edge[f]) if edge[f] < -1e-9][:1]
    for f in deciding:
        sentences.append(
            f"Deciding factor '{label(f)}' (weight {weights[f]:g}, need {needs[f]:g}) gives {best} "
            f"{edge[f]:+.2f} over {second}: {_why(f, project)}."
        )
    for f in against:
        sentences.append(f"Against {best}: '{label(f)}' favours {second} by {-edge[f]:.2f}.")
    tip = tipping_point(deciding[0], project, weights, scores, best)
    sentences.append(tip)
    return Decision(scores, best, second, contributions, deciding, "\n".join(sentences), weights, tip)


def fit_table() -> list[list[Any]]:
    """Return the fit table as rows: factor, one fit per framework, the kind of evidence and its source."""
    rows = []
    for name, factor in FACTORS.items():
        e = evidence()[name]
        kind = f"judgement: {e.reason}" if e.kind == "judgement" else e.kind
        rows.append([factor.label, *(e.fits[fw] for fw in FRAMEWORKS), kind, e.source])
    return rows


def evidence_problems(notebook: Path | None = None) -> list[str]:
    """Return what is wrong with the evidence: a factor without it, a missing cell, file or failing probe."""
    import json

    from helpers.runner.course import notebook_path

    def cells_of(name: str) -> dict[str, str]:
        path = notebook if notebook is not None and notebook.name == name else notebook_path(name)
        return (
            {c.get("id"): "".join(c["source"]) for c in json.loads(path.read_text())["cells"]} if path.exists() else {}
        )

    problems = []
    for name, factor in FACTORS.items():
        try:
            e = factor.evidence()
        except Exception as exc:  # a probe that disagrees or a file that is gone: the evidence no longer exists
            problems.append(f"{name}: {exc}")
            continue
        if not isinstance(e, Evidence) or not e.statement or not e.source:
            problems.append(f"{name}: no evidence")
            continue
        if set(e.fits) != set(FRAMEWORKS) or not all(0 <= v <= 1 for v in e.fits.values()):
            problems.append(f"{name}: fits must give each of {FRAMEWORKS} a value from 0 to 1, got {e.fits}")
        if e.kind == "measured":
            cells = cells_of(e.notebook)
            if e.cell not in cells:
                problems.append(f"{name}: notebook {e.notebook} has no cell `{e.cell}` showing the figure")
            for file in e.files:
                if file.split("/")[0].removesuffix(".py") not in cells.get(e.cell, ""):
                    problems.append(f"{name}: cell `{e.cell}` does not show {file}")
        elif e.kind in ("cited", "judgement"):
            if not e.source.startswith("https://") or e.figures.keys() != set(FRAMEWORKS):
                problems.append(f"{name}: a citation needs an https address and a level for each framework")
            if e.kind == "judgement" and not e.reason:
                problems.append(f"{name}: a judgement needs its reason in one sentence")
        else:
            problems.append(f"{name}: evidence kind must be one of {KINDS}, got {e.kind!r}")
    return problems


@dataclass(frozen=True)
class PickIf:
    """The one-page "pick Django / Flask / FastAPI if..." summary, generated from the fits and the examples."""

    best: dict[str, list[str]]  # framework -> factors it fits best (ties included)
    everyone: list[str]  # factors where the three fit alike
    examples: dict[str, list[str]]  # framework -> example projects it is the pick of

    def lines(self) -> list[str]:
        """Return the page as Markdown lines: one paragraph per framework, then the ties of all three."""
        out = []
        for fw in FRAMEWORKS:
            needs = "; ".join(_need_line(f, fw) for f in self.best[fw]) or "no need it fits best alone"
            out.append(f"**Pick {fw} if** your project needs: {needs}.")
            if self.examples[fw]:
                out.append(f"It is the helper's pick for: {', '.join(self.examples[fw])}.")
            out.append("")
        if self.everyone:
            out.append("**Any of the three** serves: " + "; ".join(_need_line(f, None) for f in self.everyone) + ".")
        return out

    def _repr_markdown_(self) -> str:
        return "\n".join(self.lines())

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text("\n".join(self.lines()))  # plain-text views (nbval, terminals) read the page too

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _need_line(factor: str, framework: str | None) -> str:
    e = evidence()[factor]
    kind = f"measured, {e.source}" if e.kind == "measured" else e.kind
    if framework is None:  # the "any of the three" line: a tie of all three needs no names
        return f"{label(factor)} ({kind})"
    tied = [fw for fw in FRAMEWORKS if fw != framework and e.fits[fw] == e.fits[framework]]
    tie = f", tied with {' and '.join(tied)}" if tied else ""
    return f"{label(factor)} ({kind}{tie})"


def pick_if() -> PickIf:
    """Return the "pick X if..." page: each framework's best-fitting needs and the example projects it wins."""
    best: dict[str, list[str]] = {fw: [] for fw in FRAMEWORKS}
    everyone = []
    for name in FACTORS:
        fits = fit(name)
        top = max(fits.values())
        leaders = [fw for fw in FRAMEWORKS if fits[fw] == top]
        if len(leaders) == len(FRAMEWORKS):
            everyone.append(name)
        else:
            for fw in leaders:
                best[fw].append(name)
    examples = {fw: [n for n, p in EXAMPLES.items() if score(p).recommendation == fw] for fw in FRAMEWORKS}
    return PickIf(best, everyone, examples)


# Realistic projects; tests/test_decision.py says why each picks what it picks.
EXAMPLES: dict[str, Project] = {
    "newsroom CMS": Project(admin_ui=1, relational_data=1, auth_users=0.8, server_pages=0.8, long_term_support=0.5),
    "clinic booking site": Project(relational_data=1, auth_users=1, server_pages=1, long_term_support=1),
    "payments webhook receiver": Project(small_service=1, io_bound=0.3),
    "prototype with a few pages": Project(server_pages=1, small_service=0.8),
    "internal tool, Flask team": Project(server_pages=1, small_service=0.6, auth_users=0.3, team_knows="Flask"),
    "live support chat": Project(realtime=1, io_bound=0.8, small_service=0.3),
    "public partner API": Project(api_first=1, io_bound=0.6, small_service=0.4),
}
EVERYTHING_EQUALLY = Project(**{name: 1.0 for name in FACTORS})
