"""Glue only: presets, sliders and a team choice for a project, wired to decision.score()."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from helpers import palette
from helpers.slider_names import NAMED, display_named
from helpers.usecases import decision

NOBODY = "nobody in particular"
# The row's text shows each control's label to the eye; the control's own description carries the same
# words for assistive technology (a <select> is named by it), so it takes no width of its own.
HIDDEN_LABEL = {"description_width": "0px"}
# Sized so the controls and the result fit side by side in JupyterLab at 1280 px with the file browser open
# (about 850 px for a cell's output); a narrower notebook puts the result under the controls.
LABEL_WIDTH = "200px"
CONTROL_WIDTH = "130px"
RESULT_WIDTH = "360px"


def weight_label(factor: str) -> str:
    """Return the name of the weight control of `factor`, e.g. "Weight of Staff back office"."""
    return f"Weight of {decision.label(factor)}"


def _slider(value: float, high: float, step: float, name: str, tip: str) -> widgets.FloatSlider:
    return widgets.FloatSlider(
        value=value,
        min=0.0,
        max=high,
        step=step,
        description=name,
        tooltip=tip,
        style=HIDDEN_LABEL,
        readout_format=".1f",
        layout=widgets.Layout(width=CONTROL_WIDTH),
        continuous_update=False,
    )


def score_chart(result: decision.Decision) -> str:
    """Return the three scores as an HTML bar chart whose every bar also says its framework and score in words."""
    top = max(result.scores.values()) or 1.0
    rows = []
    for fw in sorted(result.scores, key=lambda f: -result.scores[f]):
        value = result.scores[fw]
        mark = " (pick)" if fw == result.recommendation else ""
        # The bar is decoration (aria-hidden); the words beside it carry the same facts for every reader.
        rows.append(
            f'<div style="display: flex; align-items: center; gap: 0.5em; margin: 0.15em 0">'
            f'<span style="width: 8.5em">{html.escape(fw)}: {value:.2f}{mark}</span>'
            f'<span aria-hidden="true" style="display: inline-block; height: 0.9em; '
            f'width: {max(value / top, 0.0) * 14:.2f}em; background: {palette.FRAMEWORKS[fw]}"></span></div>'
        )
    return (
        '<figure style="margin: 0 0 0.6em 0"><figcaption><b>Scores</b> (sum of weight × need × fit; '
        "longer is better)</figcaption>" + "".join(rows) + "</figure>"
    )


def render(result: decision.Decision) -> str:
    """Return the chart of the scores, then the decision as HTML that wraps at words."""
    # ipywidgets' HTML sets a 28 px line height for one-line labels; the HTML sets its own.
    # Inside the result's column: wrap long words and links (the evidence cites URLs) rather than overflow it.
    return (
        f'<div style="max-width: calc({RESULT_WIDTH} - 8px); overflow-wrap: anywhere">'
        + score_chart(result)
        + result._repr_html_()
        + "</div>"
    )


class DecisionBox(widgets.HBox):
    """The decision widget's outer box, displayed with the script that names its slider handles."""

    def _ipython_display_(self) -> None:
        display_named(self)


def decision_widget(
    project: decision.Project | Mapping[str, Any] | None = None,
    weights: Mapping[str, float] | None = None,
) -> DecisionBox:
    """Return a widget: a preset menu, one row per factor (need, weight), the team, a reset button; beside them the chart of the scores and the explanation."""
    start = decision.make_project(project or decision.EXAMPLES["newsroom CMS"])
    start_weights = decision.normalise_weights(weights)
    needs = {
        f: _slider(getattr(start, f), 1.0, 0.1, x.label, f"How much you need it, 0 to 1: {x.description}")
        for f, x in decision.FACTORS.items()
    }
    weight_sliders = {
        f: _slider(
            start_weights[f],
            decision.MAX_WEIGHT,
            0.5,
            weight_label(f),
            f"How much it counts, 0 to {decision.MAX_WEIGHT:g}",
        )
        for f in decision.WEIGHTS
    }
    team = widgets.Dropdown(
        options=[NOBODY, *decision.FRAMEWORKS],
        value=start.team_knows or NOBODY,
        description=decision.TEAM_LABEL,
        tooltip=decision.TEAM_DESCRIPTION,
        style=HIDDEN_LABEL,
        layout=widgets.Layout(width=CONTROL_WIDTH),
    )
    presets = widgets.Dropdown(
        options=["(your own)", *decision.EXAMPLES],
        value="(your own)",
        description="Preset",
        layout=widgets.Layout(width="300px"),
    )
    reset = widgets.Button(description="Reset", tooltip="Back to the project this widget started with, weights 1")
    # Beside the controls, so a learner sees the chart and the explanation move without scrolling.
    result = widgets.HTML(layout=widgets.Layout(width=RESULT_WIDTH, min_width="300px")).add_class("decision-result")
    quiet = {"on": False}  # while a preset or reset sets many sliders, compute once at the end

    def update(_: Any = None) -> None:
        if quiet["on"]:
            return
        chosen_needs = {f: s.value for f, s in needs.items()}
        chosen_needs[decision.TEAM] = None if team.value == NOBODY else team.value
        try:
            chosen = decision.score(chosen_needs, {f: s.value for f, s in weight_sliders.items()})
            result.value = render(chosen)
        except ValueError as exc:  # e.g. every need at 0: say so instead of a traceback
            result.value = f"<i>{html.escape(str(exc))}</i>"

    def load(p: decision.Project, w: Mapping[str, float]) -> None:
        quiet["on"] = True
        try:
            for f, s in needs.items():
                s.value = getattr(p, f)
            for f, s in weight_sliders.items():
                s.value = w[f]
            team.value = p.team_knows or NOBODY
        finally:
            quiet["on"] = False
        update()

    def on_preset(change: dict) -> None:
        if change["new"] in decision.EXAMPLES:
            load(decision.EXAMPLES[change["new"]], decision.WEIGHTS)

    def on_reset(_: Any) -> None:
        presets.value = "(your own)"
        load(start, decision.WEIGHTS)

    for s in [*needs.values(), *weight_sliders.values(), team]:
        s.observe(update, names="value")
    presets.observe(on_preset, names="value")
    reset.on_click(on_reset)

    def row(name: str, label: str, description: str, control: widgets.Widget) -> widgets.HBox:
        text = widgets.HTML(
            f"<b>{html.escape(label)}</b><br><small>{html.escape(description)}</small>",
            layout=widgets.Layout(width=LABEL_WIDTH),
        )
        return widgets.HBox([text, control, weight_sliders[name]])

    header = widgets.HBox(
        [
            widgets.HTML("<b>Factor</b>", layout=widgets.Layout(width=LABEL_WIDTH)),
            widgets.HTML("<b>Need (0–1)</b>", layout=widgets.Layout(width=CONTROL_WIDTH)),
            widgets.HTML("<b>Weight (0–5)</b>", layout=widgets.Layout(width=CONTROL_WIDTH)),
        ]
    )
    rows = [row(f, x.label, x.description, needs[f]) for f, x in decision.FACTORS.items()]
    rows.append(row(decision.TEAM, decision.TEAM_LABEL, decision.TEAM_DESCRIPTION, team))
    update()
    controls = widgets.VBox([widgets.HBox([presets, reset]), header, *rows])
    # A row that wraps: beside the controls when the notebook is wide enough, under them when it is not.
    box = DecisionBox(
        [controls, result], layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start", grid_gap="12px")
    ).add_class("decision-widget")
    box.add_class(NAMED)  # its slider handles get their descriptions as names (helpers.slider_names)
    # handles for tests and curious learners
    box.needs, box.weights, box.team, box.presets, box.reset, box.result = (
        needs,
        weight_sliders,
        team,
        presets,
        reset,
        result,
    )
    return box
