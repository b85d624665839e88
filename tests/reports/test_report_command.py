"""`ocop report` rebuilds the reports of the stored run from the database alone.

The sub-app has one command, so Typer runs it without its name here; mounted on `ocop` it is `ocop report`.
"""

from typer.testing import CliRunner

from catalogue.ingest import ingest_rows
from catalogue.query import load_catalogue
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


def test_report_command_rebuilds_every_report_from_the_stored_run(database_url, tmp_path):
    engine = make_engine(database_url)
    try:
        summary = ingest_rows(engine, ROWS, today=TODAY)
        assert summary.accepted == 2, summary
        shop = MemoryShop("shopee-dong-thap", Channel.SHOPEE)
        with transaction(engine) as session:
            catalogue = load_catalogue(session, province="Đồng Tháp")
        shop.list_product(catalogue[0])
        reconcile_shops(engine, [shop], province="Đồng Tháp", as_of=TODAY, target_pct=100)
        shop.fail_with = AuthError("the report must not read any shop")
    finally:
        engine.dispose()

    out = tmp_path / "reports"
    result = CliRunner().invoke(app, ["--province", "Đồng Tháp", "--out", str(out), "--lang", "en",
                                      "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert (out / "province-en.html").exists() and (out / "province-en.xlsx").exists()
    assert len(list((out / "producers").glob("*.en.html"))) == 2
    assert "| Shopee | 1 | 2 | 50% |" in result.output
    assert "Below target" in result.output


def test_report_command_says_when_there_is_no_stored_run(database_url, tmp_path):
    result = CliRunner().invoke(app, ["--province", "Cà Mau", "--out", str(tmp_path),
                                      "--database-url", database_url])
    assert result.exit_code == 1
    assert "no stored reconciliation run for province 'Cà Mau'" in result.output
