"""Tables and response comparisons render the same facts as HTML and as text."""

import httpx
import pytest

from helpers import display
from helpers.display import Table, compare_responses, short_body, show_code, show_excerpt


def test_table_text_and_html_hold_the_values():
    t = Table([["a", 1.23456], ["b", "x<y"]], ["name", "value"], title="T")
    text, html = repr(t), t._repr_html_()
    assert "1.23" in text and "1.23456" not in text
    assert "x&lt;y" in html and "<caption" in html


def test_table_rows_must_match_columns():
    with pytest.raises(ValueError, match="2 values"):
        Table([["only one"]], ["a", "b"])


def test_compare_responses_lines_up_status_headers_and_body():
    a = httpx.Response(200, json={"ok": True}, headers={"server": "one"})
    b = httpx.Response(404, text="missing")
    text = repr(compare_responses({"A": a, "B": b}, headers=["server"]))
    assert "200 OK" in text and "404 Not Found" in text and "one" in text and "—" in text
    assert short_body(httpx.Response(200, text="x" * 500), limit=20).endswith("…")


def test_show_code_shows_a_modules_source():
    from helpers.apps import hello_flask

    assert "def create_app" in show_code(hello_flask).data
    assert "def create_app" in show_code("helpers.apps.hello_flask").data


def test_show_excerpt_shows_the_lines_between_two_markers_and_says_which():
    from pathlib import Path

    from helpers.apps import shelf_api_flask

    shown = show_excerpt(shelf_api_flask.create_app, '@blp.route("/books/<int:book_id>")', "create_access_token(")
    lines = shown.data.splitlines()
    assert lines[0].startswith("# create_app, lines ") and lines[1] == '@blp.route("/books/<int:book_id>")'
    assert "create_access_token(" in lines[-1] and "API_TITLE" not in shown.data  # the lines before start are left out
    of_file = show_excerpt(Path(shelf_api_flask.__file__), "def create_app", "app = Flask")
    assert of_file.data.splitlines()[1].startswith("def create_app") and of_file.data.startswith("# shelf_api_flask.py")
    to_the_end = show_excerpt(Path(shelf_api_flask.__file__), "def create_app").data.splitlines()
    assert to_the_end[-1].strip() == Path(shelf_api_flask.__file__).read_text().splitlines()[-1].strip()
    with pytest.raises(ValueError, match="holds 'nowhere'"):
        show_excerpt(shelf_api_flask.create_app, "nowhere", "x")
    with pytest.raises(ValueError, match="after 'def create_app' holds"):
        show_excerpt(shelf_api_flask.create_app, "def create_app", "no such end")


def test_table_accepts_any_iterable_of_rows():
    t = Table((row for row in [("a", 1), ("b", 2)]), ("name", "n"))
    assert t.rows == [["a", "1"], ["b", "2"]]


@pytest.mark.parametrize("rows", [5, None, "ab", [5], ["ab"]])
def test_table_refuses_rows_that_are_not_rows_of_values(rows):
    with pytest.raises(TypeError, match="row"):
        Table(rows, ["a", "b"])


@pytest.mark.parametrize("responses", [[httpx.Response(200)], None, {"A": 200}])
def test_compare_responses_needs_a_mapping_of_responses(responses):
    with pytest.raises(TypeError, match="responses"):
        compare_responses(responses)


def test_compare_responses_refuses_a_single_header_string():
    with pytest.raises(TypeError, match="headers"):
        compare_responses({"A": httpx.Response(200)}, headers="server")


@pytest.mark.parametrize("limit", [0, -1, True, 2.5, "20"])
def test_short_body_refuses_a_bad_limit(limit):
    with pytest.raises(ValueError, match="limit must be an int >= 1"):
        short_body(httpx.Response(200, text="x" * 50), limit=limit)


def test_short_body_needs_a_response_and_keeps_short_bodies_whole():
    with pytest.raises(TypeError, match="response must be an httpx.Response"):
        short_body("text")
    assert short_body(httpx.Response(200, json={"a": 1}), limit=1) == "…"
    assert short_body(httpx.Response(200, text="  two\n words "), limit=9) == "two words"


def _img(page: str) -> dict[str, str]:
    """Return the attributes of the one <img> in `page`, as a browser would read them."""
    from html.parser import HTMLParser

    found = []

    class Images(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                found.append(dict(attrs))

    Images().feed(page)
    assert len(found) == 1, page[:200]
    return found[0]


def _png(attrs: dict[str, str]) -> bytes:
    import base64

    prefix = "data:image/png;base64,"
    assert attrs["src"].startswith(prefix)
    return base64.b64decode(attrs["src"][len(prefix) :])


def _bars(values=(1.2, 0.6, 0.3), measured=(1.25, 0.62, 0.31)):
    """A grouped bar chart built as notebook 03 builds its own, with pyplot's Figure API."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.2))
    ax = fig.subplots()
    ax.bar([i - 0.2 for i in range(3)], values, 0.4, label="model")
    ax.bar([i + 0.2 for i in range(3)], measured, 0.4, label="measured")
    ax.set_xticks(range(3), ["1 worker(s)", "2 worker(s)", "4 worker(s)"])
    ax.set_ylabel("makespan (s)")
    ax.set_title("12 requests x 100 ms I/O: the model against real gunicorn workers")
    return fig


def test_show_figure_displays_an_image_with_its_alt_text_and_the_same_words_as_text(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    fig = _bars()
    display.show_figure(fig)
    ((bundle, raw),) = shown
    assert raw and set(bundle) == {"text/html", "text/plain"}
    img = _img(bundle["text/html"])
    assert _png(img)[:8] == b"\x89PNG\r\n\x1a\n"
    assert img["alt"] == bundle["text/plain"] == display.figure_alt(fig)
    assert display.message_size(bundle) < display.MESSAGE_LIMIT  # above it the kernel starts a zero-copy thread


def test_a_derived_alt_text_reads_titles_axes_and_the_numbers_drawn():
    text = display.describe_figure(_bars())
    assert text.startswith("12 requests x 100 ms I/O: the model against real gunicorn workers")
    assert "y: makespan (s)" in text
    # Each bar is named by its nearest tick, though grouped bars sit beside it.
    assert "model: 1 worker(s) 1.2, 2 worker(s) 0.6, 4 worker(s) 0.3" in text
    assert "measured: 1 worker(s) 1.25" in text
    assert "measured: 1 worker(s) 2.5" in display.describe_figure(_bars(measured=(2.5, 1.3, 0.7)))


def test_a_derived_alt_text_says_each_labelled_line_and_skips_unnamed_ones():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.subplots()
    ax.plot([300, 600, 1200], [120, 240, 480], label="gthread")
    ax.axvline(900)  # a reference line nobody named
    ax.plot(range(20), [k * k for k in range(20)], label="many")
    ax.plot([1, 2, 3], [1.5, float("nan"), 2.5], label="with a gap")
    ax.set_xlabel("connections waiting")
    text = display.describe_figure(fig)
    assert "gthread: 120, 240, 480 at x = 300, 600, 1,200" in text and "x: connections waiting" in text
    assert "many: 20 points, from 0 at x = 0 to 361 at x = 19, highest 361" in text
    assert "with a gap: 1.5, no value, 2.5" in text
    assert "900" not in text


def test_an_explicit_alt_wins_and_is_escaped_in_the_html():
    alt = 'Flask "wins" <by> 2 & more'
    bundle = display.figure_bundle(_bars(), alt=alt)
    assert _img(bundle["text/html"])["alt"] == alt == bundle["text/plain"]
    assert "<by>" not in bundle["text/html"]
    fig = display.set_alt(_bars(), "  set   by a plot function ")
    assert display.figure_bundle(fig)["text/plain"] == "set by a plot function"


@pytest.mark.parametrize("alt", ["", "   ", 5])
def test_a_blank_alt_is_refused(alt):
    with pytest.raises(ValueError, match="alt must"):
        display.figure_bundle(_bars(), alt=alt)
    with pytest.raises(ValueError, match="alt must"):
        display.set_alt(_bars(), alt)


def test_a_figure_with_nothing_to_describe_needs_an_alt():
    from matplotlib.figure import Figure

    fig = Figure()
    fig.subplots().imshow([[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="alt="):
        display.show_figure(fig)
    assert display.figure_bundle(fig, alt="a checkerboard")["text/plain"] == "a checkerboard"
    with pytest.raises(TypeError, match="Figure"):
        display.describe_figure("not a figure")


def test_the_png_has_at_most_256_colours_keeps_the_course_colours_and_looks_the_same():
    import io

    import numpy as np
    from matplotlib.figure import Figure
    from PIL import Image, ImageColor

    from helpers import palette

    fig = Figure(figsize=(6, 3))
    ax = fig.subplots()
    for k, colour in enumerate(palette.FRAMEWORKS.values()):
        # Thick antialiased lines over bars: many blends of the three, which push 256 colours hardest.
        ax.plot(range(50), [(k + 1) * (i % 7) for i in range(50)], color=colour, linewidth=3, label=str(k))
        ax.bar(k, 3, color=colour)
    ax.legend()
    small = Image.open(io.BytesIO(display.figure_png(fig))).convert("RGB")
    full = io.BytesIO()
    fig.savefig(full, format="png", dpi=80)
    assert len(small.getcolors(1 << 16)) <= display.PNG_COLOURS < len(Image.open(full).getcolors(1 << 16))
    exact, shown = np.asarray(Image.open(full).convert("RGB"), dtype=int), np.asarray(small, dtype=int)
    for colour in palette.FRAMEWORKS.values():
        was = (exact == ImageColor.getrgb(colour)).all(axis=2)
        assert was.any() and (shown[was] == ImageColor.getrgb(colour)).all(), colour
    assert np.abs(shown - exact).mean() < 1  # levels out of 255, on average over every pixel


def test_a_large_figure_is_drawn_smaller_rather_than_go_over_the_message_limit():
    import io

    import numpy as np
    from matplotlib.figure import Figure
    from PIL import Image

    fig = Figure(figsize=(20, 12))
    rng = np.random.default_rng(1)
    fig.subplots().scatter(rng.random(1500), rng.random(1500), c=rng.random(1500), s=40)
    at_80 = display.image_html(display.figure_png(fig, 80), "x")
    assert len(at_80) > display.MESSAGE_LIMIT  # too big as asked for
    bundle = display.figure_bundle(fig, alt="1,500 dots in random colours")
    assert display.message_size(bundle) < display.MESSAGE_LIMIT
    assert Image.open(io.BytesIO(_png(_img(bundle["text/html"])))).width < 20 * 80


def test_an_empty_column_name_is_a_plain_cell_not_an_empty_header():
    import re

    page = Table([["a", 1]], ["", "value"])._repr_html_()
    assert not re.search(r"<th[^>]*>\s*</th>", page)
    assert "<td></td>" in page and ">value</th>" in page


def test_compare_responses_names_its_first_column():
    import re

    page = compare_responses({"A": httpx.Response(200)})._repr_html_()
    assert f">{display.RESPONSE_PART}</th>" in page
    assert not re.search(r"<th[^>]*>\s*</th>", page)


def test_the_schema_table_names_its_first_column():
    import re

    from helpers.components.apis import schema_table

    schema = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    page = schema_table({"FastAPI": schema})._repr_html_()
    assert ">what the schema says</th>" in page and not re.search(r"<th[^>]*>\s*</th>", page)


def test_show_source_shows_a_module_without_importing_it():
    import sys

    from helpers.display import show_source

    sys.modules.pop("helpers.apps.stock_django.views", None)
    shown = show_source("helpers.apps.stock_django.views")  # importing it needs the shop's Django settings
    assert "async def item_async" in shown.data and "helpers.apps.stock_django.views" not in sys.modules
    with pytest.raises(ValueError, match="not a Python module"):
        show_source("helpers.apps.no_such_module")


def test_show_excerpt_reads_a_module_by_name_without_importing_it():
    import sys

    sys.modules.pop("helpers.apps.stock_django.settings", None)
    shown = show_excerpt("helpers.apps.stock_django.settings", '"OPTIONS"', '"pool"')
    lines = shown.data.splitlines()
    assert lines[0].startswith("# helpers.apps.stock_django.settings, lines ") and '"pool"' in lines[-1]
    assert "helpers.apps.stock_django.settings" not in sys.modules  # read, not imported
