"""A shop's order total in Flask: prices become Decimals, so cents add up exactly."""

from decimal import Decimal

from flask import Flask, request


def parse_price(text: str) -> Decimal:
    """Return a price written as text, such as "2.50", as an exact Decimal."""
    return Decimal(text)


def create_app() -> Flask:
    """Build the Flask shop app."""
    app = Flask(__name__)

    @app.get("/total")
    def total() -> dict[str, str]:
        # Decimal, not float: 0.1 + 0.2 is 0.3 exactly, as money must be.
        price = parse_price(request.args["price"])
        qty = int(request.args["qty"])
        return {"total": str(price * qty)}

    return app
