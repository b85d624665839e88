"""GTIN checks and the EAN-13/GTIN barcode drawn as SVG for reports.

python-barcode silently replaces a wrong check digit with the right one, which would print a
barcode that scans as a different product than the catalogue says. So every GTIN is validated with
python-stdnum first, and the drawn code is compared with the input afterwards.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import barcode
from barcode.writer import SVGWriter
from stdnum import ean

# GTIN length -> (python-barcode symbology, what people call it)
_SYMBOLOGY = {8: ("ean8", "EAN-8"), 12: ("upca", "UPC-A"), 13: ("ean13", "EAN-13"), 14: ("ean14", "GTIN-14")}
GS1_VIETNAM_PREFIX = "893"


class InvalidGtin(ValueError):
    """A GTIN that must not be drawn or sent: carries the value and what was expected."""

    def __init__(self, value: str, expected: str) -> None:
        super().__init__(f"gtin {value!r} is invalid: {expected}")
        self.value = value
        self.expected = expected


@dataclass(frozen=True)
class Gtin:
    digits: str

    @property
    def kind(self) -> str:
        """EAN-8, UPC-A, EAN-13 or GTIN-14."""
        return _SYMBOLOGY[len(self.digits)][1]

    @property
    def is_vietnamese(self) -> bool:
        """GS1 Vietnam numbers start 893; others (imports) are accepted, not rejected."""
        return self.digits.lstrip("0").startswith(GS1_VIETNAM_PREFIX)


def parse_gtin(value: str) -> Gtin:
    """Validate a GTIN-8/12/13/14 including its check digit; raise InvalidGtin naming the problem."""
    digits = "".join(value.split())
    if not digits.isdigit() or len(digits) not in _SYMBOLOGY:
        raise InvalidGtin(value, "8, 12, 13 or 14 digits")
    expected = ean.calc_check_digit(digits[:-1])
    if digits[-1] != expected:
        raise InvalidGtin(value, f"check digit {expected}, not {digits[-1]}")
    return Gtin(digits)


def barcode_svg(value: str, *, show_text: bool = True) -> bytes:
    """The GTIN as an SVG barcode: EAN-8, UPC-A, EAN-13, or GTIN-14 drawn as EAN-14."""
    gtin = parse_gtin(value)
    symbology, _ = _SYMBOLOGY[len(gtin.digits)]
    drawn = barcode.get_barcode_class(symbology)(_library_input(gtin.digits), writer=SVGWriter())
    if drawn.get_fullcode() != gtin.digits:
        raise InvalidGtin(value, f"the barcode library drew {drawn.get_fullcode()}")
    buffer = io.BytesIO()
    drawn.write(buffer, options={"write_text": show_text})
    return buffer.getvalue()


def _library_input(digits: str) -> str:
    """What each python-barcode class wants: UPC-A takes its 11 data digits and adds the check itself."""
    return digits[:-1] if len(digits) == 12 else digits
