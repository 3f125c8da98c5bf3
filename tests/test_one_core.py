"""The one-core benchmark's parts: pinning, the busy neighbour, and the memory of a process tree."""

from __future__ import annotations

import os
import subprocess
import sys

import psutil
import pytest

from benchmarks import one_core

pytestmark = pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs sched_setaffinity (Linux)")


def test_a_pinned_child_runs_on_one_core():
    out = subprocess.run(
        [sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=one_core.pin,
    )
    assert out.stdout.strip() == f"[{one_core.CORE}]"


def test_the_busy_neighbour_shares_the_core_and_is_stopped():
    with one_core.busy_core() as spinner:
        proc = psutil.Process(spinner.pid)
        assert proc.cpu_affinity() == [one_core.CORE]
        # It spins: a sleeping process gets 0 %, and a spinner keeps a share even of a core shared with two lanes
        # of tests (CI once measured 7.8 %).
        assert proc.cpu_percent(interval=0.5) > 2
    assert spinner.poll() is not None


def test_tree_memory_counts_the_descendants_not_the_parent():
    script = "import time; block = bytearray(150 * 2**20); block[::4096] = b'x' * len(block[::4096]); time.sleep(1.5)"
    parent = subprocess.Popen(
        [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {script!r}])"]
    )
    with one_core.TreeMemory(parent.pid, interval=0.05, include_root=False) as memory:
        parent.wait(30)
    assert memory.samples > 3
    assert 150 <= memory.peak_bytes / 2**20 < 400, memory.peak_bytes / 2**20
    alone = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1)"])
    with one_core.TreeMemory(alone.pid, interval=0.05, include_root=False) as idle:  # no children: nothing to count
        alone.wait(30)
    assert idle.samples and idle.peak_bytes == 0
