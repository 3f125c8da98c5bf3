"""The last item in stock, sold with Django's ORM: naive (read, then write), locked, and atomic.

Each function sells one of item `item_id` and returns True, or False when it is sold out.
`pause` is the gap between deciding and writing (a payment call, say), widened so the race shows.
"""

import time

from django.db import transaction
from django.db.models import F

from helpers.apps.stock_django.models import Item, Order


def checkout_naive(item_id: int, pause: float = 0.0) -> bool:
    """Read the stock, then write it: two buyers can both read 1, and both buy."""
    item = Item.objects.get(pk=item_id)
    if item.stock < 1:
        return False
    time.sleep(pause)
    item.stock -= 1
    item.save(update_fields=["stock"])  # writes what this buyer read, minus one: another's sale is lost
    Order.objects.create(item=item)
    return True


def checkout_locked(item_id: int, pause: float = 0.0) -> bool:
    """Lock the row (SELECT ... FOR UPDATE) in a transaction: the next buyer waits until it ends."""
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item_id)
        if item.stock < 1:
            return False
        time.sleep(pause)
        item.stock -= 1
        item.save(update_fields=["stock"])
        Order.objects.create(item=item)
    return True


def checkout_atomic(item_id: int, pause: float = 0.0) -> bool:
    """Let one statement decide: UPDATE ... SET stock = stock - 1 WHERE stock > 0 changes one row or none."""
    with transaction.atomic():
        if not Item.objects.filter(pk=item_id, stock__gt=0).update(stock=F("stock") - 1):
            return False
        time.sleep(pause)
        Order.objects.create(item_id=item_id)
    return True
