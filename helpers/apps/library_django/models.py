"""Models of the "library" app: authors and their books (one-to-many)."""

from django.db import models


class Author(models.Model):
    """A person who wrote books."""

    name = models.CharField(max_length=100)
    country = models.CharField(max_length=60)

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    """A book, written by one author."""

    title = models.CharField(max_length=200)
    year = models.IntegerField()
    pages = models.IntegerField()
    # related_name lets us write author.books, like SQLAlchemy's relationship below.
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")

    def __str__(self) -> str:
        return self.title
