"""The course's helpers: what notebooks import. See helpers/README.md for the map of subpackages.

The names a learner types most are re-exported here, so `from helpers import serve, check` works.
"""
from helpers.coursework.checks import check, show_hint, show_solution
from helpers.display import Table, show_code, show_figure
from helpers.serving.logs import server_logs
from helpers.serving.servers import (
    Server,
    ServerStartError,
    get_server,
    list_servers,
    serve,
    serve_asgi,
    serve_wsgi,
    show_links,
    stop_all,
)

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
