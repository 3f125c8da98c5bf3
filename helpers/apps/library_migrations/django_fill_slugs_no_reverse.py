from django.db import migrations
from django.utils.text import slugify


def fill_slugs(apps, schema_editor):
    Book = apps.get_model("shelf", "Book")
    for book in Book.objects.filter(slug__isnull=True):
        book.slug = slugify(f"{book.title} {book.year}")
        book.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [("shelf", "0002_book_slug")]
    operations = [migrations.RunPython(fill_slugs)]  # no reverse_code: how would Django undo it?
