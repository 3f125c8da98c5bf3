"""Tables and response comparisons render the same facts as HTML and as text."""
import httpx
import pytest

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
