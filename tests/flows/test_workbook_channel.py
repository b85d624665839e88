"""A postal platform without an API, through the operator's loop: `ocop sync` writes the workbook and
says where, the seller centre takes it (a stand-in), `ocop reconcile --import` reads its export back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalogue.ingest import ingest_rows
from catalogue.sample import sample_rows
from cli.main import app
from connectors.workbook import channel_layout
from ocop.channels import Channel
from ocop.store import make_engine
from reconcile.run import evaluate_run
from sandboxes.seller_centre import export_after_upload
from tests.flows.conftest import TODAY

SHOP = "postmart-dong-thap"
LAYOUT = channel_layout(Channel.POSTMART)


@pytest.fixture
def postal_shop(tmp_path, monkeypatch, database_url):
    home = tmp_path / "home"
    shops_file = tmp_path / "shops.toml"
    shops_file.write_text(f'[[shops]]\nkey = "{SHOP}"\nchannel = "postmart"\nprovince = "Đồng Tháp"\n', encoding="utf-8")
    monkeypatch.setenv("OCOP_HOME", str(home))
    monkeypatch.setenv("OCOP_DATABASE_URL", database_url)
    monkeypatch.setenv("OCOP_SHOPS_FILE", str(shops_file))
    monkeypatch.setenv("OCOP_REPORTS_URL", "https://ocop.example.vn/")
    engine = make_engine(database_url)
    ingest_rows(engine, sample_rows("Đồng Tháp", products=12, seed=7, today=TODAY), today=TODAY)
    engine.dispose()
    return database_url


def _workbooks(output: str) -> list[Path]:
    return [Path(found) for found in re.findall(rf"{SHOP}: workbook written, awaiting upload: (\S+)", output)]


def test_the_operator_loop_brings_the_postal_channel_to_full_coverage(postal_shop, tmp_path):
    planned = CliRunner().invoke(app, ["sync", "--dry-run"])
    assert planned.exit_code == 0, planned.output
    assert "'workbook_row:create'" in planned.output and "'create'" not in planned.output   # rows to upload, not calls
    synced = CliRunner().invoke(app, ["sync"])
    assert synced.exit_code == 0, synced.output
    (workbook,) = _workbooks(synced.output)
    assert "written_to_workbook" in synced.output and "'create'" not in synced.output
    assert f"ocop reconcile --import EXPORT --shop {SHOP}" in synced.output

    export = export_after_upload([workbook], LAYOUT, tmp_path / "san-pham.csv", status="Đang bán")
    imported = CliRunner().invoke(app, ["reconcile", "--import", str(export), "--shop", SHOP])
    assert imported.exit_code == 0, imported.output
    assert f"{SHOP}: " in imported.output and "items imported" in imported.output

    engine = make_engine(postal_shop)
    coverage = evaluate_run(engine).coverage
    engine.dispose()
    (postmart,) = coverage.channels
    assert postmart.channel == "postmart" and postmart.share.listable > 0 and postmart.share.pct == 100.0

    again = CliRunner().invoke(app, ["sync"])
    assert again.exit_code == 0, again.output
    assert _workbooks(again.output) == []
    province = Path(re.search(r"'province_html': '([^']+)'", again.output)[1]).read_text(encoding="utf-8")
    producers = Path(re.search(r"'producers_dir': '([^']+)'", again.output)[1])
    assert "Postmart" in province
    assert any("Postmart" in page.read_text(encoding="utf-8") for page in producers.rglob("*.html"))


def test_an_export_with_bad_rows_is_not_imported_and_each_is_named(postal_shop, tmp_path):
    export = tmp_path / "san-pham.csv"
    export.write_text("Mã sản phẩm,Mã SKU,Trạng thái\n11,OCOP-DT-0001,Đang bán\n12,,Đang bán\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["reconcile", "--import", str(export), "--shop", SHOP])
    assert result.exit_code == 1
    assert "row 3, column 'Mã SKU': '': expected the seller SKU our workbook row carried" in result.output
