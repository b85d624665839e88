"""Canonical catalogue rows for tests: one good row to vary, and writers for every file shape."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

from catalogue.sources.columns import CANONICAL_COLUMNS

TODAY_ISO = "2026-06-01"
HTX_SEN = {"producer_name": "HTX Sen Tháp Mười", "producer_kind": "cooperative", "tax_code": "1400112623"}
CO_SA_GIANG = {"producer_name": "Công ty Cổ phần Sa Giang", "producer_kind": "enterprise", "tax_code": "0100109106"}


def good_row(**overrides: str) -> dict[str, str]:
    row = dict.fromkeys(CANONICAL_COLUMNS, "")
    row.update(
        ocop_code="87-872-00001-3-2024", product_name="Hạt sen sấy Tháp Mười", group_code="I.3.c", stars="3",
        score="62", decision_number="3981/QĐ-UBND", decision_date="2024-05-10", authority="UBND tỉnh Đồng Tháp",
        revoked="0", province="Đồng Tháp", commune="xã Tháp Mười", province_old="Đồng Tháp",
        district_old="huyện Tháp Mười", commune_old="thị trấn Mỹ An", address="Ấp 1", gtin="8936000123451",
        pack_size="200 g", net_weight_g="240", price_vnd="120000", stock="50",
        description="Hạt sen sấy giòn.", **HTX_SEN)
    row.update(overrides)
    return row


def csv_text(rows: list[dict[str, str]], delimiter: str = ",", headers: list[str] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    columns = list(rows[0]) if rows else list(CANONICAL_COLUMNS)
    writer.writerow(headers or columns)
    for row in rows:
        writer.writerow([row[column] for column in columns])
    return buffer.getvalue()


def write_csv(path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8", delimiter: str = ",",
              headers: list[str] | None = None) -> Path:
    path.write_bytes(csv_text(rows, delimiter, headers).encode(encoding))
    return path


def cp1258_bytes(text: str) -> bytes:
    """What Windows' Vietnamese codepage holds: base letters with their shape marks, tone marks combining."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + tones)
    return "".join(out).encode("cp1258")
