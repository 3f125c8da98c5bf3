"""A process the kernel started and owns: its id, whether it still runs, and every process under it.

Server processes (`serving.processes`), services (`services.base`) and job workers (`jobs.workers`) share it.
"""

from __future__ import annotations

import contextlib
import subprocess

import psutil


class OwnedProcess:
    """Mixin for a class that keeps its main process in `_popen` and sets `_stopped` once it stopped it."""

    _popen: subprocess.Popen | None
    _stopped: bool

    @property
    def pid(self) -> int:
        """Return the main process's id (-1 before it started)."""
        return self._popen.pid if self._popen else -1

    @property
    def running(self) -> bool:
        """Tell whether the main process is alive and not stopped."""
        return bool(self._popen and self._popen.poll() is None and not self._stopped)

    def processes(self) -> list[psutil.Process]:
        """Return the main process and every process under it (a server's workers, RQ's work horse)."""
        if not self.running:
            return []
        with contextlib.suppress(psutil.NoSuchProcess):
            main = psutil.Process(self.pid)
            return [main, *main.children(recursive=True)]
        return []
