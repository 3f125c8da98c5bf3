"""The back office: register the CMS models in Django's admin."""

from django.contrib import admin

from helpers.apps.cms_django.models import Article, Author, Section


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """List, filter, search and edit articles."""

    list_display = ["title", "status", "author", "section", "updated"]
    list_filter = ["status", "section", "author"]
    search_fields = ["title", "body", "author__name"]
    list_select_related = ["author", "section"]  # one query for the list, not one per row


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    """List and search authors."""

    list_display = ["name", "email"]
    search_fields = ["name", "email"]


admin.site.register(Section)
