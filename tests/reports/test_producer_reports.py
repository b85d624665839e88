"""Producer reports: only the producer's own products, each with its status, reason and next step."""

import csv

from reports.build import write_reports
from reports.producer import report_stem
from tests.reports.province_data import BOT, CATALOGUE, CTY, HO, HTX, MAM, SEN, make_result


def _texts(report) -> tuple[str, str]:
    return report.html.read_text(encoding="utf-8"), report.csv.read_text(encoding="utf-8-sig")


def test_every_producer_gets_one_report_holding_only_its_own_products(result, tmp_path):
    reports = write_reports(result, [], tmp_path).producers
    assert sorted(r.producer_key for r in reports) == sorted({HTX.key, HO.key, CTY.key})
    for report in reports:
        html, table = _texts(report)
        for item in CATALOGUE:
            own = item.producer.key == report.producer_key
            for value in (item.product.ocop_code, item.product.seller_sku):
                assert (value in html) == own, (report.producer_name, value)
                assert (value in table) == own, (report.producer_name, value)
        others = [p for p in (HTX, HO, CTY) if p.key != report.producer_key]
        assert all(other.key not in html and other.key not in table for other in others)
        assert "Mật ong rừng U Minh" not in html and "MO-UMINH" not in table   # orphans belong to nobody


def test_producer_csv_has_a_row_per_product_and_shop(result, tmp_path):
    report = next(r for r in write_reports(result, [], tmp_path).producers if r.producer_key == HTX.key)
    rows = list(csv.reader(report.csv.open(encoding="utf-8-sig")))
    assert len(rows) == 1 + 3 * 3
    bot_on_lazada = next(row for row in rows if row[0] == BOT.product.ocop_code and row[6] == "lazada-dong-thap")
    assert bot_on_lazada[7:9] == ["Đang chờ sàn duyệt", "1004"]


def test_each_status_comes_with_the_reason_in_plain_words_and_what_to_do(result, tmp_path):
    reports = {r.producer_key: r for r in write_reports(result, [], tmp_path, lang="en").producers}
    household, _ = _texts(reports[HO.key])
    assert "The net weight is missing" in household and "Add the net weight (grams)" in household
    assert "Certificate expired" in household and "Apply for re-evaluation" in household
    company, _ = _texts(reports[CTY.key])
    assert "contains a word the platform refuses: “chữa khỏi bệnh”" in company
    assert "Remove that word from the product&#39;s name or description" in company
    assert "price on the shop 99,000 VND, catalogue 105,000 VND" in company
    assert "The last attempt failed: HTTP 503 after 5 attempts" in company


def test_star_badge_only_while_the_certificate_is_valid_and_barcode_when_there_is_one(result, tmp_path):
    reports = {r.producer_key: r for r in write_reports(result, [], tmp_path, lang="en").producers}
    cooperative, _ = _texts(reports[HTX.key])
    assert cooperative.count('<div class="badge badge-') == 3
    assert cooperative.count('url("data:image/png;base64,') == 2         # one copy per star rating: 3★ and 4★
    assert cooperative.count('src="data:image/svg+xml;base64,') == 3
    household, _ = _texts(reports[HO.key])
    assert household.count('<div class="badge badge-') == 1             # GAO only: MAM has expired
    assert "No barcode" in household
    assert f"Expired on {MAM.certification.expires_on.isoformat()}" in household


def test_certificate_due_within_90_days_carries_a_warning(result, tmp_path):
    reports = {r.producer_key: r for r in write_reports(result, [], tmp_path, lang="en").producers}
    html, _ = _texts(reports[HTX.key])
    assert f"Expires on {BOT.certification.expires_on.isoformat()} (41 days left). Apply for re-evaluation now." in html
    assert f"Valid until {SEN.certification.expires_on.isoformat()}" in html


def test_report_file_names_do_not_reveal_tax_codes_or_personal_ids(result, tmp_path):
    for report in write_reports(result, [], tmp_path).producers:
        assert report.producer_key not in report.html.name
    assert report_stem(HO).startswith("ho-kinh-doanh-ut-hien-")


def test_reports_are_rebuilt_identically_from_the_same_run(tmp_path):
    first = write_reports(make_result(), [], tmp_path / "a")
    second = write_reports(make_result(), [], tmp_path / "b")
    for one, two in zip(first.producers, second.producers):
        assert one.html.read_bytes() == two.html.read_bytes()
        assert one.csv.read_bytes() == two.csv.read_bytes()


def test_a_live_listing_links_to_its_page_on_the_marketplace(result, tmp_path):
    shop_ids = {"shopee-dong-thap": "3001001"}
    reports = {r.producer_key: r for r in write_reports(result, [], tmp_path, shop_ids=shop_ids).producers}
    html, _ = _texts(reports[HTX.key])
    rows = list(csv.DictReader(reports[HTX.key].csv.open(encoding="utf-8-sig")))
    live = [f for f in result.reconciliation.findings if f.live and f.producer_key == HTX.key]
    assert live
    for finding in live:
        page = {"shopee": f"https://shopee.vn/product/3001001/{finding.remote_id}",
                "lazada": f"https://www.lazada.vn/products/i{finding.remote_id}.html",
                "tiktok": f"https://shop.tiktok.com/view/product/{finding.remote_id}"}[finding.channel]
        assert f'<a href="{page}" rel="noopener">{finding.remote_id}</a>' in html
        row = next(r for r in rows if r["Mã OCOP"] == finding.ocop_code and r["Gian hàng"] == finding.shop_key)
        assert row["Đường dẫn tin đăng"] == page
    not_live = [r for r in rows if r["Tình trạng"] != "Đang bán"]
    assert not_live and all(r["Đường dẫn tin đăng"] == "" for r in not_live)


def test_a_producer_is_told_the_contact_details_left_out_of_the_listing(tmp_path, monkeypatch):
    from dataclasses import replace

    import tests.reports.province_data as data

    with_phone = replace(SEN, product=replace(SEN.product, description=(
        "Hạt sen sấy giòn từ đầm sen Tháp Mười. Liên hệ 0913 456 789 hoặc zalo.me/0913456789 để đặt hàng sỉ.")))
    monkeypatch.setattr(data, "CATALOGUE", [with_phone if item is SEN else item for item in data.CATALOGUE])
    result = make_result()
    report = next(r for r in write_reports(result, [], tmp_path, lang="en").producers if r.producer_key == SEN.producer.key)
    html, table = _texts(report)
    note = "Contact details (phone number, Zalo) were left out of the description"
    assert note in html and note in table
