"""The OCOP recognition as a document image, for the category rules that ask for a certificate.

The catalogue holds the decision's facts, not a scan of it: the image states them (decision
number, authority, date signed, stars, product, producer, valid until) on a plain page. A scan a
province supplies would be the better document; the catalogue has no column for one yet.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from rendering.facts import ListingFacts
from rendering.images import sized_font, wrap_words

PAGE = (1240, 1754)          # A4 at 150 dpi
MARGIN = 110


def decision_document(facts: ListingFacts) -> bytes:
    """A JPEG page stating the listing's OCOP recognition; the certification must be valid."""
    cert = facts.certification
    if cert is None:
        raise ValueError("no valid OCOP recognition to state")
    lines = [
        ("QUYẾT ĐỊNH CÔNG NHẬN SẢN PHẨM OCOP", 52),
        (f"Số quyết định: {cert.decision_number}", 36),
        (f"Cơ quan công nhận: {cert.authority}", 36),
        (f"Ngày ký: {cert.signed_on}", 36),
        (f"Hạng: {cert.stars} sao", 36),
        (f"Hiệu lực đến hết ngày: {cert.valid_until}", 36),
        (f"Sản phẩm: {facts.name}", 36),
        (f"Mã sản phẩm OCOP: {facts.ocop_code}", 36),
        (f"Chủ thể: {facts.producer_name}", 36),
    ]
    page = Image.new("RGB", PAGE, "white")
    draw = ImageDraw.Draw(page)
    y = MARGIN
    for text, size in lines:
        font = sized_font(size)
        for line in wrap_words(text, font, PAGE[0] - 2 * MARGIN):
            draw.text((MARGIN, y), line, fill="black", font=font)
            y += round(size * 1.5)
        y += size // 2
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
