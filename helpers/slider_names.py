"""Give the slider handles of the course's widgets an accessible name, which ipywidgets 8 leaves out.

ipywidgets draws a slider with noUiSlider: its handle has role="slider" but no name a screen reader could say,
and no setting to give it one (jupyter-widgets/ipywidgets#2650). A widget of the course carries the class
`NAMED` and is displayed with a few lines of JavaScript that copy each slider's description (or tooltip) onto
its handle as `aria-label`, now and whenever JupyterLab draws the widget again. JupyterLab runs that script only
for outputs made in this session (trusted); a stored notebook shows no live widgets anyway.
"""

from __future__ import annotations

from typing import Any

NAMED = "course-named-sliders"
NAME_HANDLES = """
(() => {
  const name = () => document.querySelectorAll(".CLASS .widget-slider").forEach((slider) => {
    const handle = slider.querySelector(".noUi-handle");
    const label = slider.querySelector(".widget-label");
    const text = ((label && label.textContent) || slider.title || "").trim();
    if (handle && text && handle.getAttribute("aria-label") !== text) handle.setAttribute("aria-label", text);
  });
  name();
  // Widgets are drawn after this output, and again when scrolled into view: name what appears, once per page.
  if (!window.courseSliderNames) {
    window.courseSliderNames = new MutationObserver(name);
    window.courseSliderNames.observe(document.body, {childList: true, subtree: true});
  }
})();
""".replace("CLASS", NAMED)


def display_named(widget: Any) -> None:
    """Display `widget` (which must carry the class NAMED) and the script that names its slider handles."""
    from IPython.display import Javascript, display

    display(widget._repr_mimebundle_(), raw=True)
    display(Javascript(NAME_HANDLES))
