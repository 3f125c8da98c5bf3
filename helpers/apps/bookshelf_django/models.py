"""Models of the "bookshelf" app: one table of books."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Book(models.Model):
    """A book on the shelf: a title, an author and the year it came out."""

    title = models.CharField(max_length=200)
    author = models.CharField(max_length=100)
    # The same range the Flask and FastAPI apps accept, so all three agree.
    year = models.IntegerField(validators=[MinValueValidator(1450), MaxValueValidator(2100)])

    class Meta:
        app_label = "bookshelf"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def as_dict(self) -> dict:
        """Return the book as the JSON the contract expects."""
        return {"id": self.id, "title": self.title, "author": self.author, "year": self.year}
