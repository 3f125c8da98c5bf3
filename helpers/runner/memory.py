"""The peak resident memory of a process tree (a kernel and every server it started), sampled from a thread."""

from __future__ import annotations

import threading

import psutil

MEMORY_GOAL_MB = 1536.0  # 1.5 GB: Binder stops a kernel at 2 GB


class TreeMemory:
    """Sample the summed RSS of process `pid`'s tree every `interval` seconds while in use; keep the peak.

    RSS is summed over the tree, which counts pages shared between forked workers more than once:
    an upper bound, which is what a memory limit needs.
    """

    def __init__(self, pid: int, interval: float = 0.1, include_root: bool = True) -> None:
        self.pid, self.interval, self.include_root = pid, interval, include_root
        self.peak_bytes, self.samples = 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="tree-memory")

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / 2**20

    def sample(self) -> int:
        """Return the tree's summed RSS now, in bytes (0 once the root has ended)."""
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)] if self.include_root else root.children(recursive=True)
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass  # a short-lived process ended between listing and reading
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self.sample())
            self.samples += 1
            self._stop.wait(self.interval)

    def start(self) -> TreeMemory:
        """Start sampling in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> float:
        """Stop sampling; return the peak in MiB."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        return self.peak_mb

    def __enter__(self) -> TreeMemory:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
