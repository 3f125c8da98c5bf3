"""The peak memory of a process tree: the root and its descendants, sampled while it runs."""

from __future__ import annotations

import subprocess
import sys

from helpers.runner.memory import TreeMemory

GROW = "import time; block = bytearray(150 * 2**20); block[::4096] = b'x' * len(block[::4096]); time.sleep(1.5)"


def test_the_peak_includes_a_child_that_grows():
    parent = subprocess.Popen(
        [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {GROW!r}])"]
    )
    with TreeMemory(parent.pid, interval=0.05) as memory:
        parent.wait(30)
    assert memory.samples > 3 and 150 <= memory.peak_mb < 450, memory.peak_mb


def test_without_the_root_an_idle_process_alone_counts_nothing():
    alone = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1)"])
    with TreeMemory(alone.pid, interval=0.05, include_root=False) as idle:
        alone.wait(30)
    assert idle.samples and idle.peak_bytes == 0
    assert TreeMemory(alone.pid).sample() == 0  # ended: nothing to read
