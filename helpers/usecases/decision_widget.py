"""Glue only: presets, sliders and a team choice for a project, wired to decision.score()."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from helpers.usecases import decision

NOBODY = "nobody in particular"
# The row's text shows each control's label to the eye; the control's own description carries the same
# words for assistive technology (a <select> is named by it), so it takes no width of its own.
HIDDEN_LABEL = {"description_width": "0px"}


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
        layout=widgets.Layout(width="150px"),
        continuous_update=False,
    )


def render(result: decision.Decision) -> str:
    """Return the decision as HTML that wraps at words (the same HTML a notebook cell shows)."""
    # ipywidgets' HTML sets a 28 px line height for one-line labels; the HTML sets its own.
    return result._repr_html_()


def decision_widget(
    project: decision.Project | Mapping[str, Any] | None = None,
    weights: Mapping[str, float] | None = None,
) -> widgets.VBox:
    """Return a widget: a preset menu, one row per factor (need, weight), the team, a reset button, the result."""
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
        layout=widgets.Layout(width="150px"),
    )
    presets = widgets.Dropdown(
        options=["(your own)", *decision.EXAMPLES],
        value="(your own)",
        description="Preset",
        layout=widgets.Layout(width="330px"),
    )
    reset = widgets.Button(description="Reset", tooltip="Back to the project this widget started with, weights 1")
    result = widgets.HTML().add_class("decision-result")
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
            layout=widgets.Layout(width="330px"),
        )
        return widgets.HBox([text, control, weight_sliders[name]])

    header = widgets.HBox(
        [
            widgets.HTML("<b>Factor</b>", layout=widgets.Layout(width="330px")),
            widgets.HTML("<b>How much you need it (0–1)</b>", layout=widgets.Layout(width="150px")),
            widgets.HTML("<b>Weight (0–5)</b>", layout=widgets.Layout(width="150px")),
        ]
    )
    rows = [row(f, x.label, x.description, needs[f]) for f, x in decision.FACTORS.items()]
    rows.append(row(decision.TEAM, decision.TEAM_LABEL, decision.TEAM_DESCRIPTION, team))
    update()
    box = widgets.VBox([widgets.HBox([presets, reset]), header, *rows, result]).add_class("decision-widget")
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
