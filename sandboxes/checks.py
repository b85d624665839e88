"""Field checks the three marketplace sandboxes share: GTINs, numbers as clients send them,
and JSON lists of seller SKUs. Each returns None (or raises ValueError) so the caller can answer
with its own platform's error code."""

from __future__ import annotations

import json
import math
from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum import ean, isbn


def is_valid_gtin(code: str, kind: str = "GTIN") -> bool:
    """GTIN-8/12/13/14 with a correct check digit (`kind` "ISBN" checks an ISBN instead)."""
    if kind == "ISBN":
        return isbn.is_valid(code)
    return code.isdigit() and len(code) in (8, 12, 13, 14) and ean.is_valid(code)


def decimal_of(value: Any) -> Decimal | None:
    """A JSON number or numeric string as a Decimal; None for anything else (bools included)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def whole_number(value: Any) -> int | None:
    """An integer sent as a number or a string ("12", 12, 12.0); None otherwise."""
    number = decimal_of(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def rounded_vnd(value: Any) -> int | None:
    """A price rounded to whole đồng, half up, as platforms round VND; None when not a number."""
    number = decimal_of(value)
    if number is None:
        return None
    return int(math.floor(number + Decimal("0.5")))


def json_string_list(raw: str | None, name: str) -> list[str] | None:
    """A parameter holding a JSON array of strings (Lazada's `sku_seller_list` style)."""
    if raw is None or raw == "":
        return None
    try:
        values = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"{name} must be a JSON array, got {raw[:60]!r}") from error
    if not isinstance(values, list) or not all(isinstance(v, (str, int)) for v in values):
        raise ValueError(f"{name} must be a JSON array of strings")
    return [str(v) for v in values]
