"""Reading a JSON catalogue file: a list of canonical items, or a registry page ({"items": [...]})."""

from __future__ import annotations

import json
from pathlib import Path

from catalogue.sources.columns import item_values, map_headers
from catalogue.sources.table import SourceError, SourceRow, SourceTable


def read_json(path: Path) -> SourceTable:
    source = str(path)
    try:
        with path.open(encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(f"{source}: not valid UTF-8 JSON ({error})") from None
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise SourceError(f"{source}: expected a list of products or an object with an 'items' list")
    keys = sorted({key for item in items if isinstance(item, dict) for key in item})
    header_map = map_headers(list(keys))
    missing = header_map.missing_required()
    if items and missing:
        raise SourceError(f"{source}: no item has the required keys: {', '.join(missing)}; see docs/catalogue-columns.md")
    rows = [SourceRow(number, item_values(item)) for number, item in enumerate(items, start=1)]
    return SourceTable(source=source, rows=rows, ignored_columns=header_map.ignored,
                       detail=f"{len(rows)} JSON items")
