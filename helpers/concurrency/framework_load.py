"""The same JSON endpoint on Flask, Django and FastAPI under production servers: two comparisons, each labelled.

- `same_server()`: every framework behind gunicorn with the same workers, keep-alive and warm
  connections: the `gthread` worker for the WSGI apps, the `uvicorn-worker` package's UvicornWorker
  for the ASGI ones (FastAPI, and Django through ASGI). What differs is the framework (and WSGI/ASGI).
- `production()`: each framework as its own deployment docs show it (the page is in `Setup.docs`).
  What differs is the framework *and* its documented server.

`compare(setups, seconds=..., repeats=...)` starts every server of the list, then runs the load in
rounds, each set-up once per round in a rotating order, so that a burst of other work lands on all
of them alike; it returns one `Row` per set-up with every run, the median and the spread.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from helpers import palette
from helpers.concurrency.loadgen import LoadResult, run_load
from helpers.display import Table
from helpers.numbers import require_number
from helpers.serving.processes import ServerProcess, start_gunicorn, start_uvicorn

FLASK_APP = "helpers.apps.serving_flask:app"
FASTAPI_APP = "helpers.apps.serving_fastapi:app"
DJANGO_WSGI = "helpers.apps.serving_django_project:wsgi"
DJANGO_ASGI = "helpers.apps.serving_django_project:asgi"

# Where each set-up comes from: the page a maintainer would point to.
GUNICORN_DOCS = "https://docs.gunicorn.org/en/stable/design.html#server-model"
UVICORN_WORKER_DOCS = "https://www.uvicorn.org/deployment/#gunicorn"
FLASK_DOCS = "https://flask.palletsprojects.com/en/stable/deploying/gunicorn/"
DJANGO_WSGI_DOCS = "https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/gunicorn/"
DJANGO_ASGI_DOCS = "https://docs.djangoproject.com/en/5.2/howto/deployment/asgi/uvicorn/"
FASTAPI_DOCS = "https://fastapi.tiangolo.com/deployment/server-workers/"


@dataclass(frozen=True)
class Setup:
    """One framework under one server: how to start it, and the page that recommends it."""

    framework: str  # "Flask", "Django" or "FastAPI"
    server: str  # how it is served, in words: "gunicorn gthread", "uvicorn --workers"
    start: Callable[[str], ServerProcess]  # start(name) -> a running server answering /json
    docs: str  # the page this set-up follows

    @property
    def label(self) -> str:
        """Return "Framework on server"."""
        return f"{self.framework} on {self.server}"


def same_server(workers: int = 2, threads: int = 4) -> list[Setup]:
    """Return the four set-ups on one server class: gunicorn, `workers` processes, keep-alive on all."""
    gthread = partial(start_gunicorn, workers=workers, threads=threads, ready_path="/json")
    uvicorn_worker = partial(start_gunicorn, workers=workers, worker_class="uvicorn", ready_path="/json")
    return [
        Setup("Flask", f"gunicorn gthread ({threads} threads)", partial(gthread, FLASK_APP), GUNICORN_DOCS),
        Setup("Django", f"gunicorn gthread ({threads} threads)", partial(gthread, DJANGO_WSGI), GUNICORN_DOCS),
        Setup("Django", "gunicorn UvicornWorker (ASGI)", partial(uvicorn_worker, DJANGO_ASGI), DJANGO_ASGI_DOCS),
        Setup("FastAPI", "gunicorn UvicornWorker", partial(uvicorn_worker, FASTAPI_APP), UVICORN_WORKER_DOCS),
    ]


def production(workers: int = 2) -> list[Setup]:
    """Return each framework as its deployment docs show it, with `workers` processes each."""
    sync = partial(start_gunicorn, workers=workers, ready_path="/json")
    return [
        # Flask's "Gunicorn" page: `gunicorn -w 4 'hello:create_app()'`, the default sync worker.
        Setup("Flask", "gunicorn sync", partial(sync, FLASK_APP), FLASK_DOCS),
        # Django's "How to use Django with Gunicorn": `gunicorn myproject.wsgi`, the default sync worker.
        Setup("Django", "gunicorn sync", partial(sync, DJANGO_WSGI), DJANGO_WSGI_DOCS),
        # FastAPI's "Server Workers": `fastapi run --workers 4` or `uvicorn main:app --workers 4`
        # (uvicorn's own process manager, with uvloop and httptools as `fastapi[standard]` installs them).
        Setup(
            "FastAPI",
            "uvicorn --workers",
            partial(start_uvicorn, FASTAPI_APP, workers=workers, ready_path="/json"),
            FASTAPI_DOCS,
        ),
    ]


@dataclass
class Row:
    """Every run of one set-up, and the figures drawn from them."""

    setup: Setup
    command: str = ""
    runs: list[LoadResult] = field(default_factory=list)

    @property
    def rates(self) -> list[float]:
        """Return each run's requests per second."""
        return [r.throughput for r in self.runs]

    @property
    def median(self) -> float:
        """Return the median requests per second over the runs."""
        return statistics.median(self.rates)

    @property
    def spread(self) -> tuple[float, float]:
        """Return the lowest and highest requests per second over the runs."""
        return min(self.rates), max(self.rates)

    @property
    def p99(self) -> float:
        """Return the median over the runs of each run's 99th-percentile latency, in seconds."""
        return statistics.median(r.percentile(99) for r in self.runs)

    @property
    def failed(self) -> int:
        """Return how many requests failed over all runs."""
        return sum(r.requests - r.ok for r in self.runs)

    @property
    def opened_per_request(self) -> float:
        """Return the connections opened per request: near 0 with keep-alive, 1 when each answer closes it."""
        total = sum(r.requests for r in self.runs)
        return sum(r.opened for r in self.runs) / total if total else 0.0


def compare(
    setups: Sequence[Setup],
    *,
    seconds: float,
    repeats: int,
    connections: int = 16,
    processes: int = 2,
    path: str = "/json",
    name: str = "hello",
    progress: bool = True,
) -> list[Row]:
    """Load each set-up for `seconds`, `repeats` times in rotating rounds, from `processes` client processes."""
    if not setups or not all(isinstance(s, Setup) for s in setups):
        raise ValueError(f"setups must be a non-empty list of Setup, got {setups!r}")
    require_number("seconds", seconds, 0, 600, low_open=True, unit="seconds")
    require_number("repeats", repeats, 1, 20, integer=True)
    rows = [Row(s) for s in setups]
    servers: list[ServerProcess] = []
    try:
        for k, row in enumerate(rows):
            server = row.setup.start(f"{name}-{k}")
            servers.append(server)
            row.command = server.command
            answered = server.get(path).json().get("framework")
            if answered != row.setup.framework:  # a fair comparison loads the app it names
                raise ValueError(f"{row.setup.label} answered {path} as {answered!r}, not {row.setup.framework!r}")
        status = _Status(repeats * len(rows), seconds) if progress else None
        for round_ in range(repeats):
            # Rotate the order each round: no set-up always runs first (cold caches) or last.
            for k in [(i + round_) % len(rows) for i in range(len(rows))]:
                if status:
                    status.show(f"round {round_ + 1} of {repeats}: {rows[k].setup.label}")
                rows[k].runs.append(
                    run_load(
                        servers[k].url,
                        path,
                        connections=connections,
                        processes=processes,
                        warm=True,
                        seconds=seconds,
                        progress=False,
                    )
                )
        if status:
            status.show("done")
    finally:
        for server in servers:
            server.stop()
    return rows


class _Status:
    """One line in a notebook that says which run is under way and how many are left (nothing outside one)."""

    def __init__(self, runs: int, seconds: float) -> None:
        self.runs, self.seconds, self.done, self.handle = runs, seconds, -1, None
        try:
            from IPython import get_ipython
            from IPython.display import Pretty, display

            if get_ipython() is not None:
                self._pretty = Pretty
                self.handle = display(Pretty(""), display_id=True)
        except ImportError:  # pragma: no cover - the course always has IPython
            pass

    def show(self, what: str) -> None:
        self.done += 1
        left = (self.runs - self.done) * self.seconds
        if self.handle is not None:
            self.handle.update(
                self._pretty(f"{self.done}/{self.runs} runs done, about {left:.0f} s of load left; {what}")
            )


def table(rows: Sequence[Row], title: str) -> Table:
    """Return the rows as a table: median and spread of req/s, p99, connections opened per request, failures."""
    best = max(r.median for r in rows)
    return Table(
        [
            [
                r.setup.framework,
                r.setup.server,
                f"{r.median:,.0f}",
                f"{r.spread[0]:,.0f}–{r.spread[1]:,.0f}",
                f"{r.median / best:.2f}",
                f"{r.p99 * 1000:.1f} ms",
                f"{r.opened_per_request:.2f}",
                r.failed,
            ]
            for r in rows
        ],
        [
            "framework",
            "server",
            "req/s (median)",
            "spread (min–max)",
            "of the best",
            "p99",
            "new conns/request",
            "failed",
        ],
        title=title,
    )


def plot(rows: Sequence[Row], ax: object, title: str) -> None:
    """Draw each set-up's median req/s as a bar, its spread as a line, on the matplotlib axes `ax`."""
    y = list(range(len(rows)))
    medians = [r.median for r in rows]
    low = [r.median - r.spread[0] for r in rows]
    high = [r.spread[1] - r.median for r in rows]
    colours = [palette.FRAMEWORKS[r.setup.framework] for r in rows]
    ax.barh(y, medians, color=colours, xerr=[low, high], capsize=4)
    ax.set_yticks(y, [r.setup.label for r in rows])
    ax.invert_yaxis()  # the first set-up on top, as in the table
    ax.set_xlabel("requests per second (bar: median; line: lowest to highest run)")
    ax.set_title(title)


def judge_frameworks(same: Sequence[Row], prod: Sequence[Row], during: Any = None) -> list[Any]:
    """Return the verdicts on the two comparisons' claims: `same` from same_server(), `prod` from production()."""
    from helpers.verdicts import judge

    if len(same) != 4 or len(prod) != 3:
        raise ValueError(
            f"same needs same_server()'s 4 rows and prod production()'s 3, got {len(same)} and {len(prod)}"
        )
    flask_gthread, django_gthread, django_asgi, fastapi_worker = same
    flask_sync, django_sync, fastapi_uvicorn = prod
    kept = [*same, fastapi_uvicorn]
    return [
        judge(
            "gunicorn's sync worker opens a new connection for every request; gthread and uvicorn keep theirs open",
            min(flask_sync.opened_per_request, django_sync.opened_per_request) > 0.9
            and max(r.opened_per_request for r in kept) < 0.05,
            f"{flask_sync.opened_per_request:.2f} new connections per request on sync, "
            f"at most {max(r.opened_per_request for r in kept):.2f} on the others",
            during=during,
        ),
        judge(
            "The same Flask app answers over 1.3 times the requests per second on gthread (keep-alive) as on sync",
            flask_gthread.median > 1.3 * flask_sync.median,
            f"{flask_gthread.median:,.0f} req/s against {flask_sync.median:,.0f}",
            why="a burst of other work during one set-up's runs moves its median",
            during=during,
        ),
        judge(
            "Django's plain def view answers fewer requests per second under ASGI than on gthread (under 0.7 times)",
            django_asgi.median < 0.7 * django_gthread.median,
            f"{django_asgi.median:,.0f} req/s through ASGI, {django_gthread.median:,.0f} on gthread",
            during=during,
        ),
        judge(
            "As each framework's docs deploy it, FastAPI on uvicorn answers over 1.5 times the requests per second "
            "of Flask and Django on gunicorn's sync worker",
            fastapi_uvicorn.median > 1.5 * max(flask_sync.median, django_sync.median),
            f"FastAPI {fastapi_uvicorn.median:,.0f}, Flask {flask_sync.median:,.0f}, "
            f"Django {django_sync.median:,.0f} req/s",
            during=during,
        ),
        judge(
            "FastAPI's lead over Flask is smaller on one server than in each framework's documented set-up",
            fastapi_worker.median / flask_gthread.median < fastapi_uvicorn.median / flask_sync.median,
            f"{fastapi_worker.median / flask_gthread.median:.1f} times on one server, "
            f"{fastapi_uvicorn.median / flask_sync.median:.1f} times as documented",
            during=during,
        ),
    ]
