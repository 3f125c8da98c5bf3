"""The decision widget is glue: plain labels, presets, a reset, and a result that follows the controls."""

import pytest

from helpers.usecases import decision
from helpers.usecases.decision_widget import decision_widget


def test_widget_has_the_css_classes_the_browser_test_uses():
    box = decision_widget()
    assert "decision-widget" in box._dom_classes
    assert "decision-result" in box.result._dom_classes
    assert box.result in box.children


def _leaves(widget):
    for child in getattr(widget, "children", ()):
        yield child
        yield from _leaves(child)


def test_labels_are_plain_language_with_a_description():
    box = decision_widget()
    text = " ".join(w.value for w in _leaves(box) if w is not box.result and isinstance(getattr(w, "value", None), str))
    for factor in decision.FACTORS.values():
        assert factor.label in text and factor.description in text
    assert "admin_ui" not in text and "own_parts" not in text  # no code names


def test_result_changes_when_a_weight_changes_and_matches_score():
    box = decision_widget(decision.EXAMPLES["newsroom CMS"])
    before = box.result.value
    assert "Pick: Django" in before
    box.weights["admin_ui"].value = 0.0
    assert box.result.value != before
    expected = decision.score(decision.EXAMPLES["newsroom CMS"], {"admin_ui": 0.0})
    assert expected.explanation.splitlines()[0] in box.result.value


def test_needs_sliders_drive_the_pick_and_all_zero_says_so():
    box = decision_widget({"realtime": 1.0})
    assert "Pick: FastAPI" in box.result.value
    box.needs["realtime"].value = 0.0
    assert "needs nothing" in box.result.value
    box.needs["admin_ui"].value = 1.0
    assert "Pick: Django" in box.result.value


def test_presets_team_and_reset():
    box = decision_widget(decision.EXAMPLES["newsroom CMS"])
    start = box.result.value
    box.presets.value = "live support chat"
    assert "Pick: FastAPI" in box.result.value and box.needs["realtime"].value == 1.0
    box.team.value = "Flask"
    assert "your team knows Flask" in box.result.value or "Pick: Flask" in box.result.value
    box.weights["realtime"].value = 4.0
    box.reset.click()
    assert box.result.value == start and box.weights["realtime"].value == 1.0 and box.team.value != "Flask"


def test_everything_equally_says_no_pick():
    box = decision_widget(decision.EVERYTHING_EQUALLY)
    assert "No pick" in box.result.value


def test_a_decision_shows_as_html_that_wraps_at_words_with_the_pick_in_words():
    result = decision.score(decision.EXAMPLES["live support chat"])
    page = result._repr_html_()
    assert "white-space: normal" in page and "word-break: normal" in page
    assert "<b>Pick: FastAPI</b>" in page and page.count("<li>") == len(result.explanation.splitlines())
    assert "No pick" in decision.score(decision.EVERYTHING_EQUALLY)._repr_html_()


def test_every_control_carries_its_rows_label_as_its_description():
    """A <select> is named by its description; sliders carry theirs for when ipywidgets links it to the handle."""
    import ipywidgets as widgets

    from helpers.usecases.decision_widget import weight_label

    box = decision_widget()
    for name, factor in decision.FACTORS.items():
        assert box.needs[name].description == factor.label and factor.description in box.needs[name].tooltip
    assert set(box.weights) == set(decision.WEIGHTS)
    for name, slider in box.weights.items():
        assert slider.description == weight_label(name) == f"Weight of {decision.label(name)}"
    assert box.team.description == decision.TEAM_LABEL and box.presets.description == "Preset"
    kinds = (widgets.FloatSlider, widgets.Dropdown)
    controls = [w for w in _leaves(box) if isinstance(w, kinds)]
    assert len(controls) == len(decision.FACTORS) * 2 + 3  # a need and a weight each; the team's two; the preset
    assert all(c.description for c in controls)
    # The row's own text shows the label: the description takes no width, so nothing is shown twice.
    assert all(c.style.description_width == "0px" for c in controls if c is not box.presets)


def test_the_chart_and_the_explanation_sit_beside_the_controls_and_follow_them():
    box = decision_widget(decision.EXAMPLES["newsroom CMS"])
    controls, result = box.children
    assert box.weights["admin_ui"] in list(_leaves(controls)) and result is box.result
    assert "row" in box.layout.flex_flow and "wrap" in box.layout.flex_flow  # beside, or under on a narrow page
    before = box.result.value
    assert before.index("Scores</b>") < before.index("Pick: Django")  # the chart first, then the words
    box.weights["admin_ui"].value = 0.0
    after = decision.score(decision.EXAMPLES["newsroom CMS"], {"admin_ui": 0.0})
    for fw, value in after.scores.items():
        assert f"{fw}: {value:.2f}" in box.result.value


def test_each_bar_says_its_framework_and_score_in_words_and_is_as_long_as_its_score():
    import re

    from helpers.usecases.decision_widget import score_chart

    result = decision.score(decision.EXAMPLES["live support chat"])
    chart = score_chart(result)
    widths = {
        fw: float(w)
        for fw, w in re.findall(
            r">(\w+): [\d.]+(?: \(pick\))?</span><span aria-hidden=\"true\"[^>]*width: ([\d.]+)em", chart
        )
    }
    assert set(widths) == set(result.scores)
    best = max(result.scores, key=result.scores.get)
    assert f"{best}: {result.scores[best]:.2f} (pick)" in chart
    for fw, value in result.scores.items():
        assert widths[fw] == pytest.approx(14 * value / result.scores[best], abs=0.01)
