"""The environment check, and the promise that the tests run on Binder's pins."""

from helpers import envcheck


def test_tests_run_on_the_pinned_versions():
    assert envcheck.mismatches() == {}, "pip install -r requirements.txt"


def test_pins_are_read_from_the_binder_file():
    pins = envcheck.pinned_versions()
    assert pins["Django"].startswith("5.2") and "fastapi" in pins and "jupyter-server-proxy" in pins


def test_mismatches_are_reported(tmp_path):
    req = tmp_path / "r.txt"
    req.write_text("# comment\nDjango==0.0.1\nno-such-package-xyz==1.0\nhttpx==" + envcheck.installed_version("httpx"))
    bad = envcheck.mismatches(envcheck.pinned_versions(req))
    assert set(bad) == {"Django", "no-such-package-xyz"}
    assert bad["no-such-package-xyz"] == ("1.0", None)


def test_table_verdict_flags_a_difference(monkeypatch):
    assert "every pinned package matches" in repr(envcheck.environment_check())
    monkeypatch.setattr(envcheck, "installed_version", lambda name: "0.0")
    text = repr(envcheck.environment_check())
    assert "differ from the pins" in text and "different version" in text


def test_the_supported_pythons_are_3_11_to_3_13():
    assert envcheck.SUPPORTED_RANGE == "3.11–3.13"
    for version in ((3, 11, 7), (3, 12, 1), (3, 13, 0), (3, 13, 12)):
        assert envcheck.python_supported(version) and envcheck.python_verdict(version) == "ok"


def test_this_kernel_runs_a_supported_python():
    assert envcheck.python_supported(), "the course supports Python " + envcheck.SUPPORTED_RANGE


def test_a_python_outside_the_range_is_named_in_the_row_and_the_title():
    for version in ((3, 10, 13), (3, 14, 0), (2, 7, 18)):
        assert not envcheck.python_supported(version)
        shown = f"{version[0]}.{version[1]}"
        verdict = envcheck.python_verdict(version)
        assert f"Python {shown} is outside the tested range 3.11–3.13" in verdict, verdict
        table = envcheck.environment_check(version)
        assert table.rows[0] == ["Python", "3.11–3.13", ".".join(map(str, version)), verdict]
        assert table.title.startswith(verdict), table.title


def test_a_supported_python_leaves_the_title_alone():
    table = envcheck.environment_check((3, 13, 0))
    assert table.rows[0] == ["Python", "3.11–3.13", "3.13.0", "ok"]
    assert table.title.startswith("Environment:"), table.title
