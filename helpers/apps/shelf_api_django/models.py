"""Models of the "shelf_api" app: books that may belong to a user."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Book(models.Model):
    """A book on the shelf; `owner` is who may delete it (nobody, for books added anonymously)."""

    title = models.CharField(max_length=200)
    author = models.CharField(max_length=100)
    year = models.IntegerField(validators=[MinValueValidator(1450), MaxValueValidator(2100)])
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        app_label = "shelf_api"
        ordering = ["id"]
