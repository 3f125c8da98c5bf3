"""Browser links: direct on a laptop, through jupyter-server-proxy on JupyterHub."""

import pytest

from helpers.serving import links


def test_local_links_go_direct_and_offer_the_proxy(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    assert links.browser_url(8123) == "http://127.0.0.1:8123/"
    assert links.proxy_url(8123, "/admin/") == "/proxy/8123/admin/"
    html = links.link_html("django", 8123)
    assert 'href="http://127.0.0.1:8123/"' in html and 'href="/proxy/8123/"' in html


@pytest.mark.parametrize("prefix", ["/user/ana/", "/user/ana", "user/ana/"])
def test_hub_links_use_the_service_prefix(monkeypatch, prefix):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", prefix)
    assert links.on_jupyterhub()
    assert links.browser_url(8123, "docs") == "/user/ana/proxy/8123/docs"
    assert links.proxy_url(8123) == "/user/ana/proxy/8123/"


@pytest.mark.parametrize("port", [0, -1, 70000, "80", None])
def test_bad_ports_are_refused(port):
    with pytest.raises(ValueError, match="port"):
        links.proxy_url(port)


@pytest.mark.parametrize(
    "make", [links.proxy_url, links.direct_url, links.browser_url, lambda port, path: links.link_html("x", port, path)]
)
@pytest.mark.parametrize("path", [5, None, b"/admin/"])
def test_a_path_that_is_not_a_str_is_refused_naming_path(make, path):
    with pytest.raises(TypeError, match="^path must be a str like '/admin/', got "):
        make(8123, path)


def test_a_bool_port_is_refused():
    with pytest.raises(ValueError, match="port"):
        links.direct_url(True)
