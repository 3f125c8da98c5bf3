"""Fill the CMS with a few authors, sections and articles (idempotent)."""

from __future__ import annotations

from helpers.apps.cms_articles import ARTICLES
from helpers.apps.cms_django.models import Article, Author, Section

__all__ = ["ARTICLES", "load_sample"]


def load_sample() -> int:
    """Replace the CMS content with the sample articles and return how many there are."""
    Article.objects.all().delete()
    Author.objects.all().delete()
    Section.objects.all().delete()
    for title, section, author, status in ARTICLES:
        Article.objects.create(
            title=title,
            body=f"{title}. Written by {author}.",
            status=status,
            author=Author.objects.get_or_create(name=author, defaults={"email": f"{author.lower()}@example.com"})[0],
            section=Section.objects.get_or_create(name=section)[0],
        )
    return Article.objects.count()
