"""Tables and response comparisons render the same facts as HTML and as text."""

import httpx
import pytest

from helpers import display
from helpers.display import Table, compare_responses, short_body, show_code


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


def test_show_figure_displays_a_small_png(monkeypatch):
    import IPython.display
    from matplotlib.figure import Figure

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    fig = Figure(figsize=(10.4, 4))
    fig.subplots().plot([0, 1], [0, 1])
    display.show_figure(fig)
    assert len(shown) == 1 and shown[0].data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(shown[0].data) < 64_000  # above 64 KB the kernel starts a zero-copy thread
