"""The decision widget is glue: its names, and a result that follows the sliders."""
from helpers.usecases import decision
from helpers.usecases.decision_widget import decision_widget


def test_widget_has_the_css_classes_the_browser_test_uses():
    box = decision_widget()
    assert "decision-widget" in box._dom_classes
    assert "decision-result" in box.result._dom_classes
    assert box.result in box.children


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
