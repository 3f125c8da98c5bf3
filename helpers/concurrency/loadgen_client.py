"""The load generator's client process: N connections, R requests, each request's start and end.

    python -m helpers.concurrency.loadgen_client HOST PORT PATH --connections N (--requests R | --seconds S) [--warm]
        [--retry-stale]

Run by `helpers.concurrency.loadgen`, never by hand in a notebook. Standard library only, so it starts
fast and its CPU is its own, not the server's or the kernel's. Protocol: it opens its connections
(if --warm), prints "ready" on stdout, waits for a line on stdin, fires, prints "progress SENT DONE"
lines as it goes and one final line "result {json}" with a record per request
(with --seconds, each connection sends until S seconds after "go", then finishes the request in flight):
[start, end, outcome] on the system-wide monotonic clock, outcome an HTTP status or an error name.

With --retry-stale a request that a reused keep-alive connection lost before any byte of its answer came back is
sent once more on a new connection, as browsers and urllib3 do for a GET (RFC 9112, 9.3.1 "Retrying
Requests"): a server that closes an idle connection while the request is on its way (a worker shutting down
gracefully) did not fail that request. Each such retry is counted in "retried"; the request's time includes it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time


class Dropped(Exception):
    """The server closed the connection before a whole response arrived."""


class Stale(Exception):
    """A reused keep-alive connection was closed before any byte of the answer came back."""


class NoAnswer(Exception):
    """The connection closed before the first byte of an answer."""


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; return its status and whether the server will close the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            raise NoAnswer() from exc
        raise
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip().lower()
    close = headers.get("connection") == "close" or version == "HTTP/1.0"
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.read()  # the body runs to the end of the connection
        close = True
    return int(status), close


class Client:
    """Fire `requests` GETs over `connections` keep-alive connections; record each one once."""

    def __init__(
        self,
        host: str,
        port: int,
        path: str,
        connections: int,
        requests: int | None,
        timeout: float,
        seconds: float | None = None,
        retry_stale: bool = False,
    ) -> None:
        self.host, self.port, self.path = host, port, path
        self.retry_stale = retry_stale
        self.retried = 0  # requests sent again on a new connection after a stale one lost them
        self.connections, self.requests, self.timeout, self.seconds = connections, requests, timeout, seconds
        self.records: list[list] = [[0.0, 0.0, "not sent"] for _ in range(requests or 0)]
        self.next = 0  # index of the next request to send (one event loop: no lock needed)
        self.deadline = float("inf")  # with `seconds`: no request starts after it (set at "go")
        self.opened = 0  # connections opened: about one per request when the server closes after each answer
        self.sent = 0
        self.done = 0
        self.streams: list[tuple | None] = [None] * connections
        self.request_bytes = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: course-loadgen\r\n\r\n"
        ).encode("latin-1")

    async def open(self, k: int) -> None:
        self.streams[k] = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), self.timeout)
        self.opened += 1

    def claim(self) -> list | None:
        """Return the record of the next request to send, or None when the count or the time is up."""
        if self.seconds is None:
            if self.next >= self.requests:
                return None
            self.next += 1
            return self.records[self.next - 1]
        if time.monotonic() >= self.deadline:
            return None
        record = [0.0, 0.0, "not sent"]
        self.records.append(record)
        return record

    async def worker(self, k: int) -> None:
        while (record := self.claim()) is not None:
            start = time.monotonic()
            record[0] = start
            self.sent += 1
            try:
                outcome = await asyncio.wait_for(self.one_or_retry(k), self.timeout)
            except TimeoutError:
                outcome = "timeout"
            except ConnectionRefusedError:
                outcome = "refused"
            except (Dropped, Stale, asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError):
                outcome = "dropped"
            except (OSError, ValueError) as exc:  # ValueError: not HTTP
                outcome = type(exc).__name__
            if not isinstance(outcome, int):
                self.close(k)  # the connection's state is unknown: the next request opens a new one
            record[1] = time.monotonic()
            record[2] = outcome
            self.done += 1

    async def one_or_retry(self, k: int) -> int:
        """Send one request on connection `k`; with retry_stale, once more on a new one if a stale one lost it."""
        try:
            return await self.one(k)
        except Stale:
            if not self.retry_stale:
                raise
            self.close(k)
            self.retried += 1
            return await self.one(k)

    async def one(self, k: int) -> int:
        reused = self.streams[k] is not None
        if not reused:
            self.streams[k] = await asyncio.open_connection(self.host, self.port)
            self.opened += 1
        reader, writer = self.streams[k]
        try:
            writer.write(self.request_bytes)
            await writer.drain()
            status, close = await _read_response(reader)
        except NoAnswer as exc:
            raise (Stale() if reused else Dropped()) from exc
        except asyncio.IncompleteReadError as exc:
            raise Dropped() from exc  # part of the answer came: the server did fail this request
        except (ConnectionResetError, BrokenPipeError) as exc:
            if reused:
                raise Stale() from exc  # nothing of the answer had come: the connection was gone
            raise
        if close:
            self.close(k)
        return status

    def close(self, k: int) -> None:
        if self.streams[k] is not None:
            self.streams[k][1].close()
            self.streams[k] = None


async def _report_progress(client: Client, every: float) -> None:
    while True:
        print(f"progress {client.sent} {client.done}", flush=True)
        await asyncio.sleep(every)


async def run(args: argparse.Namespace) -> dict:
    client = Client(
        args.host, args.port, args.path, args.connections, args.requests, args.timeout, args.seconds, args.retry_stale
    )
    opened = 0
    if args.warm:
        results = await asyncio.gather(*(client.open(k) for k in range(args.connections)), return_exceptions=True)
        opened = sum(1 for r in results if not isinstance(r, BaseException))
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # the parent's "go", so every client starts together
    if args.seconds is not None:
        client.deadline = time.monotonic() + args.seconds
    reporter = asyncio.create_task(_report_progress(client, args.progress_every))
    try:
        await asyncio.gather(*(client.worker(k) for k in range(args.connections)))
    finally:
        reporter.cancel()
        for k in range(args.connections):
            client.close(k)
    print(f"progress {client.sent} {client.done}", flush=True)
    return {"records": client.records, "warm_opened": opened, "opened": client.opened, "retried": client.retried}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("path")
    parser.add_argument("--connections", type=int, required=True)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--seconds", type=float, help="send for this long instead of a count of requests")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--warm", action="store_true")
    parser.add_argument(
        "--retry-stale", action="store_true", help="send a GET a stale keep-alive connection lost again"
    )
    parser.add_argument("--progress-every", type=float, default=0.1)
    args = parser.parse_args(argv)
    if (args.requests is None) == (args.seconds is None):
        parser.error("give either --requests or --seconds")
    if args.connections < 1 or (args.requests is not None and args.connections > args.requests):
        parser.error("need 1 <= connections <= requests")
    if args.seconds is not None and not 0 < args.seconds <= 600:
        parser.error("need 0 < seconds <= 600")
    # One socket per connection: allow more than the usual 1024 open files.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < args.connections + 64:
        limit = hard if hard == resource.RLIM_INFINITY else min(hard, 65536)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(limit, max(soft, args.connections + 64)), hard))
    result = asyncio.run(run(args))
    print("result " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
