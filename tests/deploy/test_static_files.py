"""One static file, four servers: every one sends the same bytes, and nginx sends them fastest."""

from __future__ import annotations

import stat

import pytest

from helpers.deploy import static_files as sf
from helpers.deploy.static_files import static_files, static_folder


@pytest.fixture(scope="module")
def measured():
    from helpers.services import nginx
    from tests.services.conftest import require

    require(nginx.PACKAGE, nginx.PROGRAMS)
    return static_files(seconds=1.0)


def test_every_server_sends_the_same_file_without_error(measured):
    assert [s.name for s in measured.servers] == list(sf.SERVERS)
    for s in measured.servers:
        assert s.same_bytes, s
        assert s.content_type.startswith("text/css"), s
        assert s.errors == {}, s
        assert s.requests >= 50 and s.req_per_s > 0, s


def test_nginx_serves_the_file_faster_than_any_python_server(measured):
    nginx = measured["nginx"].req_per_s
    python = {s.name: s.req_per_s for s in measured.servers if s.name != "nginx"}
    # About 5-25x on the project's machine; 1.5x leaves room for a busy one.
    assert all(nginx > 1.5 * rps for rps in python.values()), (nginx, python)


def test_rows_are_plain_data(measured):
    rows = measured.rows()
    assert {r["name"] for r in rows} == set(sf.SERVERS)
    assert measured.file_bytes == 16384
    with pytest.raises(KeyError, match="measured"):
        measured["caddy"]


def test_the_folder_is_readable_by_others_and_removed_after():
    with static_folder(1000) as folder:
        path = folder / sf.FILE_NAME
        assert path.stat().st_size == 1000
        assert folder.stat().st_mode & stat.S_IXOTH and path.stat().st_mode & stat.S_IROTH
    assert not folder.exists()


def test_one_server_alone_leaves_nothing_running(no_processes_left, no_leaks):
    result = static_files(("flask",), seconds=0.3, connections=2, processes=1)
    assert result["flask"].same_bytes and result["flask"].requests > 0
    assert "gunicorn sync" in result["flask"].how


def test_gthread_workers_keep_connections_alive_for_the_wsgi_servers(no_processes_left):
    result = static_files(("whitenoise",), seconds=0.5, connections=2, processes=1, wsgi_threads=2)
    assert result.wsgi_threads == 2 and "gunicorn gthread x 2" in result["whitenoise"].how
    assert result["whitenoise"].same_bytes and result["whitenoise"].errors == {}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"servers": ("nginx", "apache")}, "servers must be .*'whitenoise'"),
        ({"servers": ()}, "servers must be"),
        ({"servers": "nginx"}, "servers must be"),
        ({"seconds": 0}, "seconds must be"),
        ({"connections": 0}, "connections must be"),
        ({"size": 0}, "size must be"),
        ({"wsgi_threads": 0}, "wsgi_threads must be an int in"),
    ],
)
def test_bad_input_is_refused_naming_what_is_allowed(kwargs, expected):
    with pytest.raises(ValueError, match=expected):
        static_files(**kwargs)
