"""A province's own headers mapped onto the documented columns, once: the columns file beside the source.

Real lists are exported from other systems (`full_name`, `ocop_rating`, `origin`, `Tên SP OCOP`). The
office writes which of its headers is which column into `<source>.columns.toml` (or `.columns.csv`),
and every later pull of that source, the scheduled one included, finds and uses it:

    [columns]
    "full_name" = "product_name"
    "ocop_rating" = "stars"
    "Ghi chú" = ""              # read, and deliberately not used
"""

from __future__ import annotations

import csv
import difflib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from catalogue.messages import SHOWN_ITEMS, summarise
from catalogue.sources.columns import CANONICAL_COLUMNS, COLUMN_BY_HEADER_KEY, HeaderMap, header_key
from catalogue.sources.table import SourceError

MAPPING_SUFFIXES = (".columns.toml", ".columns.csv")
DOCUMENTED = "docs/catalogue-columns.md"

# Words of headers exported by other systems (often English) that name a documented column; a header's
# last such word decides (the head of an English noun phrase: "product code" is a code).
_HEADER_WORDS = {
    "name": "product_name", "title": "product_name", "product": "product_name",
    "code": "ocop_code", "sku": "ocop_code", "certificate": "ocop_code",
    "category": "group_code", "group": "group_code",
    "rating": "stars", "rank": "stars", "star": "stars", "stars": "stars", "score": "score", "point": "score",
    "decision": "decision_number", "date": "decision_date", "authority": "authority", "revoked": "revoked",
    "producer": "producer_name", "owner": "producer_name", "manufacturer": "producer_name", "company": "producer_name",
    "seller": "producer_name", "type": "producer_kind", "kind": "producer_kind", "tax": "tax_code", "mst": "tax_code",
    "email": "email", "mail": "email",
    "origin": "province", "province": "province", "region": "province", "commune": "commune", "ward": "commune",
    "district": "district_old", "address": "address", "location": "address",
    "barcode": "gtin", "ean": "gtin", "gtin": "gtin", "pack": "pack_size", "packing": "pack_size", "size": "pack_size",
    "weight": "net_weight_g", "price": "price_vnd", "stock": "stock", "quantity": "stock", "qty": "stock",
    "description": "description", "detail": "description", "image": "images", "images": "images", "photo": "images",
    "photos": "images", "picture": "images", "thumbnail": "images",
}
_SIMILAR_ENOUGH = 0.7


@dataclass(frozen=True)
class ColumnMapping:
    """Source header (compared as `header_key`) -> documented column; "" ignores the header on purpose."""

    columns: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def column_of(self, header: object) -> str | None:
        """The mapped column, "" for a header to ignore, None for a header the file does not map."""
        return self.columns.get(header_key(header))


class MissingColumns(SourceError):
    """A header without the required columns; `unknown` are the headers a columns file could map."""

    def __init__(self, message: str, unknown: tuple[str, ...]):
        super().__init__(message)
        self.unknown = unknown


def missing_columns(where: str, source: str, header_map: HeaderMap, found: list[object]) -> MissingColumns:
    """The refusal of a header lacking required columns: each header not recognised with the column it may be."""
    missing = ", ".join(header_map.missing_required())
    unknown = header_map.unknown
    if not unknown:
        shown = summarise([str(header) for header in found if str(header or "").strip()]) or "no header"
        return MissingColumns(f"{where}: missing required columns: {missing} (found: {shown}); see {DOCUMENTED}", ())
    labels = [_with_suggestion(header) for header in unknown[:SHOWN_ITEMS]] + list(unknown[SHOWN_ITEMS:])
    return MissingColumns(
        f"{where}: missing required columns: {missing}; headers not recognised: {summarise(labels)}. Map them once "
        f"in {default_mapping_path(source).name} beside the file (`ocop ingest {source} --write-map` writes it "
        f"with suggestions); see {DOCUMENTED}", unknown)


def _with_suggestion(header: str) -> str:
    column = suggest_column(header)
    return f"'{header}' (→ {column}?)" if column else f"'{header}'"


def mapping_beside(source: Path | str) -> Path | None:
    """`<source>.columns.toml` (or `.columns.csv`) when the office has written one."""
    for suffix in MAPPING_SUFFIXES:
        candidate = Path(f"{source}{suffix}")
        if candidate.is_file():
            return candidate
    return None


def default_mapping_path(source: Path | str) -> Path:
    return Path(f"{source}{MAPPING_SUFFIXES[0]}")


def suggest_column(header: object) -> str | None:
    """The documented column a header most likely means, for messages and the template; None if nothing is close."""
    key = header_key(header)
    if not key:
        return None
    if key in COLUMN_BY_HEADER_KEY:
        return COLUMN_BY_HEADER_KEY[key]
    for word in reversed(key.split()):
        if word in _HEADER_WORDS:
            return _HEADER_WORDS[word]
    close = difflib.get_close_matches(key, COLUMN_BY_HEADER_KEY, n=1, cutoff=_SIMILAR_ENOUGH)
    return COLUMN_BY_HEADER_KEY[close[0]] if close else None


def load_mapping(path: Path) -> ColumnMapping:
    """A columns file, TOML (`[columns]` table) or CSV (source header, column); SourceError naming the bad entry."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise SourceError(f"{path}: cannot read the columns file ({error})") from None
    pairs = _toml_pairs(path, text) if path.suffix.lower() == ".toml" else _csv_pairs(text)
    columns: dict[str, str] = {}
    for header, column in pairs:
        column = column.strip()
        if column and column not in CANONICAL_COLUMNS:
            hint = suggest_column(column)
            raise SourceError(f"{path}: {header!r} is mapped to {column!r}, which is not a documented column"
                              f"{f' (did you mean {hint!r}?)' if hint else ''}; see {DOCUMENTED}")
        columns[header_key(header)] = column
    return ColumnMapping(columns, path)


def _toml_pairs(path: Path, text: str) -> list[tuple[str, str]]:
    try:
        table = tomllib.loads(text).get("columns", {})
    except tomllib.TOMLDecodeError as error:
        raise SourceError(f"{path}: not valid TOML ({error})") from None
    if not isinstance(table, dict) or not all(isinstance(value, str) for value in table.values()):
        raise SourceError(f'{path}: expected a [columns] table of "source header" = "column" lines')
    return list(table.items())


def _csv_pairs(text: str) -> list[tuple[str, str]]:
    rows = [row for row in csv.reader(text.splitlines()) if row and row[0].strip() and not row[0].startswith("#")]
    if rows and [cell.strip().lower() for cell in rows[0][:2]] == ["source_header", "column"]:
        rows = rows[1:]
    return [(row[0], row[1] if len(row) > 1 else "") for row in rows]


def write_mapping(path: Path, source: str, columns: dict[str, str], unmapped: list[str] = ()) -> dict[str, int]:
    """The columns file of a source: the given entries (header -> column, "" to ignore), then each header not
    mapped yet with its suggested column to be checked, or commented out when nothing is close. Returns counts."""
    lines = [f"# Columns of {Path(source).name} mapped onto the documented columns ({DOCUMENTED}).",
             '# Each line: "header as in the file" = "documented column"; "" ignores the header.',
             "# `ocop ingest` finds this file beside the source and uses it on every pull.", "", "[columns]"]
    lines += [f"{_toml_string(header)} = {_toml_string(column)}" for header, column in columns.items()]
    given = {header_key(header) for header in columns}
    counts = {"given": len(columns), "suggested": 0, "unsuggested": 0}
    for header in dict.fromkeys(unmapped):
        if header_key(header) in given:
            continue
        column = suggest_column(header)
        if column:
            counts["suggested"] += 1
            lines.append(f"{_toml_string(header)} = {_toml_string(column)}    # suggested: check it")
        else:
            counts["unsuggested"] += 1
            lines.append(f'# {_toml_string(header)} = ""    # no documented column looks like it')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return counts


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's."""
    return json.dumps(text, ensure_ascii=False)
