"""The course's JupyterLab style: a server extension that serves custom.css, turned on by the install."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import course_lab_style
from jupyter_core.paths import jupyter_config_path

ROOT = Path(__file__).resolve().parent.parent


def test_the_extension_puts_its_css_first_on_the_custom_path_once():
    logged = []
    app = SimpleNamespace(
        web_app=SimpleNamespace(settings={"static_custom_path": ["/home/learner/.jupyter/custom"]}),
        log=SimpleNamespace(info=lambda *a: logged.append(a)),
    )
    course_lab_style._load_jupyter_server_extension(app)
    course_lab_style._load_jupyter_server_extension(app)  # a second load adds nothing
    paths = app.web_app.settings["static_custom_path"]
    assert paths == [str(course_lab_style.HERE), "/home/learner/.jupyter/custom"]
    assert (Path(paths[0]) / "custom.css").is_file() and logged


def test_the_css_underlines_links_in_rendered_markdown_and_outputs():
    css = (Path(course_lab_style.HERE) / "custom.css").read_text()
    assert ":root .jp-RenderedHTMLCommon a:link" in css and "text-decoration: underline" in css


def merge(into: dict, more: dict) -> dict:
    """Merge `more` into `into` key by key, as traitlets merges config files."""
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
    return into


def read_config(name: str) -> dict:
    """Merge the JSON config `name` (a file, or a .d folder of files) from every Jupyter config folder."""
    merged: dict = {}
    for folder in map(Path, reversed(jupyter_config_path())):
        for path in [folder / name] if name.endswith(".json") else sorted((folder / name).glob("*.json")):
            if path.is_file():
                merge(merged, json.loads(path.read_text()))
    return merged


def test_this_environment_turns_the_extension_and_custom_css_on():
    # What requirements.txt (and binder/postBuild) installed: the config that every JupyterLab here reads.
    server = read_config("jupyter_server_config.d")
    assert server.get("ServerApp", {}).get("jpserver_extensions", {}).get("course_lab_style") is True, server
    assert read_config("jupyter_lab_config.json").get("LabApp", {}).get("custom_css") is True
    assert "./lab-style" in (ROOT / "binder" / "postBuild").read_text()
