"""helpers.verdicts: a measured claim shown as "As expected" or "Not this time", never raised."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from helpers import verdicts
from helpers.verdicts import CpuWatch, Verdict, judge, verdict, watch_cpu

SPIN = "import time\nend = time.process_time() + {s}\nwhile time.process_time() < end: pass"


def test_a_claim_that_held_says_so_with_its_figures():
    text = judge("Threads overlap their waits", True, "0.11 s for 10 waits of 0.1 s").text()
    assert text == "Claim: Threads overlap their waits\n  As expected: 0.11 s for 10 waits of 0.1 s"


def test_a_missed_claim_says_what_was_seen_and_why_and_never_raises(capsys):
    verdict("Threads overlap their waits", False, "1.02 s for 10 waits of 0.1 s", why="the GIL was busy")
    out = capsys.readouterr().out
    assert out.startswith("Claim: Threads overlap their waits\n  Not this time: 1.02 s for 10 waits of 0.1 s.")
    assert "the GIL was busy" in out and "re-run the cell" in out and "As expected" not in out


@pytest.mark.parametrize(
    "others,words",
    [
        (1.5, "other programs used about 1.5 of the 2 cores this kernel may use, so the measurement shared the CPU"),
        (0.1, "other programs used about 0.1 of the 2 cores, so the machine was not the cause"),
    ],
)
def test_a_miss_names_how_busy_the_machine_was(others, words):
    text = Verdict("A claim", False, "what was seen", others_cores=others, cores=2).text()
    assert words in text


def test_the_verdict_is_in_words_on_one_line_that_the_sanitizer_replaces():
    import re
    from configparser import ConfigParser

    from helpers.runner.course import ROOT

    config = ConfigParser()
    config.read(ROOT / "tests" / "nbval_sanitize.cfg")
    rule = config["verdict"]
    for held in (True, False):
        text = Verdict("A claim", held, "0.41 s", why="a reason", others_cores=1.0, cores=2).text()
        claim, line = text.split("\n")
        assert re.sub(rule["regex"], rule["replace"], text) == f"{claim}\n  {rule['replace']}"


@pytest.mark.parametrize(
    "kwargs,error,words",
    [
        ({"claim": ""}, ValueError, "claim must be a sentence"),
        ({"claim": None}, ValueError, "claim must be a sentence"),
        ({"seen": " "}, ValueError, "seen must say what was measured"),
        ({"why": 3}, TypeError, "why must be a sentence"),
        ({"during": 12.0}, TypeError, "during must be what watch_cpu"),
    ],
)
def test_bad_arguments_say_what_is_allowed(kwargs, error, words):
    args = {"claim": "A claim", "held": True, "seen": "0.1 s", **kwargs}
    with pytest.raises(error, match=words):
        judge(args.pop("claim"), args.pop("held"), args.pop("seen"), **args)


def test_the_kernels_own_children_count_as_its_cpu_not_as_other_programs():
    before = verdicts._tree_cpu_seconds()
    subprocess.run([sys.executable, "-c", SPIN.format(s=0.5)], check=True, timeout=60)
    assert verdicts._tree_cpu_seconds() - before > 0.4  # the reaped child's CPU time is ours


def test_a_process_outside_the_kernels_tree_counts_as_another_program():
    # The middle process exits at once, so the spinner is nobody's child of ours.
    launcher = f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {SPIN.format(s=0.5)!r}])"
    before = verdicts._tree_cpu_seconds()
    machine = verdicts._machine_busy_seconds()
    subprocess.run([sys.executable, "-c", launcher], check=True, timeout=60)
    time.sleep(1.5)  # the spinner burns its 0.5 s of CPU (more wall time on a busy machine)
    ours = verdicts._tree_cpu_seconds() - before
    assert ours < 0.4  # the launcher's own start-up only
    assert verdicts._machine_busy_seconds() - machine > 0.5 + ours  # the machine saw the spinner


def test_a_watch_reports_other_programs_from_the_machine_and_the_kernels_tree(monkeypatch):
    clock = iter([100.0, 102.0])
    machine = iter([50.0, 53.0])
    tree = iter([10.0, 11.0])
    monkeypatch.setattr(verdicts.time, "perf_counter", lambda: next(clock))
    monkeypatch.setattr(verdicts, "_machine_busy_seconds", lambda: next(machine))
    monkeypatch.setattr(verdicts, "_tree_cpu_seconds", lambda: next(tree))
    # 3 s of CPU on the machine in 2 s, 1 of them ours: others used 1 core.
    assert CpuWatch().others_cores() == pytest.approx(1.0)


def test_a_watch_says_nothing_when_the_machine_cannot_tell(monkeypatch):
    monkeypatch.setattr(verdicts, "_machine_busy_seconds", lambda: None)
    watch = watch_cpu()
    text = judge("A claim", False, "seen", during=watch).text()
    assert watch.others_cores() is None and "other programs" not in text and "re-run the cell" in text
