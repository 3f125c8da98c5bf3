"""Keep server logs out of notebook cells: collect them where a learner can ask for them."""
from __future__ import annotations

import collections
import io
import logging
import threading

# Loggers that servers and frameworks write to from their own threads.
# Left alone, their records reach the root logger's last-resort handler and
# print under whatever cell happens to be running.
SERVER_LOGGERS = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "werkzeug",
    "django",
    "django.request",
    "django.server",
    "asyncio",
)

MAX_LINES = 2000


class _RingHandler(logging.Handler):
    """Store formatted records in a bounded, thread-safe buffer."""

    def __init__(self, lines: collections.deque[str]) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines = lines
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a log line must never take a server thread down
            pass


class LogStream(io.TextIOBase):
    """A file-like sink for `wsgi.errors` and tracebacks that stores lines."""

    def __init__(self, lines: collections.deque[str]) -> None:
        self.lines = lines
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            for line in str(text).splitlines():
                if line.strip():
                    self.lines.append(line)
        return len(text)

    def writable(self) -> bool:
        return True


_lines: collections.deque[str] = collections.deque(maxlen=MAX_LINES)
_handler = _RingHandler(_lines)
stream = LogStream(_lines)


def capture_server_logs() -> None:
    """Route the server and framework loggers into the buffer (idempotent)."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if _handler not in logger.handlers:
            logger.addHandler(_handler)
        logger.propagate = False
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)


def capture_app_logger(app: object) -> None:
    """Route a Flask app's own logger (its error tracebacks) into the buffer."""
    logger = getattr(app, "logger", None)
    if isinstance(logger, logging.Logger):
        if _handler not in logger.handlers:
            logger.addHandler(_handler)
        logger.propagate = False


def server_logs(last: int = 20) -> str:
    """Return the last `last` lines the servers logged, oldest first."""
    if not isinstance(last, int) or isinstance(last, bool) or last < 0:
        raise ValueError(f"last must be a whole number >= 0, got {last!r}")
    lines = list(_lines)
    return "\n".join(lines[-last:] if last else [])


def clear_server_logs() -> None:
    """Forget every stored log line."""
    _lines.clear()
