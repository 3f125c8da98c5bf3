"""Glue only: sliders for a project's needs and the weights, wired to decision.score()."""
from __future__ import annotations

import html
from typing import Any, Mapping

import ipywidgets as widgets

from helpers.usecases import decision


def _slider(name: str, value: float, high: float, step: float) -> widgets.FloatSlider:
    return widgets.FloatSlider(
        value=value, min=0.0, max=high, step=step, description=name,
        style={"description_width": "110px"}, layout=widgets.Layout(width="330px"), continuous_update=False,
    )


def render(result: decision.Decision) -> str:
    """Return the decision as HTML: the pick in bold, then one line per sentence."""
    lines = [html.escape(line) for line in result.explanation.splitlines()]
    # ipywidgets' HTML sets a 28 px line height for one-line labels; a paragraph needs its own.
    body = f"<b>Pick: {html.escape(result.recommendation)}</b><br>" + "<br>".join(lines)
    return f'<div style="line-height: 1.45; white-space: normal; max-width: 60em">{body}</div>'


def decision_widget(
    project: "decision.Project | Mapping[str, float] | None" = None,
    weights: Mapping[str, float] | None = None,
) -> widgets.VBox:
    """Return a widget: needs on the left, weights on the right, the explanation below."""
    start = decision.make_project(project or decision.EXAMPLES["newsroom CMS"])
    start_weights = decision.check_weights(weights)
    needs = {f: _slider(f, getattr(start, f), 1.0, 0.1) for f in decision.FACTORS}
    weight_sliders = {f: _slider(f, start_weights[f], decision.MAX_WEIGHT, 0.5) for f in decision.FACTORS}
    result = widgets.HTML().add_class("decision-result")

    def update(_: Any = None) -> None:
        try:
            chosen = decision.score({f: s.value for f, s in needs.items()},
                                    {f: s.value for f, s in weight_sliders.items()})
            result.value = render(chosen)
        except ValueError as exc:  # e.g. every need at 0: say so instead of a traceback
            result.value = f"<i>{html.escape(str(exc))}</i>"

    for s in [*needs.values(), *weight_sliders.values()]:
        s.observe(update, names="value")
    update()
    columns = widgets.HBox([
        widgets.VBox([widgets.HTML("<b>Project needs (0–1)</b>"), *needs.values()]),
        widgets.VBox([widgets.HTML("<b>Weights (0–5)</b>"), *weight_sliders.values()]),
    ])
    box = widgets.VBox([columns, result]).add_class("decision-widget")
    box.needs, box.weights, box.result = needs, weight_sliders, result  # handles for tests and curious learners
    return box
