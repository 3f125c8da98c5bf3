"""Serve an answer that is a web app on a Unix socket, and let a check call it there from another process.

In grading, the replay (replay.py) runs a learner's app in their sandbox and serves it on a socket in its folder;
the grader's judge (judge.py) then runs the same check with a `Remote` in place of the app. The check's code, its
HTTP client and its verdict live in the judge's process: the learner's code reaches them only as HTTP responses,
so an answer that patches the check's client while it is called (and puts the patch back before anyone looks)
changes nothing. Outside grading, `serve_wsgi` and `serve_asgi` serve the app in the kernel, as the notebooks do.
"""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from helpers.serving import servers
from helpers.serving.servers import Requests

KINDS = ("wsgi", "asgi")
# An answer that is a function or a class is served as a "call": the course's own port function (the code a check
# calls the answer through, such as accepts(validator, payload)) runs beside it, and the judge sends it arguments.
CALL = "call"
TIMEOUT_S = servers.DEFAULT_TIMEOUT  # every call the judge makes to a served answer
START_S = 10.0  # how long an answer's server may take to listen
MAX_BODY = 5_000_000  # bytes the judge reads of one answer's body: far more than any check needs


@dataclass(frozen=True)
class Remote:
    """An answer served by a learner's replay, as the judge sees it: its interface, socket and the uid serving it."""

    kind: str
    socket: str
    uid: int


class ServedBy(OSError):
    """The socket was served by another user than the learner's replay."""


class _PeerChecked:
    """An httpcore network backend that connects to one Unix socket and refuses it unless `uid` listens there.

    The socket's folder belongs to the learner, who could swap the socket for a link to someone else's server;
    the kernel says who listens (SO_PEERCRED), so the judge talks only to the learner's own replay.
    """

    def __init__(self, uid: int) -> None:
        import httpcore

        self.uid = uid
        self.backend = httpcore.SyncBackend()

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        stream = self.backend.connect_unix_socket(path, timeout=timeout, socket_options=socket_options)
        sock = stream.get_extra_info("socket")
        _, uid, _ = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
        if uid != self.uid:
            stream.close()
            raise ServedBy(f"the answer's socket is served by uid {uid}, not by the learner's replay")
        return stream

    def __getattr__(self, name: str) -> Any:  # connect_tcp, sleep: as the standard backend does them
        return getattr(self.backend, name)


class TooLarge(httpx.HTTPError):
    """A served answer sent a body past MAX_BODY bytes."""


class RemoteServer(Requests):
    """A served answer as a check uses a server from helpers.serving.servers: `get`, `post`, `request`, `client`."""

    url = "http://answer"

    def __init__(self, remote: Remote) -> None:
        if remote.kind not in (*KINDS, CALL):
            raise ValueError(f"a served answer's kind is one of {(*KINDS, CALL)}, not {remote.kind!r}")
        self.remote = remote

    def request(self, method: str, path: str = "/", **kwargs: Any) -> httpx.Response:
        """Send one request; read at most MAX_BODY bytes of the answer's body, decoded (TooLarge past that)."""
        timeout = kwargs.pop("timeout", TIMEOUT_S)
        with self.client(timeout=timeout) as c, c.stream(method, path, **kwargs) as streamed:
            body = b""
            for chunk in streamed.iter_bytes():  # decoded as it comes: a small gzip can't inflate past the cap
                body += chunk
                if len(body) > MAX_BODY:
                    raise TooLarge(f"the served answer sent more than {MAX_BODY:,} bytes")
        headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() != "content-encoding"]
        response = httpx.Response(streamed.status_code, headers=headers, content=body, request=streamed.request)
        response.elapsed = streamed.elapsed  # 02.4 reads how long one request took
        return response

    def client(self, timeout: float = TIMEOUT_S, **kwargs: Any) -> httpx.Client:
        """Return an httpx.Client that reaches the served answer, with a timeout on every call."""
        import httpcore

        transport = httpx.HTTPTransport(uds=self.remote.socket)
        # httpx takes no network backend of its own: the pool it built is replaced by one that checks the peer.
        transport._pool = httpcore.ConnectionPool(uds=self.remote.socket, network_backend=_PeerChecked(self.remote.uid))
        return httpx.Client(base_url=self.url, transport=transport, timeout=timeout, **kwargs)


class RemoteCall:
    """A port of an answer the replay serves, called with JSON arguments over HTTP; what it raised is raised here."""

    RAISED = {"TypeError": TypeError, "ValueError": ValueError}  # what checks catch; anything else: RuntimeError

    def __init__(self, remote: Remote) -> None:
        self.server = RemoteServer(remote)

    def __call__(self, *args: Any) -> Any:
        r = self.server.post("/", json={"args": list(args)})
        try:
            body = r.json() if r.status_code == 200 else {}
        except ValueError:  # not JSON: no value
            body = {}
        body = body if isinstance(body, dict) else {}
        if "raised" in body:
            name, message = (list(body["raised"]) + ["", ""])[:2]
            raise self.RAISED.get(str(name), RuntimeError)(str(message))
        if "value" not in body:
            raise RuntimeError(f"the served answer answered {r.status_code}, not a value")
        return body["value"]


def call(fn: Any, *args: Any) -> Any:
    """Return fn(*args): the port of an answer that is a function."""
    return fn(*args)


def bind(answer: Any, port: Any) -> Any:
    """Return `port` with `answer` as its first argument: called here, or over HTTP where the replay serves it."""
    if isinstance(answer, Remote):
        return RemoteCall(answer)
    return functools.partial(port, answer)


def call_app(fn: Any) -> Any:
    """Return a WSGI app that answers a POST of {"args": [...]} with {"value": fn(*args)} or {"raised": [type, why]}."""
    import json

    def app(environ: dict, start_response: Any) -> list[bytes]:
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
            args = json.loads(environ["wsgi.input"].read(size) or b"{}").get("args", [])
            try:
                body = {"value": fn(*args)}
            except Exception as exc:  # noqa: BLE001 - the learner's code raised: the check says so
                body = {"raised": [type(exc).__name__, str(exc)]}
            data = json.dumps(body, default=repr).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
        except Exception as exc:  # noqa: BLE001 - a request the port could not read
            data = str(exc).encode()
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
        return [data]

    return app


@contextlib.contextmanager
def _served(app: Any, name: str, serve: Any, **kwargs: Any) -> Iterator[Any]:
    """Yield a server for `app`: served in this kernel by `serve`, or reached where the replay serves it."""
    if isinstance(app, Remote):
        yield RemoteServer(app)
        return
    with serve(app, name, **kwargs) as srv:
        yield srv


def serve_wsgi(app: Any, name: str, **kwargs: Any) -> contextlib.AbstractContextManager[Any]:
    """Serve `app` in this kernel as helpers.serving.servers does, or reach it where the replay serves it."""
    return _served(app, name, servers.serve_wsgi, **kwargs)


def serve_asgi(app: Any, name: str, **kwargs: Any) -> contextlib.AbstractContextManager[Any]:
    """Serve `app` in this kernel as helpers.serving.servers does, or reach it where the replay serves it."""
    return _served(app, name, servers.serve_asgi, **kwargs)


def serve_unix(app: Any, kind: str, path: str) -> None:
    """Serve `app` (a WSGI or an ASGI app) on the Unix socket `path` from a daemon thread, until this process ends.

    Returns once the socket listens; raises RuntimeError if it does not within START_S seconds.
    """
    if kind not in KINDS:
        raise ValueError(f"kind is one of {KINDS}, not {kind!r}")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    if kind == "wsgi":
        from werkzeug.serving import make_server

        server = make_server(f"unix://{path}", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True, name="served-answer").start()
        return
    import uvicorn

    config = uvicorn.Config(app, uds=path, lifespan="auto", log_config=None, access_log=False, loop="asyncio")
    impl = uvicorn.Server(config)
    thread = threading.Thread(target=impl.run, daemon=True, name="served-answer")
    thread.start()
    end = time.monotonic() + START_S
    while not impl.started and thread.is_alive() and time.monotonic() < end:
        time.sleep(0.005)
    if not impl.started:
        raise RuntimeError("the app did not start serving (its lifespan failed, or it is not an ASGI app)")
