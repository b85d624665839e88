"""`ocop report --email` against a real SMTP server on 127.0.0.1 (aiosmtpd): each producer receives their own
report and nothing of anyone else's, refusals are listed with the server's answer, producers without an
address are listed for printing, a re-run sends only what was not sent, and the password shows nowhere."""

from __future__ import annotations

import csv
import email
import email.policy
import logging
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from prefect.testing.utilities import prefect_test_harness
from typer.testing import CliRunner

from catalogue.ingest import ingest_rows
from catalogue.query import load_catalogue
from flows.report import build_reports
from ocop.channels import Channel
from ocop.store import make_engine, transaction
from reconcile.run import reconcile_shops
from reports.cli import app
from tests.reconcile.shopdata import TODAY, MemoryShop

PASSWORD = "s3cret-Pa55-word"
OFFICE = "ocop@dongthap.gov.vn"
REFUSED = "khongton@htxxoai.vn"
# AUTH without TLS is what aiosmtpd warns about; here it is a server on 127.0.0.1 started by the test.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


def _row(code, name, producer, tax_code, email_address, price):
    return {"ocop_code": code, "product_name": name, "group_code": "I.3.c", "stars": "4",
            "decision_number": "3981/QĐ-UBND", "decision_date": "2025-01-10", "authority": "UBND tỉnh Đồng Tháp",
            "producer_name": producer, "tax_code": tax_code, "province": "Đồng Tháp", "commune": "Tháp Mười",
            "address": "Ấp 1", "pack_size": "500 g", "net_weight_g": "500", "price_vnd": price,
            "email": email_address}


ROWS = [
    _row("83-829-28780-3-2024", "Hạt sen sấy Tháp Mười", "HTX Sen Tháp Mười", "0100109106", "htxsen@gmail.com", "105000"),
    _row("83-829-28781-3-2024", "Trà tim sen", "HTX Sen Tháp Mười", "0100109106", "htxsen@gmail.com", "60000"),
    _row("83-829-10001-4-2024", "Gạo ST25 Mỹ Thọ", "Hộ kinh doanh Út Hiền", "079123456789", "", "180000"),
    _row("83-829-10002-4-2024", "Xoài sấy dẻo Cao Lãnh", "HTX Xoài Cao Lãnh", "0312345673", REFUSED, "90000"),
]
OWN_CODES = {"htxsen@gmail.com": {"83-829-28780-3-2024", "83-829-28781-3-2024"}, REFUSED: {"83-829-10002-4-2024"}}


class Mailbox:
    """Keeps what the server accepted; refuses REFUSED as a mail server refuses an unknown mailbox."""

    def __init__(self, login: bool):
        self.login = login
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 <khongton@htxxoai.vn>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        accepted = auth_data.login == b"ocop" and auth_data.password == PASSWORD.encode()
        return AuthResult(success=accepted, handled=False)     # not handled: the server answers 535 itself


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=["plain", "login"])
def smtp_server(request, monkeypatch):
    """The server, and the OCOP_SMTP_* settings pointing at it: without login, or with AUTH required."""
    yield from _serve(monkeypatch, login=request.param == "login")


@pytest.fixture
def login_server(monkeypatch):
    yield from _serve(monkeypatch, login=True)


def _serve(monkeypatch, *, login: bool):
    mailbox = Mailbox(login)
    options = dict(authenticator=mailbox.authenticate, auth_required=True, auth_require_tls=False) if login else {}
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port(), **options)
    controller.start()
    settings = {"HOST": "127.0.0.1", "PORT": str(controller.port), "SECURITY": "none",
                "SENDER": "bao-cao@dongthap.gov.vn", "REPLY_TO": OFFICE}
    if login:
        settings.update(USER="ocop", PASSWORD=PASSWORD)
    for name, value in settings.items():
        monkeypatch.setenv(f"OCOP_SMTP_{name}", value)
    yield mailbox
    controller.stop()


@pytest.fixture
def reconciled(database_url):
    engine = make_engine(database_url)
    try:
        summary = ingest_rows(engine, ROWS, today=TODAY)
        assert summary.accepted == 4, summary
        shop = MemoryShop("shopee-dong-thap", Channel.SHOPEE)
        with transaction(engine) as session:
            catalogue = load_catalogue(session, province="Đồng Tháp")
        shop.list_product(catalogue[0])
        reconcile_shops(engine, [shop], province="Đồng Tháp", as_of=TODAY, target_pct=100)
    finally:
        engine.dispose()
    return database_url


def _report(database_url, out, *options):
    result = CliRunner().invoke(app, ["report", "--province", "Đồng Tháp", "--out", str(out), "--lang", "en",
                                      "--database-url", database_url, "--email", *options])
    assert result.exit_code == 0, result.output
    return result.output


def _log(out) -> list[dict[str, str]]:
    [log] = (out / "producers").glob("delivery-run-*.csv")
    return list(csv.DictReader(log.open(encoding="utf-8-sig")))


def test_each_producer_receives_their_own_report_and_nothing_of_anyone_elses(smtp_server, reconciled, tmp_path):
    output = _report(reconciled, tmp_path / "reports")

    [(sender, recipients, message)] = smtp_server.messages
    assert sender == "bao-cao@dongthap.gov.vn" and recipients == ["htxsen@gmail.com"]
    assert message["To"].addresses[0].addr_spec == "htxsen@gmail.com" and message["Cc"] is None
    assert message["Reply-To"] == OFFICE
    assert message["Subject"] == "Your OCOP products on the marketplaces: HTX Sen Tháp Mười"
    html = message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    table = attachment.get_content()
    assert attachment.get_content_type() == "text/csv" and attachment.get_filename().endswith(".en.csv")
    for row in ROWS:
        own = row["ocop_code"] in OWN_CODES["htxsen@gmail.com"]
        assert (row["ocop_code"] in html) == own and (row["ocop_code"] in table) == own, row["ocop_code"]
        assert (row["product_name"] in html) == own
    assert "HTX Xoài" not in message.as_string() and "Út Hiền" not in html
    assert "reconciliation run" in message.get_body(("plain",)).get_content()

    assert "sent 1, failed 1 (listed), without address 1 (listed in " in output
    assert f"failed: HTX Xoài Cao Lãnh <{REFUSED}>: 550 5.1.1 <{REFUSED}>: Recipient address rejected" in output


def test_a_refused_address_is_logged_with_the_servers_answer_and_a_producer_without_one_is_listed_to_print(
        smtp_server, reconciled, tmp_path):
    out = tmp_path / "reports"
    _report(reconciled, out)
    outcomes = {row["producer"]: row for row in _log(out)}
    assert {name: row["outcome"] for name, row in outcomes.items()} == {
        "HTX Sen Tháp Mười": "sent", "Hộ kinh doanh Út Hiền": "no address", "HTX Xoài Cao Lãnh": "failed"}
    refused = outcomes["HTX Xoài Cao Lãnh"]
    assert (refused["email"], refused["smtp_code"]) == (REFUSED, "550")
    assert "User unknown" in refused["smtp_message"]
    [print_list] = (out / "producers").glob("to-print-run-*.csv")
    [printed] = list(csv.DictReader(print_list.open(encoding="utf-8-sig")))
    assert printed["producer"] == "Hộ kinh doanh Út Hiền" and printed["postal_address"] == "Ấp 1, Tháp Mười, Đồng Tháp"
    assert (out / "producers" / printed["report"]).exists()


def test_a_rerun_sends_only_what_was_not_sent_and_resend_sends_again(smtp_server, reconciled, tmp_path):
    out = tmp_path / "reports"
    _report(reconciled, out)
    again = _report(reconciled, out)
    assert len(smtp_server.messages) == 1        # the refused one is tried again, and refused again
    assert "sent 0, failed 1 (listed)" in again
    assert "skipped 1: already sent to the same address for run" in again and "--resend" in again
    _report(reconciled, out, "--resend")
    assert [recipients for _, recipients, _ in smtp_server.messages] == [["htxsen@gmail.com"]] * 2
    assert [row["outcome"] for row in _log(out) if row["producer"] == "HTX Sen Tháp Mười"] == ["sent", "skipped", "sent"]


def test_the_password_is_in_no_log_line_output_or_file(smtp_server, reconciled, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "reports"
    output = _report(reconciled, out)
    if smtp_server.login:
        assert smtp_server.logins == [(b"ocop", PASSWORD.encode())]
    assert caplog.records and all(PASSWORD not in record.getMessage() for record in caplog.records)
    assert PASSWORD not in output
    assert all(PASSWORD.encode() not in path.read_bytes() for path in out.rglob("*") if path.is_file())
    assert all(PASSWORD not in m.as_string() for _, _, m in smtp_server.messages)


def test_a_wrong_password_fails_every_delivery_with_the_servers_answer(login_server, reconciled, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("OCOP_SMTP_PASSWORD", "not-the-password")
    output = _report(reconciled, tmp_path / "reports")
    assert login_server.messages == []
    assert "sent 0, failed 2 (listed), without address 1" in output
    assert output.count(": 535 5.7.8 Authentication credentials invalid") == 2
    assert "not-the-password" not in output


def test_a_password_over_an_unencrypted_connection_to_another_host_is_refused_before_anything_is_built(
        reconciled, tmp_path, monkeypatch):
    for name, value in {"HOST": "smtp.example.vn", "SECURITY": "none", "SENDER": "bao-cao@dongthap.gov.vn",
                        "USER": "ocop", "PASSWORD": PASSWORD}.items():
        monkeypatch.setenv(f"OCOP_SMTP_{name}", value)
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "reports"), "--database-url", reconciled,
                                      "--email"])
    assert result.exit_code != 0 and "would send the mail password unencrypted to smtp.example.vn" in result.output
    assert PASSWORD not in result.output and not (tmp_path / "reports").exists()


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_build_reports_flow_emails_the_reports_when_asked(smtp_server, reconciled, tmp_path, monkeypatch):
    monkeypatch.setenv("OCOP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OCOP_DATABASE_URL", reconciled)
    with prefect_test_harness(server_startup_timeout=60):
        first = build_reports(province="Đồng Tháp", lang="en", email=True)
        again = build_reports(province="Đồng Tháp", lang="en", email=True)
    assert [recipients for _, recipients, _ in smtp_server.messages] == [["htxsen@gmail.com"]]
    assert (first["email"]["sent"], first["email"]["without_address"]) == (1, 1)
    assert [(f["email"], f["smtp_code"]) for f in first["email"]["failed"]] == [(REFUSED, 550)]
    assert (again["email"]["sent"], again["email"]["skipped"]) == (0, 1)
