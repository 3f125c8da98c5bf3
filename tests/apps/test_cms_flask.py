"""The Flask-Admin back office, set up as its docs advise: staff log in (Flask-Login), every form has a CSRF token."""

import re

import pytest

from helpers import serve
from helpers.apps.cms_articles import ARTICLES

STAFF = {"editor": "course-editor"}


@pytest.fixture
def cms(no_leaks):
    from helpers.apps.cms_flask import create_app

    app = create_app(staff=STAFF)
    with serve(app, "t-cms-flask", ready_path="/cms/published/") as srv:
        srv.flask_app = app
        yield srv


def titles(page):
    return [title for title, *_ in ARTICLES if title in page.text]


def token(page):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


def log_in(client, password="course-editor", next_path="/admin/article/"):
    page = client.get("/login/")
    return client.post(
        "/login/",
        params={"next": next_path},
        data={"csrf_token": token(page), "username": "editor", "password": password},
    )


def draft_form(cms):
    from helpers.apps.cms_flask.models import Article, db

    with cms.flask_app.app_context():
        a = db.session.scalars(db.select(Article).filter_by(title="Library opens on Sundays")).one()
        form = {"title": a.title, "body": a.body, "status": "published", "author": a.author_id, "section": a.section_id}
        return f"/admin/article/edit/?id={a.id}", form


def published(cms):
    return [a["title"] for a in cms.get("/cms/published/").json()["articles"]]


def test_an_anonymous_visitor_is_sent_to_the_login_page(cms):
    for path in ("/admin/article/", "/admin/author/", "/admin/section/"):
        r = cms.get(path)
        assert r.status_code == 302 and r.headers["location"] == f"/login/?next={path}", path
    edit, form = draft_form(cms)
    assert cms.post(edit, data=form).status_code == 302  # no change without a login
    assert "Library opens on Sundays" not in published(cms)


def test_list_filter_and_search_after_logging_in(cms):
    with cms.client() as staff:
        r = log_in(staff)
        assert r.status_code == 302 and r.headers["location"] == "/admin/article/"
        assert len(titles(staff.get("/admin/article/"))) == len(ARTICLES)
        # flt0_2: the first filter slot, the ArticleAdmin's filter number 2 (status equals)
        assert titles(staff.get("/admin/article/", params={"flt0_2": "published"})) == [
            "Council approves new bike lanes",
            "Storm warning for the weekend",
        ]
        assert titles(staff.get("/admin/article/", params={"search": "library"})) == [
            "Ten years of the city library",
            "Library opens on Sundays",
        ]


def test_an_edit_needs_the_forms_csrf_token(cms):
    edit, form = draft_form(cms)
    with cms.client() as staff:
        log_in(staff)
        refused = staff.post(edit, data=form)  # logged in, no token: the form comes back, nothing is saved
        assert refused.status_code == 200 and "Library opens on Sundays" not in published(cms)
        assert staff.post(edit, data={**form, "csrf_token": "forged"}).status_code == 200
        assert "Library opens on Sundays" not in published(cms)
        saved = staff.post(edit, data={**form, "csrf_token": token(staff.get(edit))})
        assert saved.status_code == 302 and "Library opens on Sundays" in published(cms)


def test_a_wrong_password_or_a_missing_token_logs_nobody_in(cms):
    with cms.client() as client:
        wrong = log_in(client, password="guess")
        assert wrong.status_code == 200 and "Wrong username or password" in wrong.text
        assert client.get("/admin/article/").status_code == 302
        no_token = client.post("/login/", data={"username": "editor", "password": "course-editor"})
        assert no_token.status_code == 200 and client.get("/admin/article/").status_code == 302


@pytest.mark.parametrize("target", ["https://example.com/", "//example.com/admin/"])
def test_the_login_never_redirects_off_the_site(cms, target):
    with cms.client() as client:
        r = log_in(client, next_path=target)
        assert r.status_code == 302 and r.headers["location"] == "/admin/"


def test_only_a_hash_of_the_password_is_stored():
    from werkzeug.security import check_password_hash

    from helpers.apps.cms_flask import create_app
    from helpers.apps.cms_flask.auth import Staff
    from helpers.apps.cms_flask.models import db

    app = create_app(staff=STAFF)
    with app.app_context():
        stored = db.session.scalars(db.select(Staff)).one().password_hash
    assert "course-editor" not in stored and check_password_hash(stored, "course-editor")
    assert create_app().test_client().get("/admin/article/").status_code == 302  # no staff: nobody gets in


def test_create_delete_and_bulk_actions_need_the_token_too():
    from helpers.apps.cms_flask import create_app
    from helpers.apps.cms_flask.models import Article, db

    app = create_app(staff=STAFF)
    client = app.test_client()
    login = client.get("/login/")
    client.post("/login/", data={"csrf_token": token(login), "username": "editor", "password": "course-editor"})
    assert client.get("/admin/article/").status_code == 200  # logged in
    client.post("/admin/article/new/", data={"title": "x", "status": "draft", "author": "1", "section": "1"})
    client.post("/admin/article/delete/", data={"id": "1", "url": "/admin/article/"})
    client.post("/admin/article/action/", data={"action": "delete", "rowid": ["1", "2"], "url": "/admin/article/"})
    with app.app_context():
        assert db.session.query(Article).count() == len(ARTICLES)  # nothing created, nothing deleted
    listing = client.get("/admin/article/")
    client.post("/admin/article/delete/", data={"id": "1", "url": "/admin/article/", "csrf_token": token(listing)})
    with app.app_context():
        assert db.session.query(Article).count() == len(ARTICLES) - 1  # with the token, the delete goes through
