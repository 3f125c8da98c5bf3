"""Show results in notebooks: tables with a plain-text twin, source code, responses."""

from __future__ import annotations

import html
import importlib
import inspect
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import Any

import httpx
from IPython.display import Code

from helpers.numbers import require_number


class Table:
    """A small table that renders as HTML in JupyterLab and as aligned text elsewhere."""

    def __init__(self, rows: Iterable[Sequence[Any]], columns: Sequence[str], title: str = "") -> None:
        if isinstance(columns, (str, bytes)) or not isinstance(columns, Iterable):
            raise TypeError(f"columns must be a list of column names, got {columns!r}")
        if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable):
            raise TypeError(f"rows must be an iterable of rows (lists of values), got {rows!r}")
        self.columns = [str(c) for c in columns]
        self.rows = []
        for row in rows:
            if isinstance(row, (str, bytes)) or not isinstance(row, Iterable):
                raise TypeError(f"each row in rows must be a list of values, got {row!r}")
            cells = [_cell(v) for v in row]
            if len(cells) != len(self.columns):
                raise ValueError(f"each row needs {len(self.columns)} values ({self.columns}), got {row!r}")
            self.rows.append(cells)
        self.title = title

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th style='text-align:left'>{esc(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td style='text-align:left;white-space:pre-wrap'>{esc(v)}</td>" for v in row) + "</tr>"
            for row in self.rows
        )
        caption = f"<caption style='text-align:left'><b>{esc(self.title)}</b></caption>" if self.title else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self) -> str:
        widths = [
            max([len(c)] + [len(line) for row in self.rows for line in row[i].splitlines() or [""]])
            for i, c in enumerate(self.columns)
        ]

        def fmt(values: Sequence[str]) -> str:
            return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

        lines = [self.title] if self.title else []
        lines += [fmt(self.columns), fmt(["-" * w for w in widths])]
        for row in self.rows:
            split = [v.splitlines() or [""] for v in row]
            for i in range(max(len(s) for s in split)):
                lines.append(fmt([s[i] if i < len(s) else "" for s in split]))
        return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


RESPONSE_HEADERS = ("content-type", "content-length", "server")


def compare_responses(responses: Mapping[str, httpx.Response], headers: Sequence[str] = RESPONSE_HEADERS) -> Table:
    """Tabulate responses from several servers side by side: status, chosen headers, body."""
    if not isinstance(responses, Mapping):
        raise TypeError(f"responses must be a dict of name -> httpx.Response, got {type(responses).__name__}")
    for name, r in responses.items():
        if not isinstance(r, httpx.Response):
            raise TypeError(f"responses must map names to httpx.Response, got {type(r).__name__} for {name!r}")
    if isinstance(headers, (str, bytes)) or not isinstance(headers, Iterable):
        raise TypeError(f"headers must be a list of header names like ['server'], got {headers!r}")
    rows: list[list[str]] = [["status"] + [f"{r.status_code} {r.reason_phrase}" for r in responses.values()]]
    for h in headers:
        rows.append([h] + [r.headers.get(h, "—") for r in responses.values()])
    rows.append(["body"] + [short_body(r) for r in responses.values()])
    return Table(rows, [""] + list(responses))


def shorten(text: str, limit: int = 80) -> str:
    """Return `text` with runs of white space folded, cut to `limit` characters with an ellipsis."""
    require_number("limit", limit, 1, integer=True)
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_body(response: httpx.Response, limit: int = 160) -> str:
    """Return the body as compact JSON, or the first `limit` characters of text."""
    if not isinstance(response, httpx.Response):
        raise TypeError(f"response must be an httpx.Response, got {type(response).__name__}")
    try:
        text = json.dumps(response.json(), separators=(", ", ": "))
    except ValueError:
        text = response.text
    return shorten(text, limit)


def show_code(obj: ModuleType | Any | str) -> Code:
    """Show the source of a module (or object, or dotted module name) with highlighting."""
    if isinstance(obj, str):
        obj = importlib.import_module(obj)
    return Code(inspect.getsource(obj), language="python")


def show_figure(fig: Any, dpi: int = 80) -> None:
    """Display a matplotlib figure as a PNG in the notebook."""
    # dpi 80 keeps plots under 64 KB, the size at which the kernel starts an extra zero-copy thread.
    from IPython.display import Image, display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    display(Image(data=buffer.getvalue(), format="png"))
