"""Serve the course's JupyterLab style fixes (underlined links) as LabApp's custom.css, by a server extension.

JupyterLab loads `/custom/custom.css` when `LabApp.custom_css` is true, from the server's
`static_custom_path`. Installing this folder (`pip install ./lab-style`, in requirements.txt and
binder/postBuild) puts `jupyter-config/course_lab_style.json` into
`{sys.prefix}/etc/jupyter/jupyter_server_config.d/`, which turns both on for every JupyterLab started
in the course's environment: the README's command, Binder and JupyterHub.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Name this module as a Jupyter server extension."""
    return [{"module": "course_lab_style"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Put this folder first on the path JupyterLab serves /custom/ from."""
    # LabApp's handler holds this same list, so extending it in place works whichever extension loads first.
    paths = serverapp.web_app.settings.setdefault("static_custom_path", [])
    if str(HERE) not in paths:
        paths.insert(0, str(HERE))
    serverapp.log.info("course: JupyterLab custom.css from %s", HERE)
