"""The nbval sanitize file: outputs that differ only by the Python patch version compare equal, nothing more."""

from __future__ import annotations

import re
from pathlib import Path

from nbval.plugin import get_sanitize_patterns

from helpers import envcheck
from helpers.display import Table

CFG = Path(__file__).with_name("nbval_sanitize.cfg")


def sanitize(text: str) -> str:
    """Apply the sanitize file as nbval does: every pattern in order."""
    for regex, replace in get_sanitize_patterns(CFG.read_text()):
        text = re.sub(regex, replace, text)
    return text


def both_forms(table: Table) -> tuple[str, str]:
    return repr(table), table._repr_html_()


def test_the_environment_check_compares_equal_on_every_supported_python():
    stored = both_forms(envcheck.environment_check((3, 11, 7)))
    for version in ((3, 12, 1), (3, 13, 0), (3, 12, 10)):
        fresh = both_forms(envcheck.environment_check(version))
        assert fresh != stored
        assert [sanitize(t) for t in fresh] == [sanitize(t) for t in stored], version


def test_an_unsupported_python_still_fails_the_comparison():
    stored = both_forms(envcheck.environment_check((3, 11, 7)))
    fresh = both_forms(envcheck.environment_check((3, 10, 13)))
    assert [sanitize(t) for t in fresh] != [sanitize(t) for t in stored]


def server_row(python: str) -> Table:
    """A header table as notebooks 00 and 01 show it: a body wider than the header sets the column width."""
    header = f"Werkzeug/3.1.9 Python/{python}"
    body = '{"framework": "Django", "message": "Hello!"}'
    return Table(
        [["server", header, header, "uvicorn"], ["body", body, body, body]], ["", "Django", "Flask", "FastAPI"]
    )


def test_werkzeug_server_headers_compare_equal_across_patch_versions():
    stored = both_forms(server_row("3.11.7"))
    for python in ("3.12.1", "3.13.0", "3.13.11"):
        assert [sanitize(t) for t in both_forms(server_row(python))] == [sanitize(t) for t in stored], python


def test_other_versions_are_still_compared():
    assert sanitize("Werkzeug/3.1.9 Python/3.11.7") != sanitize("Werkzeug/3.2.0 Python/3.11.7")
    stored = "Django                5.2.19      5.2.19       ok"
    assert sanitize(stored) == stored


def test_reason_phrases_renamed_in_python_3_13_compare_equal():
    pairs = [
        ("413 Request Entity Too Large", "413 Content Too Large"),
        ("414 Request-URI Too Long", "414 URI Too Long"),
        ("416 Requested Range Not Satisfiable", "416 Range Not Satisfiable"),
        ("422 Unprocessable Entity", "422 Unprocessable Content"),
    ]
    for old, new in pairs:
        assert sanitize(f"status  {old}    x") == sanitize(f"status  {new}   x"), old
    # Werkzeug's own upper-case phrases did not change, so they are still compared.
    assert sanitize("422 UNPROCESSABLE ENTITY") != sanitize("422 UNPROCESSABLE CONTENT")


def test_a_measured_count_of_backend_waits_compares_equal():
    assert sanitize("5 calls in about 1.1 backend waits, not 5.") == sanitize(
        "5 calls in about 1.3 backend waits, not 5."
    )
    assert sanitize("5 calls in about 1.1 backend waits, not 5.") != sanitize(
        "6 calls in about 1.1 backend waits, not 6."
    )
