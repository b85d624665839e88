"""What a shop without an API holds: the product export the operator downloaded from its seller centre.

`import_export` reads the export in the shop's workbook layout (`connectors.workbook.read_export`:
a file with a bad row is refused whole, every bad row named) and keeps a copy under the shop's
folder; `latest_pull` is the shop's reading for a reconciliation, from the newest kept export, so
that every later reconciliation (the nightly sync's too) counts the shop as of that export. A shop
with no export imported yet is a shop that could not be read: its listings count as not live.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from connectors.types import ShopConfig
from connectors.workbook import ExportError, WorkbookLayout, read_export
from ocop.settings import Settings
from reconcile.ocop_claims import read_claim
from reconcile.snapshot import ShopListing, ShopPull, ShopRef


def exports_dir(settings: Settings) -> Path:
    """Where imported exports are kept, a folder per shop."""
    return settings.home / "workbook-exports"


def import_export(path: Path, shop: ShopConfig, layout: WorkbookLayout, exports_dir: Path, *,
                  now: dt.datetime | None = None) -> tuple[Path, int]:
    """Check the export and keep it as the shop's latest; returns the kept copy and its item count.
    Raises `connectors.workbook.ExportError` (nothing kept) when any row cannot be read."""
    listings = read_export(path, layout)
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S")
    kept = exports_dir / shop.key / f"{stamp}-{path.name}"
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, kept)
    return kept, len(listings)


def latest_pull(shop: ShopConfig, layout: WorkbookLayout, exports_dir: Path) -> ShopPull:
    """The shop as its newest imported export shows it."""
    ref = ShopRef(shop.key, shop.channel.value)
    kept = sorted((exports_dir / shop.key).glob("*")) if (exports_dir / shop.key).is_dir() else []
    if not kept:
        return ShopPull(ref, error=f"no product export imported yet: download it from the {layout.platform} seller "
                                   f"centre and run `ocop reconcile --import <file> --shop {shop.key}`")
    try:
        listings = read_export(kept[-1], layout)
    except ExportError as error:     # e.g. the layout was edited since: the shop is not read, not empty
        return ShopPull(ref, error=f"the latest imported export cannot be read: {error}")
    return ShopPull(ref, tuple(ShopListing(shop.key, item, read_claim(item.title, item.description)) for item in listings))
