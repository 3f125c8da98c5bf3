"""The course's widgets are displayed with the script that names their slider handles (helpers.slider_names)."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display
from IPython.utils.capture import capture_output

from helpers.concurrency.sim_widget import explore
from helpers.slider_names import NAME_HANDLES, NAMED
from helpers.usecases.decision_widget import decision_widget

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("make", [lambda: explore(n=3), decision_widget], ids=["simulation", "decision"])
def test_a_course_widget_shows_its_view_then_the_naming_script(make):
    InteractiveShell.instance()  # display() publishes through a shell, as in a kernel
    widget = make()
    box = getattr(widget, "box", widget)
    with capture_output() as shown:
        display(widget)
    assert [sorted(o.data) for o in shown.outputs] == [
        [WIDGET_VIEW, "text/plain"],
        ["application/javascript", "text/plain"],
    ]
    assert shown.outputs[0].data[WIDGET_VIEW]["model_id"] == box.model_id
    assert shown.outputs[1].data["application/javascript"] == NAME_HANDLES
    assert NAMED in box._dom_classes and f".{NAMED} .widget-slider" in NAME_HANDLES
