"""`ocop report` rebuilds the reports of the stored run from the database alone; `ocop evidence`
exports the rows behind its figures."""

import csv
import hashlib
import json

from typer.testing import CliRunner

import ledger
from catalogue.ingest import ingest_rows
from catalogue.query import load_catalogue, load_catalogue_by_id
from connectors.errors import AuthError
from ocop.channels import Channel
from ocop.store import make_engine, transaction
from reconcile.run import reconcile_shops
from reports.cli import app
from tests.reconcile.shopdata import TODAY, MemoryShop

ROWS = [
    {"ocop_code": "83-829-28780-3-2024", "product_name": "Hạt sen sấy Tháp Mười", "group_code": "I.3.c", "stars": "4",
     "decision_number": "3981/QĐ-UBND", "decision_date": "2025-01-10", "authority": "UBND tỉnh Đồng Tháp",
     "producer_name": "HTX Sen Tháp Mười", "producer_kind": "cooperative", "tax_code": "0100109106",
     "province": "Đồng Tháp", "commune": "Tháp Mười", "pack_size": "500 g", "net_weight_g": "500",
     "price_vnd": "105000"},
    {"ocop_code": "83-829-10001-4-2024", "product_name": "Gạo ST25 Mỹ Thọ", "group_code": "I.2.a", "stars": "3",
     "decision_number": "3982/QĐ-UBND", "decision_date": "2025-02-10", "authority": "UBND tỉnh Đồng Tháp",
     "producer_name": "Hộ kinh doanh Út Hiền", "producer_kind": "household", "tax_code": "079123456789",
     "province": "Đồng Tháp", "commune": "Mỹ Thọ", "pack_size": "5 kg", "net_weight_g": "5000",
     "price_vnd": "180000"},
]


def _reconciled(database_url):
    """The two products, one listed on the Shopee shop, reconciled; the shop then refuses any call."""
    engine = make_engine(database_url)
    try:
        summary = ingest_rows(engine, ROWS, today=TODAY)
        assert summary.accepted == 2, summary
        shop = MemoryShop("shopee-dong-thap", Channel.SHOPEE)
        with transaction(engine) as session:
            catalogue = load_catalogue(session, province="Đồng Tháp")
            ids = load_catalogue_by_id(session, province="Đồng Tháp")
            ledger.ensure_bindings(session, ledger.ensure_shop(session, shop.shop),
                                   [(pid, item.product.seller_sku) for pid, item in ids.items()])
        shop.list_product(catalogue[0])
        reconcile_shops(engine, [shop], province="Đồng Tháp", as_of=TODAY, target_pct=100)
        shop.fail_with = AuthError("the report must not read any shop")
    finally:
        engine.dispose()


def test_report_command_rebuilds_every_report_from_the_stored_run(database_url, tmp_path):
    _reconciled(database_url)

    out = tmp_path / "reports"
    result = CliRunner().invoke(app, ["report", "--province", "Đồng Tháp", "--out", str(out), "--lang", "en",
                                      "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert (out / "province-en.html").exists() and (out / "province-en.xlsx").exists()
    assert len(list((out / "producers").glob("*.en.html"))) == 2
    assert "| Shopee | 1 | 2 | 50% |" in result.output
    assert "Below target" in result.output
    assert (out / "evidence" / "manifest.json").exists() and "evidence:" in result.output


def test_evidence_command_exports_the_rows_behind_the_figures_with_their_hashes(database_url, tmp_path, monkeypatch):
    _reconciled(database_url)
    shops_file = tmp_path / "shops.toml"
    shops_file.write_text('[[shops]]\nkey = "shopee-dong-thap"\nchannel = "shopee"\nbase_url = "https://partner.shopeemobile.com"\n',
                          encoding="utf-8")
    monkeypatch.setenv("OCOP_SHOPS_FILE", str(shops_file))
    monkeypatch.setenv("OCOP_SHOP_SHOPEE_DONG_THAP_APP_KEY", "2001001")
    monkeypatch.setenv("OCOP_SHOP_SHOPEE_DONG_THAP_APP_SECRET", "evidence-test-partner-key")
    monkeypatch.setenv("OCOP_SHOP_SHOPEE_DONG_THAP_ACCESS_TOKEN", "evidence-test-token")
    monkeypatch.setenv("OCOP_SHOP_SHOPEE_DONG_THAP_SHOP_ID", "3001001")
    out = tmp_path / "evidence"
    result = CliRunner().invoke(app, ["evidence", "--province", "Đồng Tháp", "--out", str(out),
                                      "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert "2 rows (shopee 1/2 live)" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"]
    with (out / "evidence.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["ocop_code"]: row for row in csv.DictReader(handle)}
    live = rows[ROWS[0]["ocop_code"]] if rows[ROWS[0]["ocop_code"]]["live"] == "yes" else rows[ROWS[1]["ocop_code"]]
    assert live["listing_url"] == f"https://shopee.vn/product/3001001/{live['remote_id']}"
    assert "evidence-test" not in result.output + (out / "evidence.csv").read_text(encoding="utf-8-sig")


def test_report_command_says_when_there_is_no_stored_run(database_url, tmp_path):
    result = CliRunner().invoke(app, ["report", "--province", "Cà Mau", "--out", str(tmp_path),
                                      "--database-url", database_url])
    assert result.exit_code == 1
    assert "no stored reconciliation run for province 'Cà Mau'" in result.output


def test_a_status_pushed_after_the_reconciliation_shows_in_the_next_report_without_reading_the_shops(database_url, tmp_path):
    import datetime as dt

    from reconcile.run import evaluate_run
    from reports.build import build_reports

    _reconciled(database_url)
    engine = make_engine(database_url)
    try:
        before = build_reports(engine, tmp_path / "before", province="Đồng Tháp")
        live = next(f for f in evaluate_run(engine, province="Đồng Tháp").reconciliation.findings if f.live)
        banned_at = dt.datetime.now(dt.UTC)
        with transaction(engine) as session:
            noticed = ledger.notice_status(session, ledger.StatusNotice(
                live.shop_key, live.remote_id, "suspended", "BANNED", "prohibited claim", banned_at, "push", "push-0001"))
        assert noticed is not None and noticed.changed
        after = build_reports(engine, tmp_path / "after", province="Đồng Tháp")
    finally:
        engine.dispose()
    assert [c.share.live for c in before.coverage.channels] == [1]
    assert [c.share.live for c in after.coverage.channels] == [0]
    with after.evidence.csv.open(encoding="utf-8-sig", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["remote_id"] == live.remote_id)
    assert (row["live"], row["observed_by"], row["platform_status"]) == ("no", "push", "BANNED")
    assert row["observed_at"] == banned_at.isoformat(timespec="seconds")
