"""Show books in Django's admin: one registration gives list, search, add and edit pages."""

from django.contrib import admin

from helpers.apps.bookshelf_django.models import Book


@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    """Columns, search and filters for the admin's change list of books."""

    list_display = ["title", "author", "year"]
    search_fields = ["title", "author"]
    list_filter = ["year"]
