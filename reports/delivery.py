"""Each producer gets their own report by e-mail: the producer page as the body, its CSV attached.

One message per producer with that producer as its only recipient, the province office in Reply-To:
nothing in a message is built from another producer's data. Every producer of the run ends in one
outcome, appended to the run's delivery log beside the reports (`producers/delivery-run-<id>.csv`):
sent, failed (with the server's SMTP code and message), no address (also listed in
`producers/to-print-run-<id>.csv`, for the office to print and post), or skipped: sent to the same
address for the same run before, unless asked to send again.

The mail server comes from a "OCOP report mail server" block or the OCOP_SMTP_* settings; its
password is a secret that no message, log line, error or report holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.policy
import ipaddress
import logging
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import Address as MailAddress
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from enum import StrEnum
from pathlib import Path
from typing import Literal

from prefect.blocks.core import Block
from pydantic import Field, SecretStr
from sqlalchemy import Engine

from catalogue.query import load_producers
from catalogue.records import ProducerRecord
from ocop.settings import Settings
from ocop.spreadsheets import spreadsheet_text, write_csv_rows
from ocop.store import transaction
from reports.build import ReportSet
from reports.i18n import Language
from reports.producer import ProducerReport

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
LOG_COLUMNS = ("time", "outcome", "producer", "email", "report", "smtp_code", "smtp_message")
PRINT_COLUMNS = ("producer", "postal_address", "report")
TIMEOUT_SECONDS = 30
# Python 3.11's header folding drops the space between two encoded words it splits a line at ("Tháp Mười"
# arrives as "ThápMười"); headers kept on one line, up to RFC 5322's 998 characters, are never folded.
_POLICY = email.policy.SMTP.clone(max_line_length=998)
# The plain-text part, for mail clients that do not show HTML.
_PLAIN_TEXT = {
    "vi": "Kính gửi {producer},\n\nBáo cáo tình trạng sản phẩm OCOP của quý đơn vị trên các sàn thương mại điện tử "
          "(lần đối soát {run}) nằm trong thư này và trong tệp CSV đính kèm. Xin trả lời thư này để liên hệ văn "
          "phòng OCOP tỉnh.\n",
    "en": "Dear {producer},\n\nThe report on your OCOP products on the marketplaces (reconciliation run {run}) is in "
          "this message and in the attached CSV file. Reply to this message to reach the province's OCOP office.\n",
}


class Outcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    NO_ADDRESS = "no address"
    SKIPPED = "skipped"


class MailNotConfigured(LookupError):
    """The mail server is not set up, or set up so that it would leak its password; says what to set."""


class ReportMailServer(Block):
    """The mail server that sends OCOP producers their reports (`ocop report --email`, the build_reports flow)."""

    _block_type_name = "OCOP report mail server"

    host: str = Field(..., description="SMTP server, e.g. smtp.gmail.com")
    port: int | None = Field(None, description="Default: 465 for ssl, 587 for starttls, 25 for none.")
    username: str | None = Field(None, description="Login; leave empty to send without logging in.")
    password: SecretStr | None = Field(None, description="The login's password (an app password for Gmail).")
    security: Literal["ssl", "starttls", "none"] = Field(
        "starttls", description="ssl (implicit TLS), starttls, or none (a server on this machine only).")
    sender: str = Field(..., description="The From address of the reports.")
    reply_to: str | None = Field(None, description="The province office's address, where producers' replies go "
                                                   "(default: the sender).")

    @property
    def reply_address(self) -> str:
        return self.reply_to or self.sender

    def check(self) -> None:
        """A password is never sent unencrypted over a network."""
        if self.security == "none" and self.password is not None and not _is_loopback(self.host):
            raise MailNotConfigured(f"security 'none' would send the mail password unencrypted to {self.host}: "
                                    "use ssl or starttls (none is for a server on this machine)")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def mail_server_from_settings(settings: Settings) -> ReportMailServer:
    missing = [name for name, value in (("OCOP_SMTP_HOST", settings.smtp_host),
                                        ("OCOP_SMTP_SENDER", settings.smtp_sender)) if not value]
    if missing:
        raise MailNotConfigured(f"to e-mail the reports, set {' and '.join(missing)} (or name a report mail "
                                "server block)")
    return ReportMailServer(host=settings.smtp_host, port=settings.smtp_port, username=settings.smtp_user,
                            password=settings.smtp_password, security=settings.smtp_security,
                            sender=settings.smtp_sender, reply_to=settings.smtp_reply_to)


def load_mail_server(block_name: str | None, settings: Settings) -> ReportMailServer:
    """The named block (from the Prefect server), else the OCOP_SMTP_* settings; checked before any report is built."""
    server = ReportMailServer.load(block_name) if block_name else mail_server_from_settings(settings)
    server.check()
    return server


@dataclass(frozen=True)
class Delivery:
    producer: str
    email: str
    report: str                # the producer page's file name: it names no tax code
    outcome: Outcome
    smtp_code: int | None = None
    smtp_message: str = ""


@dataclass(frozen=True)
class DeliverySummary:
    run_id: int
    deliveries: tuple[Delivery, ...]
    log: Path
    print_list: Path

    def of(self, outcome: Outcome) -> list[Delivery]:
        return [delivery for delivery in self.deliveries if delivery.outcome is outcome]

    def lines(self) -> list[str]:
        failed, skipped = self.of(Outcome.FAILED), self.of(Outcome.SKIPPED)
        lines = [f"e-mail, reconciliation run {self.run_id}: sent {len(self.of(Outcome.SENT))}, failed {len(failed)} "
                 f"(listed), without address {len(self.of(Outcome.NO_ADDRESS))} (listed in {self.print_list})"]
        lines += [f"  failed: {d.producer} <{d.email}>: {d.smtp_code or 'no SMTP code'} {d.smtp_message}".rstrip()
                  for d in failed]
        if skipped:
            lines.append(f"  skipped {len(skipped)}: already sent to the same address for run {self.run_id} "
                         "(see the delivery log); --resend sends them again")
        lines.append(f"delivery log: {self.log}")
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


def email_reports(engine: Engine, built: ReportSet, server: ReportMailServer, *, lang: str = "vi",
                  resend: bool = False) -> DeliverySummary:
    """E-mail each producer report of `built` to its producer's address in the catalogue."""
    with transaction(engine) as session:
        producers = load_producers(session, [report.producer_key for report in built.producers])
    return send_reports(built.producers, producers, server, run_id=built.run_id, out_dir=built.out_dir / "producers",
                        lang=lang, resend=resend)


def send_reports(reports: Sequence[ProducerReport], producers: Mapping[str, ProducerRecord],
                 server: ReportMailServer, *, run_id: int, out_dir: Path, lang: str = "vi",
                 resend: bool = False) -> DeliverySummary:
    """Send, over one connection, every report not sent before; log every producer's outcome."""
    server.check()
    log = out_dir / f"delivery-run-{run_id}.csv"
    sent_before = set() if resend else _sent_before(log)
    deliveries = []
    unprinted: list[tuple[ProducerRecord, ProducerReport]] = []
    with _Mailer(server) as mailer:
        for report in reports:
            producer = producers[report.producer_key]
            if not producer.email:
                unprinted.append((producer, report))
                deliveries.append(Delivery(producer.name, "", report.html.name, Outcome.NO_ADDRESS))
            elif (report.html.name, spreadsheet_text(producer.email)) in sent_before:
                deliveries.append(Delivery(producer.name, producer.email, report.html.name, Outcome.SKIPPED))
            else:
                message = report_message(report, producer, server, run_id=run_id, lang=lang)
                deliveries.append(mailer.send(message, producer, report))
    summary = DeliverySummary(run_id, tuple(deliveries), log, out_dir / f"to-print-run-{run_id}.csv")
    _append_log(log, deliveries)
    write_csv_rows(summary.print_list, PRINT_COLUMNS,
                   ((producer.name, _postal_address(producer), report.html.name) for producer, report in unprinted))
    return summary


def report_message(report: ProducerReport, producer: ProducerRecord, server: ReportMailServer, *, run_id: int,
                   lang: str) -> EmailMessage:
    """The producer page as HTML (with a plain-text part), its CSV attached; To the producer alone."""
    message = EmailMessage(policy=_POLICY)
    message["Subject"] = f"{Language(lang)('producer_title')}: {producer.name}"
    message["From"] = server.sender
    message["To"] = MailAddress(display_name=producer.name, addr_spec=producer.email)
    message["Reply-To"] = server.reply_address
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=server.sender.rpartition("@")[2] or None)
    message.set_content(_PLAIN_TEXT[lang].format(producer=producer.name, run=run_id))
    message.add_alternative(report.html.read_text(encoding="utf-8"), subtype="html")
    message.add_attachment(report.csv.read_bytes(), maintype="text", subtype="csv", filename=report.csv.name)
    return message


class _Mailer:
    """One SMTP connection, opened at the first message. A server that cannot be reached or refuses the
    login fails every message after it with the same answer, without trying again for each."""

    def __init__(self, server: ReportMailServer):
        self.server = server
        self.smtp: smtplib.SMTP | None = None
        self.broken: tuple[int | None, str] | None = None

    def __enter__(self) -> _Mailer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()

    def send(self, message: EmailMessage, producer: ProducerRecord, report: ProducerReport) -> Delivery:
        def outcome(result: Outcome, code: int | None = None, said: str = "") -> Delivery:
            return Delivery(producer.name, producer.email, report.html.name, result, code, self._redacted(said))

        if self.broken is None and self.smtp is None:
            self._connect()
        if self.broken is not None:
            return self._failed(outcome(Outcome.FAILED, *self.broken))
        try:
            self.smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            code, said = next(iter(refused.recipients.values()))
            return self._failed(outcome(Outcome.FAILED, code, _text(said)))
        except smtplib.SMTPResponseException as error:
            return self._failed(outcome(Outcome.FAILED, error.smtp_code, _text(error.smtp_error)))
        except (smtplib.SMTPException, OSError) as error:
            self.smtp = None    # the connection is gone: the next message opens a new one
            return self._failed(outcome(Outcome.FAILED, None, f"{type(error).__name__}: {error}"))
        logger.info("report sent to %s <%s>", producer.name, producer.email)
        return outcome(Outcome.SENT)

    def _connect(self) -> None:
        server = self.server
        port = server.port or DEFAULT_PORTS[server.security]
        try:
            if server.security == "ssl":
                smtp = smtplib.SMTP_SSL(server.host, port, timeout=TIMEOUT_SECONDS,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(server.host, port, timeout=TIMEOUT_SECONDS)
                if server.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if server.username:
                smtp.login(server.username, server.password.get_secret_value() if server.password else "")
        except smtplib.SMTPResponseException as error:
            self.broken = (error.smtp_code, f"{_text(error.smtp_error)} (at {server.host}:{port})")
        except (smtplib.SMTPException, OSError) as error:
            self.broken = (None, f"{type(error).__name__}: {error} (at {server.host}:{port})")
        else:
            self.smtp = smtp

    def _failed(self, delivery: Delivery) -> Delivery:
        logger.warning("report to %s <%s> not sent: %s %s", delivery.producer, delivery.email,
                       delivery.smtp_code or "", delivery.smtp_message)
        return delivery

    def _redacted(self, said: str) -> str:
        """A server's answer may quote what it was sent; the password is cut out of anything kept."""
        password = self.server.password.get_secret_value() if self.server.password else ""
        return said.replace(password, "**********") if password else said


def _text(said: bytes | str) -> str:
    return said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)


def _postal_address(producer: ProducerRecord) -> str:
    address = producer.address
    return ", ".join(part for part in (address.street, address.commune, address.province) if part)


def _sent_before(log: Path) -> set[tuple[str, str]]:
    """(report file, address) of every report the run's log records as sent."""
    if not log.exists():
        return set()
    with log.open(encoding="utf-8-sig", newline="") as handle:
        return {(row["report"], row["email"]) for row in csv.DictReader(handle) if row["outcome"] == Outcome.SENT}


def _append_log(log: Path, deliveries: Sequence[Delivery]) -> None:
    """The run's log keeps every attempt: earlier rows as they were, this one's below them."""
    earlier: list[list[str]] = []
    if log.exists():
        with log.open(encoding="utf-8-sig", newline="") as handle:
            earlier = list(csv.reader(handle))[1:]
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    rows = [(now, d.outcome.value, d.producer, d.email, d.report, d.smtp_code or "", d.smtp_message)
            for d in deliveries]
    write_csv_rows(log, LOG_COLUMNS, [*earlier, *rows])
