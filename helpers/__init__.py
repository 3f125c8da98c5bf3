"""Plumbing for the course notebooks: servers, Django set-up, checks, display."""
from .logs import server_logs
from .servers import Server, ServerStartError, get_server, running, serve, serve_asgi, serve_wsgi, stop_all

__all__ = [
    "Server",
    "ServerStartError",
    "get_server",
    "running",
    "serve",
    "serve_asgi",
    "serve_wsgi",
    "server_logs",
    "stop_all",
]
