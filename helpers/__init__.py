"""The course's helpers: what notebooks import. See helpers/README.md for the map of subpackages.

The names a learner types most are re-exported here, so `from helpers import serve, check` works.
Each is imported on first use (PEP 562): a gunicorn or uvicorn worker serving `helpers.apps.X:app`
imports this package too, and must not pay for IPython (the checks), httpx and the in-kernel servers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and editors see; at run time `__getattr__` imports these
    from helpers.coursework.checks import check, show_hint, show_solution
    from helpers.display import Table, show_code, show_figure
    from helpers.serving.logs import server_logs
    from helpers.serving.registry import stop_all
    from helpers.serving.servers import (
        Server,
        ServerStartError,
        get_server,
        list_servers,
        serve,
        serve_asgi,
        serve_wsgi,
        show_links,
    )

# Each re-exported name, and the module that defines it.
_SOURCES = {
    "check": "helpers.coursework.checks",
    "show_hint": "helpers.coursework.checks",
    "show_solution": "helpers.coursework.checks",
    "Table": "helpers.display",
    "show_code": "helpers.display",
    "show_figure": "helpers.display",
    "server_logs": "helpers.serving.logs",
    "stop_all": "helpers.serving.registry",  # in-kernel servers and server processes alike
    "Server": "helpers.serving.servers",
    "ServerStartError": "helpers.serving.servers",
    "get_server": "helpers.serving.servers",
    "list_servers": "helpers.serving.servers",
    "serve": "helpers.serving.servers",
    "serve_asgi": "helpers.serving.servers",
    "serve_wsgi": "helpers.serving.servers",
    "show_links": "helpers.serving.servers",
}

__all__ = [
    "Server",
    "ServerStartError",
    "Table",
    "check",
    "get_server",
    "list_servers",
    "serve",
    "serve_asgi",
    "serve_wsgi",
    "server_logs",
    "show_code",
    "show_figure",
    "show_hint",
    "show_links",
    "show_solution",
    "stop_all",
]


def __getattr__(name: str) -> Any:
    """Import and return the re-exported `name` from the module that defines it."""
    if name not in _SOURCES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_SOURCES[name]), name)
    globals()[name] = value  # later lookups find it here and skip this function
    return value


def __dir__() -> list[str]:
    """List the module's names, the re-exports not yet imported included."""
    return sorted({*globals(), *__all__})
