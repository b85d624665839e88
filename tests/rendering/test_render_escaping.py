"""Catalogue text can never inject markup into a listing: tags are removed, HTML is autoescaped."""

from __future__ import annotations

from html.parser import HTMLParser

from listing_products import TODAY, catalogue_product

from catalogue.records import Address, CertificationRecord
from rendering.listing import render_listing
from rendering.profiles import load_profile

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TEMPLATE_TAGS = {"lazada": {"h2", "h3", "p", "table", "tr", "th", "td", "br"}, "tiktok": {"p", "strong", "ul", "li"}}


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.extend(attrs)


def hostile_product():
    return catalogue_product(
        name=f"Mật ong <b>rừng</b> & {HOSTILE}",
        description=f"Thơm <i>ngon</i> {HOSTILE}\n<<b>script>alert(3)<</b>/script>",
        pack_size="500 <u>ml</u>",
        producer={"name": f"Cơ sở Ong {HOSTILE}", "address": Address("Đồng Tháp", f"Xã <b>Mỹ</b> Hiệp {HOSTILE}")},
        certification=CertificationRecord(f"3981/QĐ-UBND{HOSTILE}", TODAY.replace(year=2024), f"UBND {HOSTILE}", 4),
    )


def test_html_descriptions_carry_only_the_templates_own_tags():
    for channel, allowed in TEMPLATE_TAGS.items():
        listing = render_listing(hostile_product(), load_profile(channel), today=TODAY)
        collector = TagCollector()
        collector.feed(listing.description)
        assert collector.tags <= allowed, channel
        assert collector.attributes == [], channel
        assert "&amp;" in listing.description and "Mật ong rừng" in listing.description


def test_plain_text_fields_carry_no_markup_at_all(profile):
    listing = render_listing(hostile_product(), profile, today=TODAY)
    plain_fields = [listing.title, listing.brand, *listing.attributes.values()]
    if not profile.description.html:
        plain_fields.append(listing.description)
    for text in plain_fields:
        assert "<" not in text and ">" not in text, text
        assert "&lt;" not in text and "&amp;" not in text, text
    assert "Mật ong rừng & alert" in listing.title
