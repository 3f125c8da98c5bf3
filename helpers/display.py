"""Show results in notebooks: tables with a plain-text twin, source code, responses, figures with a text alternative."""

from __future__ import annotations

import ast
import base64
import html
import importlib
import importlib.util
import inspect
import io
import json
import math
import textwrap
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
        # An empty name heads nothing: a <th> without text is an empty header to a screen reader (axe's
        # empty-table-header), so that corner is a plain cell. Helpers always name their columns.
        head = "".join(f"<th style='text-align:left'>{esc(c)}</th>" if c.strip() else "<td></td>" for c in self.columns)
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
RESPONSE_PART = "part of the response"  # the first column's header: status, each header, body


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
    return Table(rows, [RESPONSE_PART] + list(responses))


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


def show_excerpt(obj: ModuleType | Any | str, start: str, end: str | None = None) -> Code:
    """Show the lines of `obj`'s source from the first holding `start` to the first after it holding `end`, dedented.

    `obj` is what show_code takes, or the path of a file; the excerpt names its lines, so a reader can find the rest.
    A dotted module name is read, never imported (as show_source does): a Django app's settings can be shown.
    Without `end`, the excerpt runs to the last line.
    """
    from pathlib import Path

    if isinstance(obj, Path):
        text, where = obj.read_text(), obj.name
    elif isinstance(obj, str):
        text, where = source_of(obj), obj
    else:
        text, where = inspect.getsource(obj), getattr(obj, "__qualname__", getattr(obj, "__name__", "source"))
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if start in line), None)
    if first is None:
        raise ValueError(f"no line of {where} holds {start!r}")
    last = len(lines) - 1 if end is None else next((i for i in range(first, len(lines)) if end in lines[i]), None)
    if last is None:
        raise ValueError(f"no line of {where} after {start!r} holds {end!r}")
    body = textwrap.dedent("\n".join(lines[first : last + 1]))
    return Code(f"# {where}, lines {first + 1}-{last + 1}\n{body}\n", language="python")


# jupyter_client's Session.copy_threshold: a message frame this big or bigger is sent zero-copy,
# which starts pyzmq's garbage-collector thread in the kernel (a thread the course's checks count).
MESSAGE_LIMIT = 65_536
PNG_COLOURS = 256  # a plot has a few hundred colours: 256 look the same
_ALT = "course_alt"  # the attribute set_alt stores a figure's text alternative in


def set_alt(fig: Any, alt: str) -> Any:
    """Attach `alt`, the text alternative show_figure gives `fig`, and return `fig`."""
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must be a sentence saying what the figure shows, got {alt!r}")
    setattr(fig, _ALT, " ".join(alt.split()))
    return fig


def figure_alt(fig: Any) -> str:
    """Return `fig`'s text alternative: the one a plot function set, else one read from its titles and data."""
    return getattr(fig, _ALT, None) or describe_figure(fig)


def _number(value: float) -> str:
    # Whole and large numbers in full (1,200, not 1.2e+03); others to three significant figures.
    value = float(value)
    if not math.isfinite(value):
        return "no value"  # a gap in a line (NaN) or a point off the scale
    return f"{value:,.0f}" if value == int(value) or abs(value) >= 100 else f"{value:.3g}"


def _bars(ax: Any) -> list[str]:
    """Say each labelled bar series of `ax`: its bars by tick name (or position) and value."""
    from matplotlib.container import BarContainer

    said = []
    for container in ax.containers:
        if not isinstance(container, BarContainer) or not container.patches:
            continue
        horizontal = container.orientation == "horizontal"
        ticks = ax.get_yticklabels() if horizontal else ax.get_xticklabels()
        where = {float(t.get_position()[1 if horizontal else 0]): t.get_text() for t in ticks if t.get_text()}
        values = []
        for bar in container.patches:
            centre = bar.get_y() + bar.get_height() / 2 if horizontal else bar.get_x() + bar.get_width() / 2
            size = bar.get_width() if horizontal else bar.get_height()
            # A bar drawn beside its tick (grouped bars) belongs to the nearest tick.
            name = where[min(where, key=lambda t: abs(t - centre))] if where else _number(centre)
            values.append(f"{name} {_number(size)}")
        label = container.get_label()
        said.append(("" if not label or label.startswith("_") else f"{label}: ") + ", ".join(values))
    return said


def _highest(values: Sequence[float]) -> float:
    finite = [float(v) for v in values if math.isfinite(float(v))]
    return max(finite) if finite else math.nan


def _lines(ax: Any) -> list[str]:
    """Say each labelled line of `ax`: its y values at its x values (first and last, when it has many)."""
    said = []
    for line in ax.get_lines():
        label = line.get_label()
        if not label or label.startswith("_"):
            continue  # reference lines and markers nobody named
        xs, ys = list(line.get_xdata()), list(line.get_ydata())
        if not xs:
            continue
        if len(xs) <= 8:
            values = ", ".join(_number(y) for y in ys)
            said.append(f"{label}: {values} at x = {', '.join(_number(x) for x in xs)}")
        else:
            said.append(
                f"{label}: {len(xs)} points, from {_number(ys[0])} at x = {_number(xs[0])} "
                f"to {_number(ys[-1])} at x = {_number(xs[-1])}, highest {_number(_highest(ys))}"
            )
    return said


def describe_figure(fig: Any) -> str:
    """Return a text alternative read from `fig`: its titles, each panel's axes, and its labelled bars and lines."""
    if not hasattr(fig, "get_suptitle") or not hasattr(fig, "axes"):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    parts = []
    title = fig.get_suptitle()
    if title:
        parts.append(title.rstrip(".") + ".")
    for ax in fig.axes:
        heading = ax.get_title() or ax.get_title("left")
        axes = [f"{name}: {text}" for name, text in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())) if text]
        data = _bars(ax) + _lines(ax)
        if not (heading or data):
            continue
        panel = heading or "Chart"
        if axes:
            panel += f" ({'; '.join(axes)})"
        parts.append(panel + (": " + "; ".join(data) if data else "") + ".")
    if not parts:
        raise ValueError("this figure has no title, axis labels or labelled data to describe: pass alt='what it shows'")
    return " ".join(parts)


def figure_png(fig: Any, dpi: int = 80) -> bytes:
    """Render `fig` as a PNG of at most 256 colours, the course's own among them: a third of matplotlib's size."""
    import numpy as np
    from PIL import Image, ImageColor

    from helpers import palette

    require_number("dpi", dpi, 20, 300, integer=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    pixels = np.asarray(image, dtype=np.int32)
    packed = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]
    found, where = np.unique(packed.ravel(), return_inverse=True)
    found = np.stack([found >> 16, (found >> 8) & 255, found & 255], axis=1)
    if len(found) <= PNG_COLOURS:
        table = found  # nothing to lose
    else:
        # Chosen colours alone can move a thin line's Okabe-Ito colour by a few levels, so the course's
        # colours (and white) join them; every colour then takes its nearest, and those stay exact.
        # PIL's own mapping onto a palette rounds colours first, which is why it is done here.
        ours = np.array(list(dict.fromkeys(ImageColor.getrgb(c) for c in (*palette.OKABE_ITO, "#FFFFFF"))))
        chosen = image.quantize(PNG_COLOURS - len(ours), method=Image.Quantize.MAXCOVERAGE)
        picked = np.array(chosen.getpalette()[: 3 * (PNG_COLOURS - len(ours))]).reshape(-1, 3)
        table = np.concatenate([ours, picked])
    nearest = ((found[:, None, :] - table[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    indexed = Image.fromarray(nearest.astype(np.uint8)[where].reshape(packed.shape), mode="P")
    indexed.putpalette([int(v) for v in table.ravel()])
    small = io.BytesIO()
    indexed.save(small, format="PNG", optimize=True)
    return small.getvalue()


def image_html(png: bytes, alt: str) -> str:
    """Return an <img> showing `png` inline, with `alt` as its text alternative."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'


def message_size(bundle: Mapping[str, str]) -> int:
    """Return the bytes of the display message frame that carries `bundle` (data, metadata, transient)."""
    return len(json.dumps({"data": bundle, "metadata": {}, "transient": {}}).encode())


def figure_bundle(fig: Any, alt: str | None = None, dpi: int = 80) -> dict[str, str]:
    """Return what show_figure displays: an <img> with its alt text as HTML, and the same words as plain text."""
    if alt is not None and (not isinstance(alt, str) or not alt.strip()):
        raise ValueError(f"alt must be a sentence saying what the figure shows, got {alt!r}")
    words = " ".join(alt.split()) if alt is not None else figure_alt(fig)
    # HTML, not image/png: JupyterLab's image renderer writes no alt text, and it prefers HTML to PNG
    # (sanitized, keeping data: images and alt, in a notebook not trusted yet).
    bundle = {"text/html": image_html(figure_png(fig, dpi), words), "text/plain": words}
    # dpi 80 and 256 colours keep the course's figures well under the limit; a learner's larger
    # figure is drawn smaller rather than start a thread in the kernel.
    while message_size(bundle) >= MESSAGE_LIMIT - 1024 and dpi > 40:
        dpi = max(40, int(dpi * 0.8))
        bundle["text/html"] = image_html(figure_png(fig, dpi), words)
    return bundle


def show_figure(fig: Any, alt: str | None = None, dpi: int = 80) -> None:
    """Display a matplotlib figure as an image whose alt text (`alt`, else the figure's own) says what it shows."""
    from IPython.display import display

    display(figure_bundle(fig, alt, dpi), raw=True)


def source_of(module: str, name: str | None = None) -> str:
    """Return the source of `name` in `module` (decorators included), or the whole module's, read but never imported."""
    # A Django app's views, models or settings need that app's settings to import; their source needs nothing.
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise ValueError(f"{module!r} is not a Python module the course can find")
    with open(spec.origin, encoding="utf-8") as source:
        text = source.read()
    if name is None:
        return text.rstrip()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            return "\n".join(text.splitlines()[first - 1 : node.end_lineno])
    raise ValueError(f"{module} defines no function or class {name!r}")


def show_source(module: str, name: str | None = None) -> Code:
    """Show a module's source, or one function or class of it, with highlighting, without importing the module."""
    return Code(source_of(module, name), language="python")
