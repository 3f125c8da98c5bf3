"""The CMS back office: relations, admin with filters and search, a staff login, the public view."""

import re

import pytest

from helpers import serve
from helpers.serving import django_kernel as dk


@pytest.fixture
def cms(no_leaks):
    dk.setup_django()
    from helpers.apps.cms_django import urls
    from helpers.apps.cms_django.sample import load_sample

    dk.set_urls("cms", urls.urlpatterns)
    load_sample()
    dk.create_superuser("editor", "cms-test-pass")
    with serve(dk.wsgi_app(), "t-cms") as srv:
        yield srv


def login(client):
    page = client.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": "editor", "password": "cms-test-pass", "next": "/admin/"},
    )
    assert r.status_code == 302, r.text[:300]


def test_models_relate_authors_and_sections_to_articles(cms):
    from helpers.apps.cms_django.models import Article, Author

    ada = Author.objects.get(name="Ada")
    assert ada.articles.count() == 2
    assert Article.objects.filter(section__name="News", status="published").count() == 2


def test_admin_lists_filters_and_searches(cms):
    with cms.client() as client:
        login(client)
        listing = client.get("/admin/cms/article/")
        assert listing.status_code == 200
        assert "By status" in listing.text and "By section" in listing.text and "By author" in listing.text
        from helpers.apps.cms_django.sample import ARTICLES

        assert all(title in listing.text for title, *_ in ARTICLES)
        published = client.get("/admin/cms/article/", params={"status__exact": "published"})
        assert "Storm warning" in published.text and "Ten years" not in published.text
        found = client.get("/admin/cms/article/", params={"q": "library"})
        assert "Library opens" in found.text and "bike lanes" not in found.text


def test_staff_edits_an_article_and_the_public_view_follows(cms):
    from helpers.apps.cms_django.models import Article

    article = Article.objects.get(title="Library opens on Sundays")
    with cms.client() as client:
        login(client)
        form = client.get(f"/admin/cms/article/{article.pk}/change/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        r = client.post(
            f"/admin/cms/article/{article.pk}/change/",
            data={
                "csrfmiddlewaretoken": token,
                "title": article.title,
                "body": article.body,
                "status": "published",
                "author": article.author_id,
                "section": article.section_id,
                "_save": "Save",
            },
        )
        assert r.status_code == 302, r.text[:500]
    titles = [a["title"] for a in cms.get("/cms/published/").json()["articles"]]
    assert "Library opens on Sundays" in titles and len(titles) == 3


def test_admin_requires_login(cms):
    r = cms.get("/admin/cms/article/")
    assert r.status_code == 302 and "/admin/login/" in r.headers["location"]
