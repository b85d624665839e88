"""A listing the completeness gate blocked is explained in the reports with every problem and who
must act on each: the producer, the operator or the province's OCOP office."""

from __future__ import annotations

from reconcile.classify import Finding, State
from reports.advice import explain
from reports.i18n import Language
from tests.reports.province_data import SEN


def _blocked(reasons: list[str]) -> Finding:
    return Finding("shopee-dong-thap", "shopee", State.BLOCKED, SEN.product.seller_sku, SEN.product.ocop_code,
                   SEN.producer.key, in_denominator=True, live=False, reason="; ".join(reasons))


def test_a_missing_category_attribute_is_explained_in_vietnamese_with_who_must_act():
    finding = _blocked(["attribute Hạn sử dụng (100010) missing: not in the product's description (required by shopee) "
                        "[to act: producer]",
                        "category missing: group I.9 has no shopee category in categories.csv (required by shopee) "
                        "[to act: province]"])
    advice = explain(finding, SEN, Language("vi"))
    assert advice.reason.startswith("Danh mục trên Shopee bắt buộc thuộc tính “Hạn sử dụng”, chưa có")
    assert "Bổ sung “Hạn sử dụng” cho sản phẩm; lần đồng bộ sau sẽ gửi lại (người xử lý: nhà sản xuất)" in advice.action
    assert "(người xử lý: Văn phòng OCOP tỉnh)" in advice.action
    english = explain(finding, SEN, Language("en"))
    assert "(to act: the producer)" in english.action and "(to act: the province's OCOP office)" in english.action
