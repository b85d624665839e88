"""A shop without an API: listings written to the platform's mass-upload workbook as intents, and
what the shop holds learnt from the seller centre's product export."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import SecretStr

import ledger
from catalogue.ingest import ingest_rows
from catalogue.sample import sample_rows
from connectors.types import ShopConfig, ShopCredentials
from connectors.workbook import ExportError, read_export, shop_layout
from ocop.channels import Channel
from ocop.store import transaction
from publishing import candidates
from publishing.workbook import AWAITING_UPLOAD, WorkbookTarget, write_shop_workbook
from reconcile.imported import import_export, latest_pull
from reconcile.run import reconcile_shops
from rendering.profiles import load_profile
from sandboxes.seller_centre import export_after_upload, uploaded_rows

TODAY = dt.date.today()
# The Shopee seller centre's mass upload, for a shop whose API app is not approved yet.
SHOP = ShopConfig("shopee-upload-dong-thap", Channel.SHOPEE, "", ShopCredentials("", SecretStr(""), SecretStr("")),
                  workbook="shopee")
LAYOUT = shop_layout(SHOP)


@pytest.fixture
def target(tmp_path):
    return WorkbookTarget(tmp_path / "workbooks", tmp_path / "images", "https://ocop.example.vn/images")


def _write(engine, target, run_id="run-1", minute=0):
    products = candidates.load_products(engine)
    fingerprints = candidates.fingerprints(products, load_profile(SHOP.channel), today=TODAY)
    return write_shop_workbook(engine, SHOP, LAYOUT, products, fingerprints, target, run_id=run_id, today=TODAY,
                               now=dt.datetime(2026, 11, 15, 9, minute, tzinfo=dt.UTC))


def _bindings(engine):
    with transaction(engine) as session:
        return ledger.load_bindings(session, ledger.ensure_shop(session, SHOP))


def test_a_written_row_is_an_intent_awaiting_upload_never_a_created_listing(engine, target):
    result = _write(engine, target)
    assert result.written > 0 and result.path is not None and result.path.exists()
    assert "create" not in result.counts() and result.counts()["written_to_workbook"] == result.written
    assert f"{result.written} row(s) written to {result.path}, awaiting upload" in result.summary()
    rows = uploaded_rows(result.path, LAYOUT)
    assert len(rows) == result.written
    assert all(str(row["Cover image"]).startswith("https://ocop.example.vn/images/") for row in rows)
    written = [b for b in _bindings(engine).values() if b.rendered_hash is not None]
    assert len(written) == result.written
    for binding in written:
        assert binding.remote_id is None and binding.remote_status is None and binding.pushed_hash is None
        assert binding.platform_status == AWAITING_UPLOAD
    with transaction(engine) as session:
        events = ledger.events(session, run_id="run-1")
    assert {(e.operation, e.outcome) for e in events if e.operation != "block"} == {("workbook_create", "awaiting_upload")}


def test_an_unchanged_product_writes_no_row_on_the_next_run(engine, target):
    first = _write(engine, target)
    again = _write(engine, target, run_id="run-2", minute=5)
    assert first.written > 0
    assert again.path is None and again.written == 0
    assert again.summary() == f"{SHOP.key}: no listing needed a workbook row"


def test_the_imported_export_brings_the_channel_to_full_coverage(engine, target, tmp_path):
    result = _write(engine, target)
    export = export_after_upload([result.path], LAYOUT, tmp_path / "export.csv", status="Normal")
    kept, items = import_export(export, SHOP, LAYOUT, tmp_path / "exports")
    assert items == result.written and kept.exists()
    reconciled = reconcile_shops(engine, [], province=None, as_of=TODAY,
                                 imported=[latest_pull(SHOP, LAYOUT, tmp_path / "exports")])
    (channel,) = reconciled.coverage.channels
    assert channel.channel == "shopee" and channel.share.live == result.written
    assert channel.share.pct == 100.0
    live = [b for b in _bindings(engine).values() if b.remote_id is not None]
    assert len(live) == result.written and {b.remote_status for b in live} == {"live"}
    assert _write(engine, target, run_id="run-2", minute=5).written == 0


def test_a_changed_price_of_a_live_item_writes_its_one_row_again(engine, target, tmp_path):
    first = _write(engine, target)
    export = export_after_upload([first.path], LAYOUT, tmp_path / "export.csv", status="Normal")
    import_export(export, SHOP, LAYOUT, tmp_path / "exports")
    reconcile_shops(engine, [], province=None, as_of=TODAY, imported=[latest_pull(SHOP, LAYOUT, tmp_path / "exports")])
    sku = uploaded_rows(first.path, LAYOUT)[0]["Parent SKU"]
    code = next(p.product.ocop_code for p in candidates.load_products(engine).values() if p.product.seller_sku == sku)
    rows = sample_rows("Đồng Tháp", products=8, seed=3, today=TODAY)
    changed = next(row for row in rows if row["ocop_code"] == code)
    changed["price_vnd"] = str(int(changed["price_vnd"]) + 1000)
    ingest_rows(engine, rows, today=TODAY)

    again = _write(engine, target, run_id="run-2", minute=5)

    (row,) = uploaded_rows(again.path, LAYOUT)
    assert row["Parent SKU"] == sku and row["Price"] == int(changed["price_vnd"])
    assert again.rows == {"update": 1}      # a row carries the whole listing, price included
    binding = next(b for b in _bindings(engine).values() if b.seller_sku == sku)
    assert binding.remote_status == "live" and binding.pushed_price_vnd is None


def test_a_bad_export_row_is_named_by_row_column_and_value_and_nothing_is_kept(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text("Product ID,Parent SKU,Product Name,Price,Status\n"
                      "900001,OCOP-DT-0001,Mật ong,150.000,Normal\n"
                      ",OCOP-DT-0002,Bánh pía,80000,Normal\n"
                      "900003,OCOP-DT-0003,Khô cá,ninety,Sold out\n", encoding="utf-8")
    with pytest.raises(ExportError) as raised:
        import_export(export, SHOP, LAYOUT, tmp_path / "exports")
    problems = [str(problem) for problem in raised.value.problems]
    assert "row 3, column 'Product ID': '': expected the platform's item id" in problems
    assert any(p.startswith("row 4, column 'Status': 'Sold out': expected one of ") for p in problems)
    assert any(p.startswith("row 4, column 'Price': 'ninety': expected a whole number") for p in problems)
    assert not (tmp_path / "exports").exists()


def test_an_export_lacking_a_column_names_it_and_the_headers_found(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text("Product ID,Product Name,Status\n900001,Mật ong,Normal\n", encoding="utf-8")
    with pytest.raises(ExportError, match="lacks the column\\(s\\) 'Parent SKU'.*found 'Product ID', 'Product Name'"):
        read_export(export, LAYOUT)


def test_grouped_prices_read_as_whole_dong(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text("Product ID;Parent SKU;Price;Status\n900001;OCOP-DT-0001;150.000;Normal\n", encoding="utf-8")
    (item,) = read_export(export, LAYOUT)
    assert (item.remote_id, item.seller_sku, item.price_vnd, item.status) == ("900001", "OCOP-DT-0001", 150000, "live")
