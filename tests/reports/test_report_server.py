"""`ocop reports serve` serves the reports folder read only, and nothing outside it; the report
artifacts link there when OCOP_REPORTS_URL is set, and hold the report itself when it is not."""

from __future__ import annotations

import http.client
import threading
import urllib.request
from pathlib import Path
from urllib.error import HTTPError

import pytest

import flows.report
from flows.report import publish_report_artifacts
from ocop.settings import Settings, load_settings
from reports.build import write_reports
from reports.serve import reports_server


@pytest.fixture
def home(tmp_path) -> Path:
    """An OCOP home whose reports folder is served, with a secret next to it (outside the folder)."""
    (tmp_path / "reports").mkdir()
    (tmp_path / "ocop.db").write_text("the database: never served")
    return tmp_path


@pytest.fixture
def base_url(home) -> str:
    server = reports_server(home / "reports", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers["Content-Type"]
    except HTTPError as error:
        return error.code, error.read(), error.headers["Content-Type"]


def _raw(base_url: str, method: str, path: str) -> tuple[int, bytes]:
    """A request whose path goes out exactly as written (urllib would tidy it)."""
    host, port = base_url.removeprefix("http://").rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_report_is_fetched_over_http_as_it_is_on_disk(result, history, home, base_url):
    built = write_reports(result, history, home / "reports", lang="en")
    status, body, content_type = _get(base_url + "province-en.html")
    assert status == 200
    assert body == built.province.html.read_bytes()
    assert content_type == "text/html; charset=utf-8"
    status, body, _ = _get(base_url + "province-en.xlsx")
    assert (status, body) == (200, built.province.xlsx.read_bytes())


@pytest.mark.parametrize("path", ["/../ocop.db", "/%2e%2e/ocop.db", "/..%2focop.db", "/producers/../../ocop.db",
                                  "//../ocop.db", "/leads-out/ocop.db", "/leads-out-file"])
def test_nothing_outside_the_reports_folder_is_served(home, base_url, path):
    (home / "reports" / "producers").mkdir()
    (home / "reports" / "leads-out").symlink_to(home)
    (home / "reports" / "leads-out-file").symlink_to(home / "ocop.db")
    status, body = _raw(base_url, "GET", path)
    assert status == 404
    assert b"never served" not in body


def test_the_server_only_reads(home, base_url):
    for method in ("PUT", "POST", "DELETE"):
        status, _ = _raw(base_url, method, "/province-en.html")
        assert status == 501
    assert list((home / "reports").iterdir()) == []


def _settings(home: Path, reports_url: str | None) -> Settings:
    return Settings(home=home, database_url=f"sqlite:///{home / 'ocop.db'}", shops_file=None, reports_url=reports_url)


def test_report_artifacts_link_to_the_reports_server(result, history, home, base_url, monkeypatch):
    built = write_reports(result, history, home / "reports")
    links: dict[str, str] = {}
    monkeypatch.setattr(flows.report, "create_link_artifact", lambda link, link_text, key: links.update({key: link}))
    monkeypatch.setattr(flows.report, "create_markdown_artifact", lambda *args, **kwargs: pytest.fail("a link was due"))
    publish_report_artifacts(built, _settings(home, base_url))
    assert links == {"province-report": base_url + "province-vi.html", "province-report-xlsx": base_url + "province-vi.xlsx",
                     "producer-reports": base_url + "producers/", "coverage-evidence": base_url + "evidence/manifest.json"}
    assert _get(links["coverage-evidence"])[:2] == (200, built.evidence.manifest.read_bytes())
    assert _get(links["province-report"])[:2] == (200, built.province.html.read_bytes())
    assert _get(links["province-report-xlsx"])[:2] == (200, built.province.xlsx.read_bytes())
    status, listing, _ = _get(links["producer-reports"])
    assert status == 200 and built.producers[0].html.name in listing.decode()


def test_without_a_reports_url_the_artifact_holds_the_report_itself(result, history, home, monkeypatch):
    built = write_reports(result, history, home / "reports", lang="en")
    markdowns: list[str] = []
    monkeypatch.setattr(flows.report, "create_markdown_artifact", lambda markdown, **kwargs: markdowns.append(markdown))
    monkeypatch.setattr(flows.report, "create_link_artifact", lambda *args, **kwargs: pytest.fail("no URL serves the files"))
    publish_report_artifacts(built, _settings(home, None), lang="en")
    [markdown] = markdowns
    assert markdown.startswith("# OCOP products on e-commerce: coverage report: Đồng Tháp")
    assert "| Shopee |" in markdown                                   # coverage per channel
    assert "Gạo ST25 Mỹ Thọ" in markdown                              # a product that is not live, with its reason
    assert "file://" not in markdown
    # catalogue text is shown as text, never as markup or a link
    assert "<b>" not in markdown and "Xoài Cát \\<b\\>Hòa Lộc\\</b\\>" in markdown


def test_the_reports_url_is_an_http_address_and_read_as_a_folder(monkeypatch):
    monkeypatch.setenv("OCOP_REPORTS_URL", "http://reports.ocop.internal:8790/dong-thap")
    assert load_settings().reports_url == "http://reports.ocop.internal:8790/dong-thap/"
    monkeypatch.setenv("OCOP_REPORTS_URL", "/srv/ocop/reports")
    with pytest.raises(ValueError, match="OCOP_REPORTS_URL='/srv/ocop/reports': expected an http:// or https:// URL"):
        load_settings()
    monkeypatch.delenv("OCOP_REPORTS_URL")
    assert load_settings().reports_url is None
