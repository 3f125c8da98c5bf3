"""The README's commands are the ones CI runs and the files they name exist."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", README, flags=re.S)


def test_readme_has_exactly_the_install_open_and_test_commands():
    cmds = commands()
    assert any(c.startswith("pip install -r requirements.txt && jupyter lab") for c in cmds)
    assert any(c.startswith("pip install -r tests/requirements.txt && python -m pytest") for c in cmds)


def test_ci_runs_the_readmes_test_command():
    test_cmd = next(c for c in commands() if c.startswith("pip install -r tests/requirements.txt"))
    assert test_cmd in (ROOT / ".ci" / "run").read_text().splitlines()


def test_readme_links_every_notebook_and_binder_opens_start_here():
    from tools.course import NOTEBOOKS

    for name, _ in NOTEBOOKS:
        assert f"(notebooks/{name})" in README
    assert "urlpath=lab/tree/notebooks/00_start_here.ipynb" in README
