"""Reports on the real-catalogue path: listings relying on an estimated weight and box are counted
for the province and flagged to their producer, and a photo URL that fails is explained in
Vietnamese and English."""

from dataclasses import replace

import pytest

from catalogue.records import CatalogueProduct
from reconcile.classify import Finding, State
from reports.advice import explain
from reports.build import write_reports
from reports.i18n import Language
from reports.summary import report_markdown
from tests.reports.province_data import GAO, SEN


def without_weight(item: CatalogueProduct) -> CatalogueProduct:
    return replace(item, product=replace(item.product, net_weight_g=None))


@pytest.fixture
def estimated(result):
    """The province's result with the lotus seeds ("500 g") and the rice ("5 kg") carrying no net weight."""
    unweighed = {SEN.product.ocop_code, GAO.product.ocop_code}
    products = tuple(without_weight(item) if item.product.ocop_code in unweighed else item
                     for item in result.reconciliation.products)
    return replace(result, reconciliation=replace(result.reconciliation, products=products))


def test_the_province_report_counts_the_listings_relying_on_estimates(estimated, history, tmp_path):
    unweighed = {SEN.product.ocop_code, GAO.product.ocop_code}
    expected = sum(1 for f in estimated.reconciliation.findings if f.in_denominator and f.ocop_code in unweighed)
    assert expected > 0
    built = write_reports(estimated, history, tmp_path, lang="vi")
    assert built.province.estimated_listings == expected
    assert f"Tin đăng dùng khối lượng và kích thước ước tính: {expected} (nhà sản xuất cần xác nhận)" in report_markdown(built)
    english = write_reports(estimated, history, tmp_path / "en", lang="en")
    assert f"Listings using estimated weight and package size: {expected}" in report_markdown(english, lang="en")


def test_the_producer_is_asked_to_confirm_an_estimated_weight(estimated, history, tmp_path):
    built = write_reports(estimated, history, tmp_path, lang="vi")
    pages = {report.producer_key: report.html.read_text(encoding="utf-8") for report in built.producers}
    assert "Khối lượng ước tính: hãy xác nhận (0,6 kg, hộp 20×15×8 cm)" in pages[SEN.producer.key]
    assert "Khối lượng ước tính: hãy xác nhận (5,4 kg, hộp 40×28×16 cm)" in pages[GAO.producer.key]
    assert "Khối lượng ước tính" not in next(page for key, page in pages.items()
                                            if key not in (SEN.producer.key, GAO.producer.key))


URL = "https://ocop.dongthap.gov.vn/uploads/2024/05/hat-sen-say-gion.jpg"


@pytest.mark.parametrize(("unusable", "vi", "en"), [
    ("HTTP 404 Not Found", "Sửa đường dẫn ảnh trong danh mục hoặc gửi ảnh mới",
     "Correct the photo's link in the catalogue or send the photo"),
    ("not an image (served as text/html, 5120 bytes)", "Dùng đường dẫn tới chính tệp ảnh JPEG hoặc PNG",
     "Link the JPEG or PNG file itself"),
    ("too small: 120×90 px, at least 330 px wide or high", "Gửi ảnh lớn hơn, ít nhất 500 × 500 điểm ảnh",
     "Send a larger photo, at least 500 × 500 pixels"),
    ("no answer within 5 s to connect or 20 s to read (3 attempts)", "Kiểm tra trang web chứa ảnh; lần đồng bộ sau sẽ thử lại",
     "Check the website holding the photo; the next sync tries again"),
])
def test_a_photo_url_that_fails_is_explained_with_what_to_do(unusable, vi, en):
    finding = Finding("lazada-dong-thap", "lazada", State.BLOCKED, SEN.product.seller_sku, SEN.product.ocop_code,
                      SEN.producer.key, in_denominator=True, live=False,
                      reason=f"images invalid: image '{URL}' unusable: {unusable} (lazada)")
    assert explain(finding, SEN, Language("vi")).action == vi
    assert explain(finding, SEN, Language("en")).action == en


def test_a_product_with_no_basis_for_a_weight_is_told_to_add_one():
    finding = Finding("tiktok-dong-thap", "tiktok", State.BLOCKED, SEN.product.seller_sku, SEN.product.ocop_code,
                      SEN.producer.key, in_denominator=True, live=False,
                      reason="net weight missing: pack size '1 chậu' names no quantity (e.g. '500 g', 'hộp 10 gói x 20 g'), "
                             "and no usual pack for group V.2 or its parents in typical_packs.csv (required by tiktok)")
    advice = explain(finding, SEN, Language("vi"))
    assert advice.reason == "Thiếu khối lượng tịnh, không ước tính được"
    assert advice.action == "Bổ sung khối lượng tịnh (gam) hoặc quy cách có khối lượng, ví dụ “hộp 10 gói x 20 g”"
