"""The Flask-Admin back office lists, filters, searches and edits; it has no login of its own."""

import pytest

from helpers import serve
from helpers.apps.cms_articles import ARTICLES


@pytest.fixture
def cms(no_leaks):
    from helpers.apps.cms_flask import create_app

    app = create_app()
    with serve(app, "t-cms-flask", ready_path="/cms/published/") as srv:
        srv.flask_app = app
        yield srv


def titles(page):
    return [title for title, *_ in ARTICLES if title in page.text]


def test_list_filter_and_search(cms):
    assert len(titles(cms.get("/admin/article/"))) == len(ARTICLES)
    # flt0_2: the first filter slot, the ArticleAdmin's filter number 2 (status equals)
    assert titles(cms.get("/admin/article/", params={"flt0_2": "published"})) == [
        "Council approves new bike lanes",
        "Storm warning for the weekend",
    ]
    assert titles(cms.get("/admin/article/", params={"search": "library"})) == [
        "Ten years of the city library",
        "Library opens on Sundays",
    ]


def test_edit_publishes_and_needs_no_login(cms):
    from helpers.apps.cms_flask.models import Article, db

    with cms.flask_app.app_context():
        a = db.session.scalars(db.select(Article).filter_by(title="Library opens on Sundays")).one()
        form = {
            "title": a.title,
            "body": a.body,
            "status": "published",
            "author": str(a.author_id),
            "section": str(a.section_id),
        }
        pk = a.id
    r = cms.post(f"/admin/article/edit/?id={pk}", data=form)  # no login, no CSRF token: accepted
    assert r.status_code == 302
    assert "Library opens on Sundays" in [a["title"] for a in cms.get("/cms/published/").json()["articles"]]
