from django.db import migrations
from django.utils.text import slugify


def fill_slugs(apps, schema_editor):
    # The model as it was at this point in history, not the one in models.py today.
    Book = apps.get_model("shelf", "Book")
    for book in Book.objects.filter(slug__isnull=True):
        book.slug = slugify(f"{book.title} {book.year}")
        book.save(update_fields=["slug"])


def empty_slugs(apps, schema_editor):
    apps.get_model("shelf", "Book").objects.update(slug=None)


class Migration(migrations.Migration):
    dependencies = [("shelf", "0002_book_slug")]
    operations = [migrations.RunPython(fill_slugs, reverse_code=empty_slugs)]
