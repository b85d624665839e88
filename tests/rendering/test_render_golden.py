"""Golden files: the exact listing each channel receives for representative products.

Each case renders on Shopee, Lazada and TikTok and is compared with
`golden/<case>.<channel>.json`. After an intended change, regenerate with
`UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/rendering/test_render_golden.py` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from listing_products import CHANNELS, TODAY, catalogue_product

from catalogue.records import CertificationRecord
from rendering.listing import Blocked, RenderedListing, render_listing
from rendering.profiles import load_profile

GOLDEN_DIR = Path(__file__).parent / "golden"

LONG_NAME = (
    "Hạt sen sấy giòn Tháp Mười vị tự nhiên không đường không chất bảo quản, tuyển chọn từ những hạt sen già "
    "của đầm sen Tháp Mười, đóng hộp giấy kraft làm quà biếu Tết sang trọng, đặc sản miền Tây Nam Bộ được "
    "người tiêu dùng yêu thích, thích hợp ăn vặt cho cả gia đình và văn phòng, bảo quản nơi khô ráo thoáng mát"
)

CASES = {
    "long_name": lambda: catalogue_product(name=LONG_NAME),
    "markup_name": lambda: catalogue_product(
        seller_sku="OCOP-DT-MATONG-500ML",
        name='Mật ong <b>rừng</b> U Minh & "Hạ" <script>alert(1)</script>',
        description='Ngon <img src=x onerror="alert(2)"> & sạch\n<a href="http://x">mua ngay</a>',
        producer={"name": "Cơ sở <i>Ong</i> Tư & Con"},
        group_code="I.2.b",
        pack_size="500 ml",
        net_weight_g=700,
    ),
    "five_star": lambda: catalogue_product(
        seller_sku="OCOP-DT-GAOST25-5KG",
        name="Gạo ST25 Ruộng Rươi",
        group_code="I.2.a",
        pack_size="5 kg",
        net_weight_g=5100,
        price_vnd=185_000,
        gtin="8936031440015",
        certification=CertificationRecord("2361/QĐ-BNNMT", dt.date(2025, 9, 15), "Bộ Nông nghiệp và Môi trường", 5, score=93),
    ),
    "expired_certificate": lambda: catalogue_product(
        seller_sku="OCOP-DT-TRATIMSEN-60G",
        name="Trà tim sen (Đạt chuẩn OCOP) 4 sao",
        group_code="I.5.b",
        pack_size="60 g",
        net_weight_g=90,
        certification=CertificationRecord("1120/QĐ-UBND", dt.date(2022, 6, 1), "UBND tỉnh Đồng Tháp", 4, score=74),
    ),
    "missing_weight": lambda: catalogue_product(net_weight_g=None),
    "no_gtin": lambda: catalogue_product(gtin=None),
    "tourism_service": lambda: catalogue_product(
        seller_sku="OCOP-DT-DULICH-DONGSEN", name="Du lịch sinh thái Đồng Sen Tháp Mười", group_code="VI", pack_size=None, net_weight_g=None, gtin=None
    ),
}


def golden_form(rendering: RenderedListing | Blocked) -> dict:
    """What a golden file holds: the payload with the description split into lines for review."""
    if isinstance(rendering, Blocked):
        return {"blocked": {"seller_sku": rendering.seller_sku, "channel": rendering.channel.value, "reasons": list(rendering.reasons)}}
    payload = json.loads(rendering.payload())
    payload["description"] = payload["description"].split("\n")
    return {"content_hash": rendering.content_hash, "payload": payload}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_listing_matches_golden_file(case, channel):
    rendering = render_listing(CASES[case](), load_profile(channel), today=TODAY)
    path = GOLDEN_DIR / f"{case}.{channel}.json"
    actual = golden_form(rendering)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert actual == expected


def test_golden_products_show_what_they_stand_for():
    """Guards the cases themselves, so a regenerated golden file cannot quietly lose its point."""
    renders = {(case, channel): render_listing(make(), load_profile(channel), today=TODAY)
               for case, make in CASES.items() for channel in CHANNELS}
    for channel in CHANNELS:
        long_title = renders["long_name", channel].title
        assert len(long_title) <= load_profile(channel).title.max_chars < len(LONG_NAME)
        assert "OCOP 4★" in long_title and "100 g" in long_title
        assert "<" not in renders["markup_name", channel].title
        assert "OCOP 5★" in renders["five_star", channel].title
        expired = renders["expired_certificate", channel]
        assert "OCOP" not in expired.title and "★" not in expired.title and "sao" not in expired.description.lower()
        estimated = renders["missing_weight", channel]     # "100 g" and its packaging allowance
        assert estimated.package_estimated and (estimated.weight_kg, estimated.package_cm) == (0.16, (15, 10, 6))
        assert renders["no_gtin", channel].gtin is None and "Mã vạch" not in renders["no_gtin", channel].description
        assert isinstance(renders["tourism_service", channel], Blocked)
