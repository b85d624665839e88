"""Mass-upload workbooks: how we speak to a platform without a seller API (Postmart, Voso), or to any
seller centre's bulk upload while an API app waits for approval.

A platform's *layout* (`connectors/workbooks/<name>.toml`, data a province may edit) says which sheet,
rows and column headers its upload workbook has, and where its product export keeps the seller SKU,
the item id and the status. `write_workbook` writes one row per listing in that layout;
`read_export` reads the export the operator downloads from the seller centre back into
`RemoteListing`s, refusing the whole file (every bad row named by row, column and value) rather than
letting a row it could not read pass for an item the shop lost.
"""

from __future__ import annotations

import csv
import functools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from openpyxl import Workbook, load_workbook

from connectors.types import RemoteListing, ShopConfig
from ocop.channels import ListingStatus, declaration
from ocop.spreadsheets import spreadsheet_text

LAYOUTS_DIR = Path(__file__).parent / "workbooks"

# What a column of an upload workbook may hold (`field = ...` in a layout).
ROW_FIELDS = frozenset({
    "action", "item_id", "seller_sku", "title", "description", "category_id", "price_vnd", "stock", "weight_kg",
    "weight_g", "length_cm", "width_cm", "height_cm", "brand", "gtin", "image", "images",
})


class LayoutError(ValueError):
    """A layout file that cannot be used: names the file, the key and what is expected."""


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None = None     # one of ROW_FIELDS; None: the fixed `value`
    value: str = ""
    index: int = 1               # `image`: the n-th image (1: the cover, the star badge on it); `images`: from the n-th on


@dataclass(frozen=True)
class ExportLayout:
    """Where the seller centre's product export keeps what reconciliation needs (headers as written there)."""

    seller_sku: str
    item_id: str
    status: str
    statuses: Mapping[str, ListingStatus]     # the export's status words (any case) -> ours; empty: the channel's
    sheet: str | None = None                  # None: the first sheet
    header_row: int = 1
    title: str | None = None
    price: str | None = None
    stock: str | None = None


@dataclass(frozen=True)
class WorkbookLayout:
    name: str
    platform: str
    documented: bool             # False: our best guess, no public template was found (say so to the operator)
    basis: str                   # where the layout comes from, or why it is a guess
    sheet: str
    header_row: int              # rows above it hold `preamble`, one line per row (the platforms' instructions)
    columns: tuple[Column, ...]
    export: ExportLayout
    preamble: tuple[str, ...] = ()
    image_separator: str = ","   # between the URLs of an `images` column

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1


@dataclass(frozen=True)
class WorkbookRow:
    """One listing as a workbook row: field name -> value (see ROW_FIELDS; `image` by its index)."""

    seller_sku: str
    values: Mapping[str, object] = field(default_factory=dict)
    image_urls: tuple[str, ...] = ()


def shop_layout(shop: ShopConfig) -> WorkbookLayout | None:
    """The workbook layout the shop is published through (its own `workbook`, else its channel's);
    None for a shop reached through its API."""
    return load_layout(shop.workbook) if shop.workbook is not None else channel_layout(shop.channel)


def channel_layout(channel: str) -> WorkbookLayout | None:
    """The workbook layout of a channel without a seller API (its declaration's), else None. The
    export's status words are the declaration's unless the layout names its own."""
    declared = declaration(channel)
    if declared.workbook_layout is None:
        return None
    layout = load_layout(declared.workbook_layout)
    if layout.export.statuses:
        return layout
    words = MappingProxyType({word.strip().casefold(): ours for word, ours in declared.statuses.items()})
    return replace(layout, export=replace(layout.export, statuses=words))


@functools.lru_cache(maxsize=32)     # the flows ask per shop, several times a run; the files ship with the code
def load_layout(name: str, *, layouts_dir: Path = LAYOUTS_DIR) -> WorkbookLayout:
    path = layouts_dir / f"{name}.toml"
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise LayoutError(f"{path}: cannot read the workbook layout: {error}") from error
    try:
        upload, export = document["upload"], document["export"]
        columns = tuple(_column(path, number, table) for number, table in enumerate(upload["columns"], start=1))
        layout = WorkbookLayout(
            name=name, platform=document["platform"], documented=bool(document["documented"]),
            basis=document["basis"], sheet=upload["sheet"], header_row=int(upload.get("header_row", 1)),
            columns=columns, preamble=tuple(upload.get("preamble", ())),
            image_separator=upload.get("image_separator", ","),
            export=ExportLayout(
                seller_sku=export["seller_sku"], item_id=export["item_id"], status=export["status"],
                statuses=_statuses(path, export.get("statuses", {})), sheet=export.get("sheet"),
                header_row=int(export.get("header_row", 1)), title=export.get("title"), price=export.get("price"),
                stock=export.get("stock")),
        )
    except KeyError as missing:
        raise LayoutError(f"{path}: {missing.args[0]!r} is missing (see connectors/CONTRIBUTING.md)") from None
    if layout.header_row != len(layout.preamble) + 1:
        raise LayoutError(f"{path}: header_row {layout.header_row} should be the row after the "
                          f"{len(layout.preamble)} preamble lines ({len(layout.preamble) + 1})")
    if not any(column.field == "seller_sku" for column in columns):
        raise LayoutError(f"{path}: no column has field = \"seller_sku\"; the export is matched to our rows by it")
    return layout


def _column(path: Path, number: int, table: dict) -> Column:
    column = Column(header=table["header"], field=table.get("field"), value=str(table.get("value", "")),
                    index=int(table.get("index", 1)))
    if column.field is not None and column.field not in ROW_FIELDS:
        raise LayoutError(f"{path}: column {number} ({column.header!r}): field {column.field!r} is not one of "
                          f"{', '.join(sorted(ROW_FIELDS))}")
    return column


def _statuses(path: Path, words: dict) -> Mapping[str, ListingStatus]:
    known = {status.value for status in ListingStatus}
    for word, ours in words.items():
        if ours not in known:
            raise LayoutError(f"{path}: export status {word!r} = {ours!r}: expected one of {', '.join(sorted(known))}")
    return MappingProxyType({word.strip().casefold(): ListingStatus(ours) for word, ours in words.items()})


def write_workbook(path: Path, layout: WorkbookLayout, rows: Sequence[WorkbookRow]) -> Path:
    """The platform's upload workbook with one row per listing, every text cell made safe for a spreadsheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = layout.sheet
    for line in layout.preamble:
        sheet.append([spreadsheet_text(line)])
    sheet.append([spreadsheet_text(column.header) for column in layout.columns])
    for row in rows:
        sheet.append([_cell(column, row, layout) for column in layout.columns])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _cell(column: Column, row: WorkbookRow, layout: WorkbookLayout) -> object:
    if column.field is None:
        value: object = column.value
    elif column.field == "image":
        value = row.image_urls[column.index - 1] if column.index <= len(row.image_urls) else ""
    elif column.field == "images":
        value = layout.image_separator.join(row.image_urls[column.index - 1 :])
    else:
        value = row.values.get(column.field, "")
    if value is None:
        return ""
    return spreadsheet_text(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class ExportProblem:
    row: int
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}: {self.value!r}: expected {self.expected}"


class ExportError(ValueError):
    """The export cannot be read as a whole: nothing of it is used."""

    def __init__(self, path: Path, problems: Sequence[ExportProblem | str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        super().__init__(f"{path}: " + "; ".join(str(problem) for problem in self.problems))


def read_export(path: Path, layout: WorkbookLayout) -> list[RemoteListing]:
    """The items of the seller centre's product export (XLSX or CSV), in the layout's `export` columns."""
    export = layout.export
    table = _table(path, export)
    if len(table) < export.header_row:
        raise ExportError(path, [f"no header row {export.header_row}: the file has {len(table)} rows"])
    headers = [_text(cell).casefold() for cell in table[export.header_row - 1]]
    wanted = {name: header for name, header in (("seller_sku", export.seller_sku), ("item_id", export.item_id),
                                                ("status", export.status), ("title", export.title),
                                                ("price", export.price), ("stock", export.stock)) if header}
    # the seller SKU, item id and status are needed; title, price and stock are compared when present
    missing = [wanted[name] for name in ("seller_sku", "item_id", "status") if wanted[name].casefold() not in headers]
    if missing:
        raise ExportError(path, [f"row {export.header_row} lacks the column(s) {', '.join(map(repr, missing))} "
                                 f"of the {layout.platform} export layout ({layout.name}); found "
                                 f"{', '.join(repr(_text(cell)) for cell in table[export.header_row - 1] if _text(cell))}"])
    where = {name: headers.index(header.casefold()) for name, header in wanted.items() if header.casefold() in headers}
    listings, problems = [], []
    for number, cells in enumerate(table[export.header_row:], start=export.header_row + 1):
        if not any(_text(cell) for cell in cells):
            continue
        read = _Row(number, cells, where, wanted, problems)
        sku, item_id, word = read.text("seller_sku"), read.text("item_id"), read.text("status")
        if not sku:
            problems.append(ExportProblem(number, export.seller_sku, sku, "the seller SKU our workbook row carried"))
        if not item_id:
            problems.append(ExportProblem(number, export.item_id, item_id, "the platform's item id"))
        status = export.statuses.get(word.casefold())
        if status is None:
            problems.append(ExportProblem(number, export.status, word, "one of " + ", ".join(export.statuses)))
        price, stock = read.whole_number("price"), read.whole_number("stock")
        if sku and item_id and status is not None:
            listings.append(RemoteListing(remote_id=item_id, seller_sku=sku, status=status, platform_status=word,
                                          title=read.text("title") or None, price_vnd=price, stock=stock))
    if problems:
        raise ExportError(path, problems)
    return listings


class _Row:
    def __init__(self, number: int, cells: Sequence[object], where: dict[str, int], headers: dict[str, str],
                 problems: list) -> None:
        self.number, self.cells, self.where, self.headers, self.problems = number, cells, where, headers, problems

    def text(self, name: str) -> str:
        index = self.where.get(name)
        return "" if index is None or index >= len(self.cells) else _text(self.cells[index])

    def whole_number(self, name: str) -> int | None:
        value = self.text(name)
        if not value:
            return None
        if not _WHOLE_NUMBER.fullmatch(value):
            self.problems.append(ExportProblem(self.number, self.headers[name], value,
                                               "a whole number (thousands may be grouped: 150.000)"))
            return None
        return int(re.sub(r"[.,\s]", "", value))


# 150000, or grouped by thousands as seller centres show it: 150.000, 150,000, 150 000
_WHOLE_NUMBER = re.compile(r"\d+|\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*")


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _table(path: Path, export: ExportLayout) -> list[list[object]]:
    if path.suffix.casefold() == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                sample = handle.read(4096)
                handle.seek(0)
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
                return [list(row) for row in csv.reader(handle, dialect)]
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise ExportError(path, [f"cannot read as a UTF-8 CSV: {error}"]) from error
    if path.suffix.casefold() not in (".xlsx", ".xlsm"):
        raise ExportError(path, [f"expected the seller centre's export as .xlsx or .csv, not {path.suffix or 'no extension'}"])
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError) as error:
        raise ExportError(path, [f"cannot read as an XLSX workbook: {error}"]) from error
    try:
        if export.sheet is not None and export.sheet not in book.sheetnames:
            raise ExportError(path, [f"no sheet {export.sheet!r}; sheets: {', '.join(book.sheetnames)}"])
        sheet = book[export.sheet] if export.sheet else book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
