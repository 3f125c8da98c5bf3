"""The README's commands are the ones CI runs and the files they name exist."""

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", README, flags=re.S)


def section(title: str) -> str:
    """Return the README's text under `## title`, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, flags=re.S | re.M)
    assert match, f"the README has no '## {title}' section"
    return match.group(1)


def test_run_it_is_one_command_that_installs_and_opens_the_course():
    blocks = re.findall(r"```bash\n(.+?)\n```", section("Run it"), flags=re.S)
    assert blocks == ["pip install -r requirements.txt && jupyter lab notebooks/00_start_here.ipynb"], blocks


def test_test_it_is_one_command_that_installs_and_runs_every_test():
    blocks = re.findall(r"```bash\n(.+?)\n```", section("Test it"), flags=re.S)
    assert blocks == ["pip install -r tests/requirements.txt && python -m pytest"], blocks


def test_ci_runs_the_readmes_install_then_its_test_command_in_lanes():
    test_cmd = next(c for c in commands() if c.startswith("pip install -r tests/requirements.txt"))
    install, pytest_cmd = test_cmd.split(" && ")
    run = (ROOT / ".ci" / "run").read_text()
    assert f"{install} || exit 1" in run.splitlines() and "python .ci/lanes.py" in run.splitlines()
    # Each lane step is the README's pytest command with a selection (tests/test_ci_lanes.py: together, all of it).
    spec = importlib.util.spec_from_file_location("ci_lanes_readme", ROOT / ".ci" / "lanes.py")
    lanes = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = lanes  # dataclasses look their module up there
    spec.loader.exec_module(lanes)
    assert pytest_cmd == "python -m pytest"
    for selection, args in lanes.SELECTIONS.items():
        command = lanes.pytest_command("python", lanes.Step(selection), Path("r.xml"), Path("t"))
        assert command[: 3 + len(args)] == ["python", "-m", "pytest", *args], command


def test_readme_links_every_notebook_and_binder_opens_start_here():
    from helpers.runner.course import NOTEBOOKS

    for name, _ in NOTEBOOKS:
        assert f"(notebooks/{name})" in README
    assert "urlpath=lab/tree/notebooks/00_start_here.ipynb" in README
