"""Reading a JSON catalogue file: a list of canonical items, or a registry page ({"items": [...]}).

JSON is checked for its nesting depth before it is parsed: Python's parser recurses once per level
and a file nested 200,000 deep would end in a RecursionError instead of a message.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from catalogue.sources.columns import item_values, map_headers
from catalogue.sources.mapping import ColumnMapping, missing_columns
from catalogue.sources.table import SourceError, SourceRow, SourceTable

MAX_JSON_DEPTH = 20     # a catalogue is a list of flat items (lists of images inside): 4 levels
_BRACKETS_OR_STRING = re.compile(r'[\[\]{}]|"[^"\\]*(?:\\.[^"\\]*)*"')


def parse_json(text: str, source: str) -> object:
    """The parsed JSON, or SourceError: malformed, or nested deeper than MAX_JSON_DEPTH."""
    depth = 0
    for token in _BRACKETS_OR_STRING.finditer(text):
        bracket = token[0]
        if bracket in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise SourceError(f"{source}: the JSON is nested deeper than {MAX_JSON_DEPTH} levels (at character "
                                  f"{token.start():,}); a catalogue is a list of items with plain values")
        elif bracket in "]}":
            depth -= 1
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(f"{source}: not valid JSON ({error})") from None


def read_json(path: Path, mapping: ColumnMapping | None = None) -> SourceTable:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"{source}: not valid UTF-8 JSON ({error})") from None
    data = parse_json(text, source)
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise SourceError(f"{source}: expected a list of products or an object with an 'items' list")
    keys = sorted({key for item in items if isinstance(item, dict) for key in item})
    header_map = map_headers(list(keys), mapping)
    if items and header_map.missing_required():
        raise missing_columns(source, source, header_map, keys)
    item_keys = {column: keys[position] for column, position in header_map.positions.items()}
    rows = [SourceRow(number, item_values(item, item_keys)) for number, item in enumerate(items, start=1)]
    return SourceTable(source=source, rows=rows, ignored_columns=header_map.ignored,
                       unknown_columns=header_map.unknown, detail=f"{len(rows)} JSON items")
