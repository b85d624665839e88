"""The catalogue commands as a user runs them: write a sample, ingest it, see the summary."""

import json

import pytest
from typer.testing import CliRunner

from catalogue.cli import app


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("OCOP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OCOP_DATABASE_URL", f"sqlite:///{tmp_path / 'home' / 'ocop.db'}")
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(arg) for arg in args])


def test_sample_then_ingest_prints_the_balanced_summary(run, tmp_path):
    out = tmp_path / "cao-bang.csv"
    result = run("sample", "--province", "Cao Bằng", "--bad-rows", "11", "--out", out)
    assert result.exit_code == 0 and "wrote 155 rows for Cao Bằng" in result.output
    result = run("ingest", out)
    assert result.exit_code == 0, result.output
    assert "rows in        155  = accepted 144 + rejected 10 + merged 1" in result.output
    assert (tmp_path / "home" / "rejects").is_dir()
    again = run("ingest", out)
    assert "inserted 0, updated 0, unchanged 144" in again.output


def test_sample_writes_json_for_the_registry(run, tmp_path):
    out = tmp_path / "dt.json"
    assert run("sample", "--products", "12", "--format", "json", "--out", out).exit_code == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 12


def test_an_unreadable_file_exits_with_the_reason(run, tmp_path):
    path = tmp_path / "report.csv"
    path.write_text("Tên sản phẩm,Giá bán\nHạt sen,120000\n", encoding="utf-8")
    result = run("ingest", path)
    assert result.exit_code == 1 and "missing required columns" in result.output


def test_an_unknown_province_is_a_usage_error(run):
    result = run("sample", "--province", "Hà Nội")
    assert result.exit_code == 2 and "known: Đồng Tháp" in result.output


def test_the_terminal_gets_cut_values_and_summarised_lists(run, tmp_path):
    from tests.catalogue.rows import csv_text, good_row

    rows = [good_row(), good_row(ocop_code="8" * 2_000_000, product_name="Trà sen \x1b[2J")]
    header, *lines = csv_text(rows).split("\r\n")
    extra = [f"cột thêm {i}" for i in range(20_000)]
    path = tmp_path / "wide.csv"
    path.write_text("\r\n".join([header + "," + ",".join(extra)] + lines), encoding="utf-8")
    result = run("ingest", path)
    assert result.exit_code == 0, result.output[:500]
    assert len(result.output) < 3000 and "\x1b" not in result.output
    assert "(2,000,000 characters)" in result.output and "… and 19,990 more" in result.output


def test_a_refusal_summarises_the_headers_it_found(run, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"cột {i}" for i in range(20_000)) + "\r\n" + ",".join("x" * 20_000) + "\r\n",
                    encoding="utf-8")
    result = run("ingest", path)
    assert result.exit_code == 1 and len(result.output) < 2000 and "… and 19,990 more" in result.output
