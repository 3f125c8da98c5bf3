"""Query counting through each ORM's own hooks."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from helpers.components.query_count import QueryLog, count_django, count_sqlalchemy

pytestmark = pytest.mark.usefixtures("django_ready")


def test_django_counter_records_each_statement():
    from django.db import connection

    with count_django() as log:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("SELECT 2")
    assert log.count == 2 and log.statements == ["SELECT 1", "SELECT 2"]
    with connection.cursor() as cursor:  # outside the block: not counted
        cursor.execute("SELECT 3")
    assert log.count == 2


def test_sqlalchemy_counter_records_and_removes_its_listener():
    from helpers.apps.library_sqlalchemy import make_engine

    engine = make_engine()
    with count_sqlalchemy(engine) as log:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    assert log.count == 1 and "SELECT 1" in log.statements[0]
    with engine.connect() as conn:
        conn.execute(text("SELECT 2"))
    assert log.count == 1
    with count_sqlalchemy(engine) as again:
        with engine.connect() as conn:
            conn.execute(text("SELECT 3"))
    assert again.count == 1  # a leftover listener from the first block would not change this log, but
    assert log.count == 1  # ...it would keep appending to the first one


def test_sqlalchemy_counter_rejects_non_engines():
    with pytest.raises(TypeError, match="engine"):
        with count_sqlalchemy("sqlite://"):
            pass


def test_querylog_count_is_the_number_of_statements():
    assert QueryLog(["a", "b", "c"]).count == 3
