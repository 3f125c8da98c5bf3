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
