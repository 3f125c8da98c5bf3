"""A public view of the CMS: the published articles as JSON."""

from django.http import JsonResponse

from helpers.apps.cms_django.models import Article


def published(request):
    """Return the published articles, newest first."""
    articles = Article.objects.filter(status=Article.Status.PUBLISHED).select_related("author", "section")
    return JsonResponse(
        {"articles": [{"title": a.title, "author": a.author.name, "section": a.section.name} for a in articles]}
    )
