"""A stand-in for the seller centre of a platform without an API (Postmart, Voso): it takes our
mass-upload workbook as the platform would (the layout's header row, one listing per row) and gives
back the product export an operator downloads, for `ocop reconcile --import`.

The layout is handed in (`connectors.workbook.WorkbookLayout`, read here by its attributes only:
a stand-in speaks the platforms' side, not the pipeline's)."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook


def uploaded_rows(workbook: Path, layout) -> list[dict[str, object]]:
    """The workbook's listing rows, by header, as the seller centre reads them."""
    sheet = load_workbook(workbook, read_only=True)[layout.sheet]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    headers = table[layout.header_row - 1]
    return [dict(zip(headers, row)) for row in table[layout.first_data_row - 1 :]]


def export_after_upload(workbooks: list[Path], layout, export: Path, *, status: str,
                        first_item_id: int = 900001) -> Path:
    """Upload the workbooks in order (a later row of a seller SKU updates its item) and write the
    product export as CSV: one item per seller SKU, its id given at first upload, in `status`."""
    seller_sku = next(column.header for column in layout.columns if column.field == "seller_sku")
    title = next(column.header for column in layout.columns if column.field == "title")
    price = next(column.header for column in layout.columns if column.field == "price_vnd")
    items: dict[str, dict[str, object]] = {}
    for workbook in workbooks:
        for row in uploaded_rows(workbook, layout):
            item = items.setdefault(str(row[seller_sku]), {"id": first_item_id + len(items)})
            item |= {"title": row[title], "price": row[price]}
    names = layout.export
    export.parent.mkdir(parents=True, exist_ok=True)
    with export.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([names.item_id, names.seller_sku, names.title, names.price, names.status])
        for sku, item in items.items():
            writer.writerow([item["id"], sku, item["title"], item["price"], status])
    return export
