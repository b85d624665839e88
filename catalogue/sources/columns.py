"""The canonical catalogue columns and the header spellings provinces use for them.

Every source (CSV, XLSX, registry JSON) is mapped onto these names before validation. Headers are
matched without marks, case or punctuation, so "Tên sản phẩm", "TEN SAN PHAM" and "Ten san pham"
are the same column. docs/catalogue-columns.md documents the same table for users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalogue.normalise import ascii_fold, clean_text

if TYPE_CHECKING:
    from catalogue.sources.mapping import ColumnMapping

ALIASES: dict[str, tuple[str, ...]] = {
    "ocop_code": ("Mã sản phẩm", "Mã OCOP", "Mã số OCOP", "Mã SP", "Mã số sản phẩm", "Mã chứng nhận"),
    "product_name": ("Tên sản phẩm", "Tên SP", "Sản phẩm", "Tên sản phẩm OCOP"),
    "group_code": ("Mã nhóm", "Nhóm sản phẩm", "Bộ sản phẩm", "Phân nhóm", "Mã bộ nhóm", "Nhóm"),
    "stars": ("Hạng sao", "Số sao", "Xếp hạng", "Sao", "Hạng"),
    "score": ("Điểm", "Tổng điểm", "Điểm đánh giá"),
    "decision_number": ("Số quyết định", "Số QĐ", "Quyết định", "Quyết định công nhận"),
    "decision_date": ("Ngày quyết định", "Ngày ký", "Ngày công nhận", "Ngày QĐ", "Ngày ban hành"),
    "authority": ("Cơ quan công nhận", "Cơ quan ban hành", "Đơn vị công nhận", "Cấp công nhận"),
    "revoked": ("Thu hồi", "Đã thu hồi"),
    "producer_name": ("Chủ thể", "Tên chủ thể", "Chủ thể OCOP", "Chủ thể sản xuất", "Đơn vị sản xuất"),
    "producer_kind": ("Loại hình", "Loại hình chủ thể", "Loại chủ thể"),
    "tax_code": ("Mã số thuế", "MST", "Mã số thuế/CCCD", "Mã số doanh nghiệp", "Số CCCD"),
    "email": ("Email", "Thư điện tử", "E-mail", "Địa chỉ email", "Địa chỉ thư điện tử"),
    "province": ("Tỉnh", "Tỉnh/Thành phố", "Tỉnh mới"),
    "commune": ("Xã", "Xã/Phường", "Phường/Xã", "Xã mới"),
    "province_old": ("Tỉnh cũ",),
    "district_old": ("Huyện", "Huyện cũ", "Quận/Huyện", "Huyện/Thị xã/Thành phố"),
    "commune_old": ("Xã cũ", "Xã/Phường cũ"),
    "address": ("Địa chỉ", "Số nhà, đường", "Địa chỉ chi tiết"),
    "gtin": ("Mã vạch", "GTIN", "EAN", "Barcode", "Mã vạch (GTIN)", "Mã GTIN"),
    "pack_size": ("Quy cách", "Quy cách đóng gói", "Khối lượng tịnh", "Dung tích/Khối lượng"),
    "net_weight_g": ("Khối lượng (g)", "Trọng lượng (g)", "Khối lượng vận chuyển (g)", "Cân nặng (g)"),
    "price_vnd": ("Giá bán", "Giá bán (VNĐ)", "Giá (đồng)", "Giá"),
    "stock": ("Tồn kho", "Số lượng"),
    "description": ("Mô tả", "Mô tả sản phẩm", "Giới thiệu"),
    "images": ("Hình ảnh", "Ảnh", "Ảnh sản phẩm"),
}

CANONICAL_COLUMNS: tuple[str, ...] = tuple(ALIASES)

# A file without these columns cannot produce a single valid row: it is refused as a whole.
# The province may come as the new unit or the old one (mapped to the new).
REQUIRED_COLUMNS: tuple[str, ...] = ("ocop_code", "product_name", "group_code", "stars", "decision_number",
                                     "decision_date", "producer_name", "tax_code", "price_vnd")
PROVINCE_COLUMNS: tuple[str, ...] = ("province", "province_old")


def header_key(header: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", ascii_fold(clean_text(header)).lower()).strip()


COLUMN_BY_HEADER_KEY: dict[str, str] = {}
for _column, _aliases in ALIASES.items():
    for _spelling in (_column, *_aliases):
        COLUMN_BY_HEADER_KEY.setdefault(header_key(_spelling), _column)


@dataclass(frozen=True)
class HeaderMap:
    """Which position holds which canonical column; headers we do not know are listed, not used."""

    positions: dict[str, int]
    ignored: tuple[str, ...]
    labels: tuple[str, ...] = ()     # per position: its canonical column, else its header as written
    unknown: tuple[str, ...] = ()    # ignored headers that are no column at all (not repeats, not mapped to "")

    def name_at(self, position: int) -> str:
        """What to call a cell of this column in a message: "product_name", "STT" or "column 27"."""
        label = self.labels[position] if position < len(self.labels) else ""
        return label[:64] or f"column {position + 1}"

    def missing_required(self) -> list[str]:
        missing = [column for column in REQUIRED_COLUMNS if column not in self.positions]
        if not any(column in self.positions for column in PROVINCE_COLUMNS):
            missing.append(" or ".join(PROVINCE_COLUMNS))
        return missing

    def row_values(self, cells: list) -> dict[str, object]:
        return {column: cells[i] if i < len(cells) else None for column, i in self.positions.items()}


def map_headers(headers: list[object], mapping: ColumnMapping | None = None) -> HeaderMap:
    """Each header onto its column: the source's columns file first, then the documented names and aliases."""
    positions: dict[str, int] = {}
    ignored: list[str] = []
    unknown: list[str] = []
    labels: list[str] = []
    for index, header in enumerate(headers):
        mapped = mapping.column_of(header) if mapping else None
        column = COLUMN_BY_HEADER_KEY.get(header_key(header)) if mapped is None else mapped
        if not column or column in positions:
            labels.append(clean_text(header))
            if labels[-1]:
                ignored.append(labels[-1])
                if column is None:
                    unknown.append(labels[-1])
            continue
        positions[column] = index
        labels.append(column)
    return HeaderMap(positions=positions, ignored=tuple(ignored), labels=tuple(labels), unknown=tuple(unknown))


def item_values(item: object, keys: dict[str, str] | None = None) -> dict[str, object]:
    """A JSON item (registry or file) as canonical column -> text; `keys` maps each column to the item's key for
    it (by default the column's own name); other keys are ignored."""
    if not isinstance(item, dict):
        return {}
    keys = keys or _OWN_NAMES
    return {column: _json_text(item.get(key)) for column, key in keys.items() if key in item}


_OWN_NAMES = {column: column for column in CANONICAL_COLUMNS}


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return "|".join(str(part) for part in value)
    return str(value)
