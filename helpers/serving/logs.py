"""Keep server logs out of notebook cells: collect them where a learner can ask for them."""

from __future__ import annotations

import collections
import io
import logging
import sys
import threading

from helpers.numbers import require_number

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


class _Ring:
    """The last MAX_LINES lines, plus a count of every line ever stored (so a mark survives wrap-around)."""

    def __init__(self, maxlen: int) -> None:
        self._lines: collections.deque[str] = collections.deque(maxlen=maxlen)
        self._lock = threading.Lock()
        self.total = 0

    def append(self, line: str) -> None:
        with self._lock:
            self._lines.append(line)
            self.total += 1

    def since(self, mark: int) -> list[str]:
        """Return the lines stored after `mark` (a former `total`) that are still kept."""
        with self._lock:
            new = self.total - mark
            return list(self._lines)[-new:] if new > 0 else []

    def last(self, n: int) -> list[str]:
        with self._lock:
            return list(self._lines)[-n:] if n else []

    def clear(self) -> None:
        with self._lock:
            self._lines.clear()


class _RingHandler(logging.Handler):
    """Store formatted records in a bounded, thread-safe buffer."""

    def __init__(self, lines: _Ring) -> None:
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

    def __init__(self, lines: _Ring) -> None:
        self.lines = lines

    def write(self, text: str) -> int:
        for line in str(text).splitlines():
            if line.strip():
                self.lines.append(line)
        return len(text)

    def writable(self) -> bool:
        return True


_lines = _Ring(MAX_LINES)
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
        # Flask's own handler writes each record to wsgi.errors, which is this buffer too: without this, every
        # traceback would be stored twice, the first copy line by line and cut short by server_logs()'s count.
        flask_default = getattr(sys.modules.get("flask.logging"), "default_handler", None)
        if flask_default in logger.handlers:
            logger.removeHandler(flask_default)
        if _handler not in logger.handlers:
            logger.addHandler(_handler)
        logger.propagate = False


def server_logs(last: int = 20) -> str:
    """Return the last `last` lines the servers logged, oldest first."""
    require_number("last", last, 0, integer=True)
    return "\n".join(_lines.last(last))


def mark() -> int:
    """Return a mark for `logs_since`: how many lines have been stored so far."""
    return _lines.total


def logs_since(mark: int) -> list[str]:
    """Return the lines stored since `mark` (those still kept in the buffer)."""
    return _lines.since(mark)


def clear_server_logs() -> None:
    """Forget every stored log line."""
    _lines.clear()
