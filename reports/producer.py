"""Producer reports: one HTML page and one CSV per producer, holding only that producer's products.

Each product shows its status on every shop with the remote id (a link to the live listing on the
marketplace, where the channel declares its page), the reason in plain words and what to do, its
certificate (with an expiry warning), its star badge and its barcode. The CSV holds the same rows.
Everything on the page is built from the producer's own products: nothing is filtered out of a
wider page.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from catalogue.normalise import slug
from catalogue.records import CatalogueProduct, ProducerRecord
from reconcile.classify import Finding, State
from reconcile.coverage import DUE_WITHIN_DAYS
from reconcile.run import ReconcileResult
from rendering.badge import badge_png
from rendering.barcode import InvalidGtin, barcode_svg
from rendering.contacts import without_contact_details
from rendering.text import plain_paragraphs
from reports.advice import contacts_note, estimate_note, explain
from reports.files import write_csv
from reports.i18n import Language
from reports.links import ListingLink, listing_links
from reports.pages import render_page
from reports.province import estimated_package
from reports.tables import Column, Table

_STATE_CSS = {State.LIVE: "state-live", State.DRIFT: "state-warn", State.DUPLICATE: "state-warn",
              State.UNDER_REVIEW: "state-warn", State.EXPIRED_LIVE: "state-bad", State.REJECTED: "state-bad",
              State.BLOCKED: "state-bad", State.MISSING: "state-bad", State.INACTIVE: "state-bad",
              State.UNVERIFIED: "state-bad"}


@dataclass(frozen=True)
class ProducerReport:
    producer_key: str
    producer_name: str
    html: Path
    csv: Path


@dataclass(frozen=True)
class _Row:
    channel: str
    shop: str
    state: str
    css: str
    remote_id: str
    url: str                           # the live listing's public page, or ""
    reason: str
    action: str


@dataclass(frozen=True)
class _ProductView:
    name: str
    ocop_code: str
    seller_sku: str
    stars: int | None
    expires_on: dt.date | None
    gtin: str | None
    badge: bool                        # the star badge is shown only while the recognition is valid
    barcode_uri: Markup | None
    barcode_text: str
    certificate_text: str
    certificate_css: str
    rows: tuple[_Row, ...]


def write_producer_reports(result: ReconcileResult, out_dir: Path, *, lang: Language,
                           producer_keys: Iterable[str] | None = None,
                           listing_link: ListingLink | None = None) -> list[ProducerReport]:
    """One report per producer of the catalogue (or of `producer_keys`), in `out_dir`; `listing_link`
    gives a listing's public page (default: the channel's declared page, where it needs no shop id)."""
    listing_link = listing_link or listing_links({})
    rec = result.reconciliation
    products_of: dict[str, list[CatalogueProduct]] = {}
    for item in rec.products:
        products_of.setdefault(item.producer.key, []).append(item)
    findings_of: dict[str, list[Finding]] = {}
    for finding in rec.findings:
        if finding.ocop_code is not None:
            findings_of.setdefault(finding.ocop_code, []).append(finding)
    reports = []
    for key in sorted(products_of) if producer_keys is None else producer_keys:
        own = sorted(products_of[key], key=lambda p: (not p.is_listable(rec.as_of), p.product.name))
        reports.append(_write(own, findings_of, result, out_dir, lang, listing_link))
    return reports


def report_stem(producer: ProducerRecord) -> str:
    """A file name that identifies the producer without printing its tax code or personal id."""
    digest = hashlib.sha256(producer.key.encode()).hexdigest()[:8]
    return f"{slug(producer.name).lower()[:40].strip('-') or 'producer'}-{digest}"


def _write(own: list[CatalogueProduct], findings_of: dict[str, list[Finding]], result: ReconcileResult,
           out_dir: Path, lang: Language, listing_link: ListingLink) -> ProducerReport:
    producer = own[0].producer
    views = [_view(item, findings_of.get(item.product.ocop_code, []), result, lang, listing_link) for item in own]
    address = producer.address
    # One copy of each badge per page, referenced by class: a producer may have dozens of products.
    badges = {view.stars: _data_uri("image/png", badge_png(view.stars, 176)) for view in views if view.badge}
    html = render_page("producer.html.j2", lang=lang, producer=producer, run=result.run, products=views,
                       badges=badges,
                       address=", ".join(part for part in (address.street, address.commune, address.province) if part))
    stem = report_stem(producer)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"{stem}.{lang.code}.html"
    html_path.write_text(html, encoding="utf-8")
    csv_path = write_csv(_table(views, lang), out_dir / f"{stem}.{lang.code}.csv")
    return ProducerReport(producer.key, producer.name, html_path, csv_path)


def _view(item: CatalogueProduct, findings: list[Finding], result: ReconcileResult, lang: Language,
          listing_link: ListingLink) -> _ProductView:
    cert = item.certification
    text, css = _certificate(item, result, lang)
    barcode_uri, barcode_text = _barcode(item.product.gtin, lang)
    _, removed = without_contact_details(plain_paragraphs(item.product.description))   # as the listing does
    notes = (estimate_note(estimated_package(item), lang), contacts_note([kind.value for kind in removed], lang))
    rows = []
    for finding in findings:
        advice = explain(finding, item, lang)
        action = "; ".join(part for part in (advice.action, *(notes if finding.in_denominator else ())) if part)
        url = (listing_link(finding) or "") if finding.live else ""
        rows.append(_Row(lang.channel(finding.channel), finding.shop_key, lang(f"state_{finding.state.value}"),
                         _STATE_CSS.get(finding.state, ""), finding.remote_id or "", url, advice.reason, action))
    return _ProductView(
        name=item.product.name, ocop_code=item.product.ocop_code, seller_sku=item.product.seller_sku,
        stars=cert.stars if cert else None, expires_on=cert.expires_on if cert else None, gtin=item.product.gtin,
        badge=cert is not None and cert.is_valid_on(result.run.as_of),
        barcode_uri=barcode_uri, barcode_text=barcode_text, certificate_text=text, certificate_css=css,
        rows=tuple(rows),
    )


def _table(views: Iterable[_ProductView], lang: Language) -> Table:
    """The page's rows as a CSV: the producer's products x every shop."""
    columns = (Column(lang("ocop_code"), "code"), Column(lang("product")), Column(lang("seller_sku"), "code"),
               Column(lang("stars"), "int"), Column(lang("expires_on"), "date"), Column(lang("channel")),
               Column(lang("shop"), "code"), Column(lang("status")), Column(lang("remote_id"), "code"),
               Column(lang("listing_link"), "code"), Column(lang("reason")), Column(lang("what_to_do")))
    rows = [(view.ocop_code, view.name, view.seller_sku, view.stars, view.expires_on, row.channel, row.shop, row.state,
             row.remote_id, row.url, row.reason, row.action) for view in views for row in view.rows]
    return Table("status", lang("producer_title"), lang("producer_title")[:31], columns, rows)


def _certificate(item: CatalogueProduct, result: ReconcileResult, lang: Language) -> tuple[str, str]:
    cert, today = item.certification, result.run.as_of
    if cert is None:
        return lang("cert_none"), "bad"
    decision = f"{cert.decision_number} ({lang.date(cert.signed_on)}), {cert.authority}. "
    if cert.revoked:
        return decision + lang("cert_revoked"), "bad"
    expires_on = cert.expires_on
    if today >= expires_on:
        return decision + lang("cert_expired", date=lang.date(expires_on)), "bad"
    days = (expires_on - today).days
    if days <= DUE_WITHIN_DAYS:
        return decision + lang("cert_due", date=lang.date(expires_on), days=days), "warn"
    return decision + lang("cert_valid", date=lang.date(expires_on)), "good"


def _barcode(gtin: str | None, lang: Language) -> tuple[Markup | None, str]:
    if not gtin:
        return None, lang("no_barcode")
    try:
        return _data_uri("image/svg+xml", barcode_svg(gtin)), gtin
    except InvalidGtin:
        return None, lang("invalid_barcode", value=gtin)


def _data_uri(media_type: str, content: bytes) -> Markup:
    # Base64 and a fixed media type hold nothing to escape; marking them safe spares escaping megabytes.
    return Markup(f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}")
