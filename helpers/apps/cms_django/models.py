"""Models of the "cms" app: authors write articles, filed under sections."""

from django.db import models


class Author(models.Model):
    """A person who writes articles."""

    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    """A part of the site, like News or Opinion."""

    name = models.CharField(max_length=50, unique=True)

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """A piece of content that staff draft, review and publish."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # PROTECT: deleting an author must not silently delete their articles.
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="articles")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated", "title"]

    def __str__(self) -> str:
        return self.title
