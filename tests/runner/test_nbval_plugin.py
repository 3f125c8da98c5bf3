"""The course's nbval plugin: each guarantee it adds fails on a notebook that breaks it, and passes on one that keeps it.

One pytest run (in a subprocess, strict nbval with the plugin, as the README's test command runs it)
over small notebooks made here, each breaking one guarantee; the JUnit report says which items failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

from helpers.runner.course import ROOT

SERVE = (
    "from helpers import serve\nfrom helpers.apps import hello_flask\n"
    "server = serve(hello_flask.create_app(), 'plugin-test')\nprint(server.get('/').status_code)"
)

NOTEBOOKS = {
    # A server left running for the learner, as the course's notebooks do: stop_all() stops it.
    "clean": [SERVE, "print('done')"],
    "thread_leak": [
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(600,), daemon=True, name='forgotten').start()"
    ],
    "process_leak": [
        "import subprocess, sys\np = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])"
    ],
    # A thread that ends by itself a moment after the cell (a handler winding down on a busy machine).
    "transient_thread": [
        "import threading, time\nthreading.Thread(target=time.sleep, args=(1.0,), name='winding-down').start()"
    ],
    "second_run_fails": ["assert 'ran_once' not in globals(), 'ran twice'\nran_once = True"],
    "beyond_loopback": [
        "import socket\n"
        "s = socket.socket(); s.bind(('0.0.0.0', 0)); s.close()\n"
        "c = socket.socket(); c.setblocking(False)\n"
        "try:\n    c.connect(('192.0.2.1', 9))\nexcept OSError:\n    pass\nc.close()"
    ],
    "memory": ["print('small')"],
}
ONCE = ("clean", "second_run_fails", "process_leak")  # run a second time, with --nbval-course-runs=1


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, dict[str, str]]:
    """Run strict nbval with the plugin over the notebooks above; return {notebook: {item: failure text or ''}}."""
    folder = tmp_path_factory.mktemp("plugin")
    for name, cells in NOTEBOOKS.items():
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / f"{name}.ipynb")
    xml = folder / "report.xml"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    results: dict[str, dict[str, str]] = {}
    # The memory case alone gets a goal it can't meet: the check must read the real peak. The others run on two
    # pytest-xdist workers, as CI runs the notebooks: each guarantee, and the summary, must hold there too.
    # The "once" run is CI's other Pythons (--nbval-course-runs=1): its results are keyed "once:<notebook>".
    for run, paths, extra in (
        ("xdist", [p for p in sorted(folder.glob("*.ipynb")) if p.stem != "memory"], ["-n", "2", "--dist", "loadfile"]),
        ("plain", [folder / "memory.ipynb"], ["--nbval-course-memory-mb=1"]),
        ("once", [folder / f"{n}.ipynb" for n in ONCE], ["--nbval-course-runs=1"]),
    ):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                *map(str, paths),
                "-p",
                "no:cacheprovider",
                "--nbval",
                "--nbval-current-env",
                "-p",
                "helpers.runner.nbval_plugin",
                "--nbval-course",
                f"--junitxml={xml}",
                "-o",
                "addopts=",
                "-q",
                "--nbval-course-settle=3",
                *extra,
            ],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert xml.exists(), done.stdout[-3000:] + done.stderr[-2000:]
        for case in ET.parse(xml).getroot().iter("testcase"):
            problem = case.find("failure")
            notebook = Path(case.get("classname", "").replace(".", "/")).name or case.get("file", "")
            key = next((n for n in NOTEBOOKS if n in (case.get("classname", "") + case.get("name", ""))), notebook)
            results.setdefault(f"once:{key}" if run == "once" else key, {})[case.get("name", "")] = (
                "" if problem is None else (problem.get("message", "") + "\n" + (problem.text or ""))
            )
        results.setdefault("_stdout", {})[run] = done.stdout
    return results


def failures(outcomes: dict, notebook: str) -> dict[str, str]:
    return {item: why for item, why in outcomes[notebook].items() if why}


def test_a_notebook_that_keeps_every_guarantee_passes(outcomes):
    assert outcomes["clean"] and not failures(outcomes, "clean"), failures(outcomes, "clean")
    assert set(outcomes["clean"]) >= {
        "course: before Run All",
        "course: Run All again",
        "course: loopback only, memory",
    }


def test_the_summary_gives_run_times_and_peak_memory(outcomes):
    # From the xdist workers (the controller prints what they handed over) and from a plain run alike.
    for run, notebook in (("xdist", "clean.ipynb"), ("plain", "memory.ipynb")):
        stdout = outcomes["_stdout"][run]
        assert f"{notebook}: Run All" in stdout and "peak memory" in stdout, stdout[-2000:]


def test_a_thread_started_on_every_run_fails_run_all_again(outcomes):
    why = failures(outcomes, "thread_leak")
    assert list(why) == ["course: Run All again"] and "threads grew" in why["course: Run All again"], why
    assert "forgotten" in why["course: Run All again"]


def test_a_thread_that_ends_by_itself_soon_after_is_no_leak(outcomes):
    assert outcomes["transient_thread"] and not failures(outcomes, "transient_thread"), failures(
        outcomes, "transient_thread"
    )


def test_a_process_left_after_stop_all_fails(outcomes):
    why = failures(outcomes, "process_leak").get("course: Run All again", "")
    assert "child processes grew" in why and "after helpers.stop_all()" in why, why


def test_a_cell_that_fails_on_the_second_run_fails(outcomes):
    why = failures(outcomes, "second_run_fails").get("course: Run All again", "")
    assert "code cell 0 raised AssertionError: ran twice" in why, why


def test_a_bind_off_loopback_and_a_connection_beyond_it_fail(outcomes):
    why = failures(outcomes, "beyond_loopback").get("course: loopback only, memory", "")
    assert "bound off loopback: 0.0.0.0" in why and "connect beyond loopback: 192.0.2.1" in why, why


def test_a_peak_memory_over_the_goal_fails(outcomes):
    why = failures(outcomes, "memory").get("course: loopback only, memory", "")
    assert "peak memory of the kernel's process tree" in why and "goal 1 MiB" in why, why


def test_run_once_skips_the_second_run_but_still_checks_stop_all(outcomes):
    once = "course: stop_all after Run All"
    assert once in outcomes["once:clean"] and not failures(outcomes, "once:clean"), outcomes["once:clean"]
    assert once in outcomes["once:second_run_fails"] and not failures(outcomes, "once:second_run_fails")
    why = failures(outcomes, "once:process_leak").get(once, "")
    assert "after helpers.stop_all()" in why and "Run All, then helpers.stop_all()" in why, why
