"""What real catalogues put in names and descriptions never reaches a listing as typed: certification
claims of the producer's own, contact details, labels of empty facts, the producer's kind said twice,
or the province the product was filed under after the 2025 merger instead of the one it comes from."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from listing_products import CHANNELS, TODAY, catalogue_product

from catalogue.records import Address, CertificationRecord, ProducerKind
from rendering.contacts import ContactKind
from rendering.facts import PRODUCER_KIND_LABELS, listing_facts
from rendering.listing import RenderedListing, render_listing
from rendering.origin import ORIGIN_FORMS, OriginForm
from rendering.profiles import load_profile

DOUBLED_SEPARATOR = re.compile(r"[-–—|:_]\s*[-–—|:_]")


def render(profile, **fields):
    listing = render_listing(catalogue_product(**fields), profile, today=TODAY)
    assert isinstance(listing, RenderedListing), listing
    return listing


@pytest.mark.parametrize("raw, name", [
    ("OCOP - Hạt sen sấy giòn", "Hạt sen sấy giòn"),
    ("✓OCOP–Mứt sen trần", "Mứt sen trần"),
    ("OCOP_Trà tim sen", "Trà tim sen"),
    ("OCOP_ Bột củ sen nguyên chất", "Bột củ sen nguyên chất"),
    ("[OCOP 3★] Mắm tôm chà Gò Công", "Mắm tôm chà Gò Công"),
    ("OCOP Hải Phòng - Nước mắm Cát Hải", "Nước mắm Cát Hải"),
    ("OCOP Tỉnh Quảng Ninh - Chả mực Hạ Long", "Chả mực Hạ Long"),
    ("Khô cá lóc U Minh (Đạt chuẩn OCOP)", "Khô cá lóc U Minh"),
    ("Sản phẩm OCOP 4 sao Mật ong rừng Tràm", "Mật ong rừng Tràm"),
    ("Gạo Nàng Thơm Chợ Đào Đạt chuẩn 3 sao OCOP quốc gia", "Gạo Nàng Thơm Chợ Đào"),
    ("TIÊU TIÊN PHƯỚC - OCOP 3 SAO - 500 GRAM", "TIÊU TIÊN PHƯỚC - 500 GRAM"),
    ("Tiêu sọ Chính hiệu - Đạt - OCOP 3★", "Tiêu sọ Chính hiệu"),
])
def test_the_title_carries_one_certification_claim_whatever_the_name_claimed(profile, raw, name):
    title = render(profile, name=raw).title
    assert name in title
    assert title.count("OCOP") == 1 and "OCOP 4★" in title
    assert not DOUBLED_SEPARATOR.search(title)
    assert " Đạt " not in title and "quốc gia" not in title


def test_an_expired_certificate_leaves_no_claim_from_the_name_either(profile):
    expired = render(profile, name="Hạt sen sấy - OCOP_4 sao", certification=None)
    assert "OCOP" not in expired.title and "sao" not in expired.title
    assert "OCOP" not in expired.description.split("\n")[0]


def test_a_name_that_names_its_province_is_not_followed_by_the_province_again(profile):
    tea = render(profile, name="Phú Thọ - Chè Shan tuyết Xuân Sơn", group_code="I.5.a", pack_size="200 g",
                 producer={"address": Address(province="Phú Thọ", commune="Xã Xuân Sơn", province_old="Phú Thọ")})
    assert tea.title.count("Phú Thọ") == 1
    assert not DOUBLED_SEPARATOR.search(tea.title)


def long_an_dragon_fruit(**fields):
    address = Address(province="Tây Ninh", commune="Xã Châu Thành", district_old="Huyện Châu Thành",
                      province_old="Long An", commune_old="Xã Dương Xuân Hội")
    return catalogue_product(name="Thanh long ruột đỏ Châu Thành", group_code="I.1.a", pack_size="2 kg",
                             net_weight_g=2100, producer={"address": address}, **fields)


def binh_dinh_rice():
    address = Address(province="Gia Lai", commune="Phường Hoài Nhơn", province_old="Bình Định",
                      district_old="Thị xã Hoài Nhơn")
    return catalogue_product(name="Gạo thơm Hoài Nhơn", group_code="I.2.a", pack_size="5 kg", net_weight_g=5100,
                             producer={"address": address})


@pytest.mark.parametrize("channel", ["shopee", "tiktok"])
def test_a_speciality_is_named_after_the_province_on_its_certificate(channel):
    profile = load_profile(channel)
    dragon_fruit = render_listing(long_an_dragon_fruit(), profile, today=TODAY)
    rice = render_listing(binh_dinh_rice(), profile, today=TODAY)
    assert dragon_fruit.title.endswith(" - Đặc sản Long An") and "Tây Ninh" not in dragon_fruit.title
    assert rice.title.endswith(" - Đặc sản Bình Định") and "Gia Lai" not in rice.title
    assert "Địa chỉ trên giấy chứng nhận: Xã Dương Xuân Hội, Huyện Châu Thành, Long An" in dragon_fruit.description


def test_a_province_may_name_the_province_it_merged_into_as_well_or_instead(monkeypatch):
    monkeypatch.setitem(ORIGIN_FORMS, "Long An", OriginForm.OLD_NOW_NEW)
    monkeypatch.setitem(ORIGIN_FORMS, "Gia Lai", OriginForm.NEW)
    shopee = load_profile("shopee")
    dragon_fruit = render_listing(long_an_dragon_fruit(), shopee, today=TODAY)
    rice = render_listing(binh_dinh_rice(), shopee, today=TODAY)
    assert dragon_fruit.title.endswith(" - Đặc sản Long An (nay thuộc Tây Ninh)")
    assert rice.title.endswith(" - Đặc sản Gia Lai")


def test_a_province_the_merger_left_alone_is_named_as_it_is(profile):
    address = Address(province="Cao Bằng", commune="Xã Thạch An", province_old="Cao Bằng")
    jelly = render(profile, name="Thạch đen Thạch An", producer={"address": address})
    assert jelly.title.count("Cao Bằng") == 1


CONTACT_LADEN = (
    "Hạt sen được tách vỏ thủ công, sấy giòn ở 60 độ. Liên hệ đặt hàng: 0912 345 678 (chị Lan).\n"
    "Hotline/Zalo: 0987.654.321 - ĐT bàn 0277 3851 234.\n"
    "Chỉ đường tới cơ sở: https://maps.app.goo.gl/Xy7Qp2LmTz9. Nhắn Zalo OA zalo.me/4123987650012.\n"
    "Theo dõi fanpage facebook.com/hatsenthapmuoi hoặc nhắn m.me/hatsenthapmuoi để nhận ưu đãi.\n"
    "Website: www.hatsenthapmuoi.vn, email: hotro@hatsenthapmuoi.vn. Gọi quốc tế +84 912 345 678.\n"
    "Bảo quản nơi khô ráo, thoáng mát; dùng trong 12 tháng."
)
CONTACT_DETAILS = ("0912", "345 678", "0987", "0277", "goo.gl", "zalo.me", "facebook", "m.me", "www.", "@", "+84",
                   "Liên hệ", "Hotline", "fanpage", "Website")


def test_contact_details_are_left_out_of_every_channels_description_with_their_sentences(profile):
    description = render(profile, description=CONTACT_LADEN).description
    for detail in CONTACT_DETAILS:
        assert detail not in description
    assert "Hạt sen được tách vỏ thủ công, sấy giòn ở 60 độ." in description
    assert "Bảo quản nơi khô ráo, thoáng mát; dùng trong 12 tháng." in description


def test_the_listing_facts_name_the_kinds_of_contact_detail_left_out_and_the_catalogue_keeps_them():
    product = catalogue_product(description=CONTACT_LADEN)
    facts = listing_facts(product, today=TODAY, gtin=None)
    assert facts.removed_contacts == (ContactKind.PHONE, ContactKind.MAP_LINK, ContactKind.ZALO,
                                      ContactKind.FACEBOOK, ContactKind.WEBSITE, ContactKind.EMAIL)
    assert product.product.description == CONTACT_LADEN
    kept = listing_facts(product, today=TODAY, gtin=None, keep_contact_details=True)
    assert kept.removed_contacts == () and "0912 345 678" in "\n".join(kept.paragraphs)


def test_numbers_that_are_not_phone_numbers_stay_in_the_description(profile):
    prose = ("Mã vạch 8935012345677, mã OCOP 83-829-28780-3-2022, theo Quyết định 3981/QĐ-UBND ngày 12/03/2024. "
             "Hộp 3*100g, giá 105.000 đồng, sản xuất tại TP. Cao Lãnh.")
    listing = render(profile, description=prose)
    assert prose in listing.description
    assert listing_facts(catalogue_product(description=prose), today=TODAY, gtin=None).removed_contacts == ()


def test_a_description_of_contact_details_only_leaves_no_empty_paragraph():
    product = catalogue_product(description="Đặt hàng: 0912345678\n\nZalo: zalo.me/0912345678")
    assert listing_facts(product, today=TODAY, gtin=None).paragraphs == ()


EMPTY_LABEL = re.compile(r"(?:^|<li>|<th>)[^:<>\n]+:\s*(?:$|</li>|<br>)|<td>\s*</td>", re.MULTILINE)


def test_an_empty_optional_fact_is_left_out_with_its_label(profile):
    no_authority = CertificationRecord("3981/QĐ-UBND", dt.date(2024, 3, 12), "", 4)
    description = render(profile, pack_size=None, gtin=None, certification=no_authority,
                         producer={"address": Address(province="Đồng Tháp", commune="Xã Tháp Mười")}).description
    assert "Cơ quan công nhận" not in description
    assert "Quy cách đóng gói" not in description and "Mã vạch" not in description
    assert "Địa chỉ trên giấy chứng nhận" not in description
    assert not EMPTY_LABEL.search(description)


@pytest.mark.parametrize("name, kind, line", [
    ("Hợp tác xã Sen Tháp Mười", ProducerKind.COOPERATIVE, "Hợp tác xã Sen Tháp Mười"),
    ("HTX Nông sản Tân Hiệp", ProducerKind.COOPERATIVE, "HTX Nông sản Tân Hiệp"),
    ("Công ty TNHH Thực phẩm Bảo Ngọc", ProducerKind.ENTERPRISE, "Công ty TNHH Thực phẩm Bảo Ngọc"),
    ("Cơ sở sản xuất bánh pía Tân Huê Viên", ProducerKind.HOUSEHOLD, "Cơ sở sản xuất bánh pía Tân Huê Viên"),
    ("Nguyễn Văn Tư", ProducerKind.HOUSEHOLD, "Hộ kinh doanh: Nguyễn Văn Tư"),
    ("Sen Việt", ProducerKind.ENTERPRISE, "Doanh nghiệp: Sen Việt"),
])
def test_the_producer_line_states_the_kind_once(channel_description, name, kind, line):
    description = channel_description(producer={"name": name, "kind": kind})
    assert line in description
    labels_before_name = [label for label in PRODUCER_KIND_LABELS.values() if f"{label}: {name}" in description]
    assert labels_before_name == ([line.split(":")[0]] if ":" in line else [])


@pytest.fixture(params=CHANNELS)
def channel_description(request):
    profile = load_profile(request.param)
    return lambda **fields: render(profile, **fields).description
