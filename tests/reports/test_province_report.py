"""The province report: one self-contained HTML page plus XLSX and CSV of the same tables."""

import csv
import re
import zipfile
from html.parser import HTMLParser

from openpyxl import load_workbook

from ocop.channels import Channel
from reconcile.classify import classify
from reconcile.coverage import compute_coverage
from reconcile.run import ReconcileResult
from reconcile.snapshot import pull_snapshot
from reports.build import write_reports
from reports.province import HTML_ROW_LIMIT
from tests.reconcile.shopdata import SECRET, TODAY, TOKEN, MemoryShop, product
from tests.reports.province_data import CATALOGUE, LEDGER, XOAI, make_history, make_result


class _Page(HTMLParser):
    """Collects the tags and the visible text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_province_page_loads_nothing_from_outside(result, history, tmp_path):
    report = write_reports(result, history, tmp_path).province
    page = parse(report.html)
    html = report.html.read_text(encoding="utf-8")
    assert {tag for tag, _ in page.tags} & {"script", "link", "iframe", "object", "embed"} == set()
    loads = [value for _, attrs in page.tags for name, value in attrs.items() if name == "src"]
    assert all(value.startswith("data:") for value in loads)
    links = [attrs["href"] for tag, attrs in page.tags if "href" in attrs]
    # links go within the page, or to a file beside it in the reports folder (the evidence)
    assert all(value.startswith(("data:", "#")) or ("://" not in value and not value.startswith(("/", ".."))) for value in links)
    assert "evidence/manifest.json" in links
    assert "@import" not in html and not re.search(r"url\((?!data:)", html)
    assert [tag for tag, _ in page.tags].count("svg") == 3     # coverage, status and trend, drawn inline


def test_vietnamese_by_default_and_english_by_option(result, history, tmp_path):
    vietnamese = write_reports(result, history, tmp_path).province.html.read_text(encoding="utf-8")
    english = write_reports(result, history, tmp_path, lang="en").province.html.read_text(encoding="utf-8")
    assert '<html lang="vi">' in vietnamese and "Sản phẩm chưa bán và lý do" in vietnamese
    assert '<html lang="en">' in english and "Gaps and their reasons" in english


def test_coverage_at_a_glance_gaps_with_reasons_and_trend_are_on_the_page(result, history, tmp_path):
    text = " ".join(parse(write_reports(result, history, tmp_path, lang="en").province.html).text)
    assert "On every channel at once" in text and "Below target" in text
    assert "The net weight is missing" in text and "Add the net weight (grams)" in text
    assert "The title or description contains a word the platform refuses: “chữa khỏi bệnh”" in text
    assert "Trend across runs" in text and "2026-05-29" in text
    assert "Certificates expiring within 90 days" in text and "Bột ngó sen" in text
    assert "Mật ong rừng U Minh OCOP 5 sao" in text          # an orphan claiming stars


def _with_xoai_missing() -> ReconcileResult:
    rec = classify(CATALOGUE, pull_snapshot([MemoryShop("tiktok-dong-thap", Channel.TIKTOK)]), LEDGER, as_of=TODAY)
    base = make_result()
    return ReconcileResult(base.run, rec, compute_coverage(rec))


def test_markup_in_catalogue_text_is_shown_as_text(tmp_path):
    result = _with_xoai_missing()
    report = write_reports(result, [], tmp_path, lang="en")
    page = parse(report.province.html)
    assert "script" not in {tag for tag, _ in page.tags}
    text = "".join(page.text)
    assert XOAI.product.name in text
    assert "Công ty TNHH Xoài Cát <b>Hòa Lộc</b>" in text
    for producer_report in report.producers:
        producer_page = parse(producer_report.html)
        assert "script" not in {tag for tag, _ in producer_page.tags}


def test_spreadsheet_text_never_runs_as_a_formula(tmp_path):
    report = write_reports(_with_xoai_missing(), [], tmp_path, lang="en").province
    sheet = load_workbook(report.xlsx)["Gaps and their reasons"]
    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert cells and all(cell.data_type == "s" for cell in cells)
    gaps_csv = next(path for path in report.csv if path.name == "gaps.csv")
    names = [row[1] for row in csv.reader(gaps_csv.open(encoding="utf-8-sig"))]
    assert XOAI.product.name in names     # starts with "Xoài", not "=": kept as it is


def test_xlsx_and_csv_hold_the_same_tables_as_the_page(result, history, tmp_path):
    report = write_reports(result, history, tmp_path, lang="en").province
    workbook = load_workbook(report.xlsx)
    assert len(workbook.sheetnames) == len(report.csv) == 14
    for path, name in zip(report.csv, workbook.sheetnames):
        rows = list(csv.reader(path.open(encoding="utf-8-sig")))
        sheet_rows = list(workbook[name].iter_rows(values_only=True))
        assert len(rows) == len(sheet_rows), name
        assert rows[0] == [str(value) for value in sheet_rows[0]], name
    coverage = list(csv.reader(next(p for p in report.csv if p.name == "coverage.csv").open(encoding="utf-8-sig")))
    assert coverage[1][:6] == ["Shopee", "shopee-dong-thap", "6", "6", "0", "100.0"]
    assert coverage[-1][0] == "On every channel at once" and coverage[-1][-1] == "50.0"
    assert workbook["At a glance"]["F5"].value == 0.5 and workbook["At a glance"]["F5"].number_format == "0.0%"


def test_long_tables_are_cut_on_the_page_but_complete_in_the_files(tmp_path):
    many = [product(f"83-829-{n:05d}-3-2024", f"Sản phẩm số {n}") for n in range(HTML_ROW_LIMIT + 20)]
    rec = classify(many, pull_snapshot([MemoryShop("tiktok-dong-thap", Channel.TIKTOK)]), [], as_of=TODAY)
    result = ReconcileResult(make_result().run, rec, compute_coverage(rec))
    report = write_reports(result, [], tmp_path, lang="en").province
    assert "… and 20 more rows: see the XLSX/CSV files." in report.html.read_text(encoding="utf-8")
    gaps_csv = next(p for p in report.csv if p.name == "gaps.csv")
    assert len(list(csv.reader(gaps_csv.open(encoding="utf-8-sig")))) == HTML_ROW_LIMIT + 21


def test_no_report_file_contains_a_shop_secret(result, history, tmp_path):
    reports = write_reports(result, make_history(result), tmp_path)
    for path in tmp_path.rglob("*"):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                content = b"".join(archive.read(name) for name in archive.namelist())
        elif path.is_file():
            content = path.read_bytes()
        else:
            continue
        assert SECRET.encode() not in content and TOKEN.encode() not in content, path
    assert reports.producers


def test_a_shop_that_needs_reauthorising_or_whose_authorisation_ends_soon_is_named_at_the_top(result, history, tmp_path):
    from shops.token_store import ShopTokenState

    taken = result.run.started_at.timestamp()

    def state(key, channel, status, **more):
        return ShopTokenState(shop_key=key, channel=channel, shop_id=None, seller="", status=status, reason=more.pop("reason", ""),
                              access_expires_at=None, refresh_expires_at=None, connected_at=None, refreshed_at=None,
                              refresh_count=0, **more)

    states = {"shopee-dong-thap": state("shopee-dong-thap", "shopee", "connected", authorisation_ends_at=taken + 5 * 86400,
                                        authorisation_warned_by="Shopee push 12"),
              "lazada-dong-thap": state("lazada-dong-thap", "lazada", "needs_reauthorisation",
                                        reason="IllegalRefreshToken: refresh token expired"),
              "tiktok-dong-thap": state("tiktok-dong-thap", "tiktok", "connected", authorisation_ends_at=taken + 300 * 86400)}
    report = write_reports(result, history, tmp_path, lang="en", shop_states=states).province
    html = report.html.read_text(encoding="utf-8")
    assert "Shops needing attention" in html
    assert "lazada-dong-thap: needs re-authorisation (IllegalRefreshToken: refresh token expired)" in html
    assert "shopee-dong-thap: the app&#39;s authorisation ends on" in html and "per Shopee push 12" in html
    assert "tiktok-dong-thap" not in " ".join(report.shop_alerts)     # 300 days away: nothing to do yet
    assert len(report.shop_alerts) == 2
    calm = write_reports(result, history, tmp_path / "calm", lang="en").province
    assert calm.shop_alerts == () and "Shops needing attention" not in calm.html.read_text(encoding="utf-8")
