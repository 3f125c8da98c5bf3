"""The shop app of notebook 00's exercise 00.5: a price it can read is totalled, and one it can't answers a bare 500
whose traceback only the server's log holds."""

import pytest

from helpers import serve
from helpers.apps import shop_flask
from helpers.coursework.exercises.nb00 import SHOP_ORDER, shop_fault
from helpers.serving.logs import logs_since, mark


@pytest.mark.parametrize("price, qty, total", [("2.50", 4, "10.00"), ("0.10", 3, "0.30"), ("19.99", 1, "19.99")])
def test_a_price_with_a_point_is_totalled_exactly(price, qty, total, no_leaks):
    with serve(shop_flask.create_app(), "t-shop") as srv:
        r = srv.get("/total", params={"price": price, "qty": qty})
    assert r.status_code == 200 and r.json() == {"total": total}


def test_a_price_with_a_comma_answers_500_and_only_the_log_says_why(no_leaks):
    before = mark()
    with serve(shop_flask.create_app(), "t-shop") as srv:
        r = srv.get("/total", params=SHOP_ORDER)
    assert r.status_code == 500 and "Internal Server Error" in r.text
    assert "InvalidOperation" not in r.text and "parse_price" not in r.text  # the response gives nothing away
    logged = "\n".join(logs_since(before))
    assert "Exception on /total [GET]" in logged
    assert logged.count("decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]") == 1
    # The traceback's last frame in the shop's file is parse_price, below the view that called it.
    assert logged.index(", in total") < logged.index(", in parse_price") < logged.index("decimal.InvalidOperation")


def test_exercise_00_5_reads_the_same_fault_from_the_app():
    assert shop_fault() == {"exception": "InvalidOperation", "function": "parse_price"}
