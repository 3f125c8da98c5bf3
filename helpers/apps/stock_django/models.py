"""Models of the "shop" app: items in stock and their orders (tables made by stock_schema.create_shop)."""

from django.db import models


class Item(models.Model):
    """Something for sale, and how many are left."""

    name = models.CharField(max_length=100)
    price_cents = models.IntegerField()
    stock = models.IntegerField()


class Order(models.Model):
    """One item bought."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="orders")
    created = models.DateTimeField(auto_now_add=True)


class PgSleep(models.Func):
    """PostgreSQL's pg_sleep(seconds) as an expression, so one ORM query can wait in the database."""

    function = "pg_sleep"
    output_field = models.TextField()  # pg_sleep returns void, which psycopg reads as ""
