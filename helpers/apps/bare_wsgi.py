"""A bare WSGI app: one function, no framework, answering JSON."""

import json


def app(environ: dict, start_response) -> list[bytes]:
    """Answer every request with a small JSON document naming the path."""
    # environ is a plain dict of CGI-style variables; the body, if any, is a stream.
    body = json.dumps({"protocol": "WSGI", "path": environ["PATH_INFO"]}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]  # an iterable of bytes
