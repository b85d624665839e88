"""GTIN validation and the barcode SVG for reports: a wrong check digit is refused, never "fixed"."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import barcode
import pytest

from rendering.barcode import InvalidGtin, barcode_svg, parse_gtin

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("gtin", "kind"),
    [("8935012345677", "EAN-13"), ("96385074", "EAN-8"), ("036000291452", "UPC-A"), ("18935012345674", "GTIN-14")],
)
def test_valid_gtin_draws_a_barcode_that_reads_the_same_digits(gtin, kind):
    svg = barcode_svg(gtin)
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    printed = "".join(text.text or "" for text in root.iter(f"{SVG}text"))
    assert printed == gtin
    assert parse_gtin(gtin).kind == kind


def test_barcode_svg_is_byte_identical_for_the_same_gtin():
    assert barcode_svg("8935012345677") == barcode_svg("8935012345677")


def test_wrong_check_digit_is_refused_although_the_library_would_silently_fix_it():
    wrong = "8935012345675"
    assert barcode.get_barcode_class("ean13")(wrong).get_fullcode() == "8935012345677"  # the silent fix
    with pytest.raises(InvalidGtin) as refused:
        barcode_svg(wrong)
    assert refused.value.value == wrong
    assert refused.value.expected == "check digit 7, not 5"


@pytest.mark.parametrize("value", ["", "12345", "89350123456", "893501234567a", "893501234567712"])
def test_gtin_of_wrong_shape_is_refused_with_the_lengths_expected(value):
    with pytest.raises(InvalidGtin, match="8, 12, 13 or 14 digits"):
        parse_gtin(value)


def test_imported_gtin_is_accepted_but_known_not_vietnamese():
    assert parse_gtin("8935012345677").is_vietnamese
    assert not parse_gtin("4006381333931").is_vietnamese
