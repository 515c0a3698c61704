from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def money(value) -> str:
    """A Decimal amount with exactly two decimals ("12000.50"); SQLite returns sums computed in
    SQL expressions unquantized."""
    if value is None or value == "":
        return "0.00"
    try:
        return str(Decimal(value).quantize(Decimal("0.01")))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
