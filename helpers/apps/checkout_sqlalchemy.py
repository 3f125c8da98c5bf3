"""The last item in stock, sold with SQLAlchemy's ORM: naive (read, then write), locked, and atomic.

Each function sells one of item `item_id` in a fresh `session` and returns True, or False when it is
sold out. `pause` is the gap between deciding and writing (a payment call, say), widened so the race shows.
"""

import time

from sqlalchemy import update
from sqlalchemy.orm import Session

from helpers.apps.stock_sqlalchemy import Item, Order


def checkout_naive(session: Session, item_id: int, pause: float = 0.0) -> bool:
    """Read the stock, then write it: two buyers can both read 1, and both buy."""
    item = session.get(Item, item_id)
    if item.stock < 1:
        return False
    time.sleep(pause)
    item.stock -= 1  # writes what this buyer read, minus one: another's sale is lost
    session.add(Order(item_id=item_id))
    session.commit()
    return True


def checkout_locked(session: Session, item_id: int, pause: float = 0.0) -> bool:
    """Lock the row (SELECT ... FOR UPDATE) in a transaction: the next buyer waits until it ends."""
    with session.begin():
        item = session.get(Item, item_id, with_for_update=True)
        if item.stock < 1:
            return False
        time.sleep(pause)
        item.stock -= 1
        session.add(Order(item_id=item_id))
    return True


def checkout_atomic(session: Session, item_id: int, pause: float = 0.0) -> bool:
    """Let one statement decide: UPDATE ... SET stock = stock - 1 WHERE stock > 0 changes one row or none."""
    with session.begin():
        sell = update(Item).where(Item.id == item_id, Item.stock > 0).values(stock=Item.stock - 1)
        if session.execute(sell).rowcount == 0:
            return False
        time.sleep(pause)
        session.add(Order(item_id=item_id))
    return True
