"""The shop apps' tests share one throwaway PostgreSQL per test module, with the shop's tables."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def shop_db(request):
    """Start PostgreSQL with the shop's tables (10 items, 3 in stock each); skip where it is missing (fail in CI)."""
    from helpers.apps.stock_schema import create_shop
    from helpers.services import postgres
    from tests.services.conftest import require

    require(postgres.PACKAGE, postgres.PROGRAMS)
    db = postgres.start_postgres(f"t-{request.module.__name__.rsplit('.', 1)[-1]}"[:40].replace("_", "-"))
    try:
        create_shop(db.dsn, items=10, stock=3)
        yield db
    finally:
        db.stop()
