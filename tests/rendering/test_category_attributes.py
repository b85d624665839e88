"""Category attributes filled from catalogue facts by the province's attribute map, and the
completeness gate naming every required one it cannot fill, with who must act."""

from __future__ import annotations

import datetime as dt

from listing_products import TODAY, catalogue_product

from catalogue.records import CertificationRecord
from rendering.issues import Actor
from rendering.listing import Blocked, RenderedListing, render_listing
from rendering.profiles import load_profile

SHOPEE_DRIED_FRUIT = "100640"     # where group I.3.c goes on Shopee


def attribute_map(tmp_path, *rows: str):
    path = tmp_path / "attributes.csv"
    path.write_text("channel,category_id,kind,key,name,required,source\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_attributes_are_filled_from_the_catalogue_by_the_platforms_keys():
    listing = render_listing(catalogue_product(pack_size="200 g"), load_profile("shopee"), today=TODAY)
    assert listing.attributes == {"100037": "Việt Nam", "100010": "200 g"}

    lazada = render_listing(catalogue_product(pack_size="200 g"), load_profile("lazada"), today=TODAY)
    assert lazada.attributes == {"country_origin": "Việt Nam", "net_weight": "200 g"}


def test_shelf_life_and_ingredients_are_read_from_the_producers_description(tmp_path):
    rows = attribute_map(tmp_path, f"shopee,{SHOPEE_DRIED_FRUIT},attribute,100095,Hạn sử dụng,yes,shelf_life",
                         f"shopee,{SHOPEE_DRIED_FRUIT},attribute,100012,Thành phần,no,ingredients")
    product = catalogue_product(description="Sấy giòn.\nThành phần: hạt sen, đường phèn. Hạn sử dụng: 12 tháng.")
    listing = render_listing(product, load_profile("shopee", attributes_file=rows), today=TODAY)
    assert listing.attributes == {"100095": "12 tháng", "100012": "hạt sen, đường phèn"}


def test_every_required_attribute_that_cannot_be_filled_is_named_with_who_must_act(tmp_path):
    rows = attribute_map(tmp_path, f"shopee,{SHOPEE_DRIED_FRUIT},attribute,100095,Hạn sử dụng,yes,shelf_life",
                         f"shopee,{SHOPEE_DRIED_FRUIT},attribute,100012,Thành phần,yes,ingredients")
    blocked = render_listing(catalogue_product(gtin="123"), load_profile("shopee", attributes_file=rows), today=TODAY)

    assert isinstance(blocked, Blocked)
    by_field = {issue.field: issue for issue in blocked.issues}
    assert set(by_field) == {"gtin", "attribute:100095", "attribute:100012"}
    assert by_field["attribute:100095"].actor is Actor.PRODUCER and "Hạn sử dụng" in by_field["attribute:100095"].reason
    assert blocked.reasons == tuple(issue.reason for issue in blocked.issues)


def test_an_unmapped_group_is_the_provinces_to_fix():
    blocked = render_listing(catalogue_product(group_code="V.3"), load_profile("tiktok"), today=TODAY)
    assert [(i.field, i.actor) for i in blocked.issues] == [("category", Actor.PROVINCE)]


def test_a_category_asking_for_a_certificate_gets_the_ocop_decision():
    honey = catalogue_product(group_code="I.2.b", name="Mật ong hoa nhãn")
    listing = render_listing(honey, load_profile("tiktok"), today=TODAY)

    assert isinstance(listing, RenderedListing) and listing.category_id == "700303"
    (document,) = listing.certificates
    assert document.certification_id == "7182378931001" and document.content.startswith(b"\xff\xd8")
    assert listing.to_content(["uri"] * len(listing.images)).certificates == (document,)
    assert render_listing(honey, load_profile("shopee"), today=TODAY).certificates == ()


def test_ocop_stars_only_where_the_platform_has_the_attribute():
    five = catalogue_product(certification=CertificationRecord("2361/QĐ-BNNMT", dt.date(2025, 9, 15),
                                                               "Bộ Nông nghiệp và Môi trường", 5))
    assert render_listing(five, load_profile("tiktok"), today=TODAY).attributes["100130"] == "5 sao"
    assert "5 sao" not in render_listing(five, load_profile("shopee"), today=TODAY).attributes.values()
