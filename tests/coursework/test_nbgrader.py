"""The nbgrader export: a source tree nbgrader takes as it is, and marks from `nbgrader autograde` that agree with the
course's own grader on the same submissions (issue 27)."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.coursework import grade
from helpers.coursework.cells import find_roles
from helpers.coursework.checks import solution_code
from helpers.coursework.exercises import exercise_ids
from helpers.coursework.nbgrader_export import BEGIN, CODE_STUB, END, export, nbgrader_notebook
from helpers.coursework.release import main as release_main

ROOT = Path(__file__).resolve().parents[2]
# Two notebooks keep the round trip short: 00's answers are Flask apps served by the check, 09's are data.
ROUND_TRIP = ("00_start_here", "09_choosing")


REQUIREMENTS = Path(__file__).with_name("nbgrader-requirements.txt")


def nbgrader_python() -> Path:
    """Return a Python that has nbgrader and sees the course's packages: a cached venv of its own.

    Installed beside the course, nbgrader and notebook 7 would add a menu, buttons and a side panel to the
    JupyterLab that the browser tests look at, which a learner's Binder does not have. The venv reaches the
    course's packages through a .pth that adds this interpreter's site directories after its own.
    """
    made_by = REQUIREMENTS.read_bytes() + sys.executable.encode() + sys.version.encode() + b"pth-3"
    key = hashlib.sha256(made_by).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "course-ci"
    venv = cache / f"nbgrader-{key}"
    if (venv / ".ready").exists():
        return venv / "bin" / "python"
    building = cache / f"nbgrader-{key}.{os.getpid()}"  # built aside, then renamed: two runs never share a half
    shutil.rmtree(building, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(building)], check=True, timeout=300)
    python = building / "bin" / "python"
    own = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dirs = [d for d in (*site.getsitepackages(), site.getusersitepackages()) if os.path.isdir(d)]
    # One line that site.py executes (the course's editable install needs its own .pth files processed too).
    Path(own, "course-packages.pth").write_text(f"import site; list(map(site.addsitedir, {dirs!r}))\n")
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", str(REQUIREMENTS)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"installing nbgrader failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    # nbgrader runs the `alembic` command found on PATH, which must be this venv's Python, where nbgrader is.
    alembic = building / "bin" / "alembic"
    alembic.write_text(f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom alembic.config import main\nsys.exit(main())\n")
    alembic.chmod(0o755)
    (building / ".ready").write_text(REQUIREMENTS.read_text())
    try:
        building.rename(venv)
    except OSError:  # another run got there first: use its venv
        shutil.rmtree(building, ignore_errors=True)
    return venv / "bin" / "python"


def nbgrader(course: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run nbgrader's command line in the course directory; fail the test with its output if it fails."""
    python = nbgrader_python()
    done = subprocess.run(
        [str(python), "-m", "nbgrader", *args],
        cwd=course,
        env={**os.environ, "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_every_answer_keeps_its_scaffold_and_gets_its_solution_between_markers():
    name = "04_data.ipynb"
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    source = nbgrader_notebook(nb, name)
    roles = find_roles(source)
    answers = {ex: source.cells[i] for i, (role, ex) in roles.items() if role == "answer"}
    checks = {ex: source.cells[i] for i, (role, ex) in roles.items() if role == "check"}
    assert set(answers) == set(checks) == set(exercise_ids("04"))
    for ex, cell in answers.items():
        released = nb.cells[next(i for i, (r, e) in find_roles(nb).items() if (r, e) == ("answer", ex))].source
        before, rest = cell.source.split(BEGIN + "\n")
        assert before.rstrip() == released.rstrip()  # the scaffold, as the released notebook has it
        assert rest == solution_code(ex).strip("\n") + "\n" + END
        assert cell.metadata["nbgrader"]["solution"] is True
    for ex, cell in checks.items():
        assert cell.source.endswith(f'check("{ex}", answer, strict=True)') and cell.source.count("check(") == 1
        assert cell.metadata["nbgrader"]["grade"] is True and cell.metadata["nbgrader"]["points"] == 1
    assert all(not getattr(c, "outputs", []) for c in source.cells)


def test_every_notebook_exports_and_a_check_cell_keeps_its_import(tmp_path):
    written = export(tmp_path / "all")
    assert sorted(p.name for p in written) == sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    nb = nbformat.read(next(p for p in written if p.name.startswith("00")), as_version=4)
    first_check = next(nb.cells[i] for i, (role, ex) in find_roles(nb).items() if (role, ex) == ("check", "00.1"))
    assert first_check.source.startswith("from helpers import check")


def test_the_command_line_writes_a_course_directory_and_refuses_a_full_one(tmp_path, capsys):
    out = tmp_path / "course"
    assert release_main(["--nbgrader", str(out), "09"]) == 0
    assert (out / "nbgrader_config.py").is_file()
    assert [p.relative_to(out).as_posix() for p in out.rglob("*.ipynb")] == ["source/09_choosing/09_choosing.ipynb"]
    assert release_main(["--nbgrader", str(out), "09"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert release_main(["--nbgrader", str(tmp_path / "other"), "99"]) == 2
    assert "no course notebook starts with 99" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        release_main([])


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """Export two notebooks, generate their assignments, autograde an honest and a blank learner with nbgrader
    and with the course's grader; return both sets of marks."""
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    export(course, [name[:2] for name in ROUND_TRIP])
    for name in ROUND_TRIP:
        nbgrader(course, "generate_assignment", name, "--force")
    learners = tmp_path_factory.mktemp("learners")
    for learner in ("honest", "blank"):
        for name in ROUND_TRIP:
            nb = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
            for i, (role, ex) in find_roles(nb).items():
                if role == "answer":
                    assert CODE_STUB in nb.cells[i].source and BEGIN not in nb.cells[i].source
                    if learner == "honest":
                        nb.cells[i].source = nb.cells[i].source.replace(CODE_STUB, solution_code(ex))
            for folder in (course / "submitted" / learner / name, learners / learner):
                folder.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, folder / f"{name}.ipynb")
    for name in ROUND_TRIP:
        nbgrader(course, "autograde", name, "--force")
    nbgrader(course, "export", "--to", str(course / "nbgrader_grades.csv"))
    with open(course / "nbgrader_grades.csv", encoding="utf-8") as f:
        theirs = {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(f)}
    out = tmp_path_factory.mktemp("out")
    grade.grade_all(learners, out, jobs=2, quiet=True, isolation="best-effort")
    with open(out / "grades.csv", encoding="utf-8") as f:
        ours = {(r["learner"], Path(r["notebook"]).stem): float(r["total"]) for r in csv.DictReader(f)}
    return theirs, ours


def test_nbgrader_autograde_agrees_with_the_course_grader(round_trip):
    theirs, ours = round_trip
    expected = {(learner, name) for learner in ("honest", "blank") for name in ROUND_TRIP}
    assert set(theirs) == set(ours) == expected, (theirs, ours)
    assert theirs == ours
    # And the marks are the ones each learner earned: full for the honest one, none for the blank one.
    for name in ROUND_TRIP:
        assert ours[("honest", name)] == len(exercise_ids(name[:2])) and ours[("blank", name)] == 0
