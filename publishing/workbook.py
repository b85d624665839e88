"""Publishing to a shop without an API: the listings due are written as rows of the platform's
mass-upload workbook (`connectors.workbook`), which the operator uploads in the seller centre.

`write_shop_workbook` reads as the procedure: screen the shop's products against the ledger (as
an API publish does), claim those due, render each, plan it, write one row per listing that needs
work, then record each row in the ledger as an *intent*: the event says which workbook holds it,
awaiting upload, and the input fingerprint is settled so the next run writes no row for a product
that did not change. Nothing here marks a listing live, created or pushed: only an imported export
of the seller centre says what the shop holds (`reconcile.imported`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

import ledger
from catalogue.records import CatalogueProduct
from connectors.types import ShopConfig
from connectors.workbook import WorkbookLayout, WorkbookRow, write_workbook
from ledger import Binding, Outcome, claims
from ocop.settings import Settings
from ocop.store import transaction, writing
from publishing.candidates import plan_for_shop
from publishing.plan import Action, Candidate, PlannedListing, Reason, plan_listing, screen
from rendering.listing import Blocked, RenderedListing, render_listing
from rendering.profiles import load_profile

# The binding's platform status while a listing the shop never showed us waits in a workbook.
AWAITING_UPLOAD = "in workbook, awaiting upload"

Render = Callable[[CatalogueProduct], RenderedListing | Blocked]


@dataclass
class WorkbookResult:
    """What one run wrote for one shop: rows are intents, nothing on the shop has changed yet."""

    shop_key: str
    layout: WorkbookLayout
    path: Path | None = None                                    # None: no listing needed a row
    rows: Counter[str] = field(default_factory=Counter)         # the row's action -> rows
    blocked: int = 0
    held: int = 0                                               # another live run holds it
    not_sent: Counter[str] = field(default_factory=Counter)     # Reason -> listings due but rendered as settled
    images_hosted: bool = True                                  # False: image cells are local files to host first

    @property
    def written(self) -> int:
        return sum(self.rows.values())

    def counts(self) -> dict[str, int]:
        """The run's counts for this shop, in the publish summary's words (zeros left out)."""
        counts = {"written_to_workbook": self.written, "blocked": self.blocked, "held": self.held}
        counts |= {f"not_sent:{reason}": n for reason, n in self.not_sent.items()}
        return {name: n for name, n in counts.items() if n}

    def summary(self) -> str:
        """One line for the operator: where the rows are and what to do with them."""
        if self.path is None:
            return f"{self.shop_key}: no listing needed a workbook row"
        line = (f"{self.shop_key}: {self.written} row(s) written to {self.path}, awaiting upload in the "
                f"{self.layout.platform} seller centre; then download its product export and run "
                f"`ocop reconcile --import <export> --shop {self.shop_key}`")
        if not self.layout.documented:
            line += f" (the {self.layout.name} layout is our assumption: check its headers first)"
        if not self.images_hosted:
            line += "; the image cells are files on this computer: host them or set OCOP_REPORTS_URL"
        return line


@dataclass(frozen=True)
class WorkbookTarget:
    """Where a shop's workbooks and their images go, and the address the images are served from."""

    folder: Path                      # workbooks: <folder>/<shop key>/<shop key>-<time>.xlsx
    images_dir: Path                  # the rendered images, by content hash
    images_url: str | None = None     # where `images_dir` is served (e.g. by `ocop reports serve`), else None


def workbook_target(settings: Settings) -> WorkbookTarget:
    """Workbooks and their images in the reports folder, which `ocop reports serve` serves: with
    OCOP_REPORTS_URL set to an address the seller centre reaches, image cells are its URLs."""
    folder = settings.reports_dir / "workbooks"
    return WorkbookTarget(folder, folder / "images", f"{settings.reports_url}workbooks/images" if settings.reports_url else None)


def workbooks_written(target: WorkbookTarget, since: dt.datetime) -> list[Path]:
    """The workbooks written since then, oldest first (what `ocop sync` tells the operator to upload)."""
    found = [path for path in target.folder.glob("*/*.xlsx") if path.stat().st_mtime >= since.timestamp()]
    return sorted(found, key=lambda path: path.stat().st_mtime)


def write_shop_workbook(
    engine: Engine,
    shop: ShopConfig,
    layout: WorkbookLayout,
    products: dict[int, CatalogueProduct],
    fingerprints: dict[int, str],
    target: WorkbookTarget,
    *,
    run_id: str,
    today: dt.date,
    now: dt.datetime | None = None,
    render: Render | None = None,
) -> WorkbookResult:
    """Write the shop's due listings to a new workbook and record each row as awaiting upload."""
    profile = load_profile(shop.channel)
    render = render or (lambda product: render_listing(product, profile, today=today))
    result = WorkbookResult(shop.key, layout, images_hosted=target.images_url is not None)
    plan = plan_for_shop(engine, shop, products, fingerprints, today=today)
    if not plan.candidates:
        return result
    with transaction(engine) as session:
        shop_id = ledger.ensure_shop(session, shop)
        ledger.ensure_bindings(session, shop_id, [(c.product_id, c.product.product.seller_sku) for c in plan.candidates])
    owner = claims.claimant(run_id)
    claimed = ledger.claim(engine, shop_id, [c.product_id for c in plan.candidates], owner)
    result.held = len(plan.candidates) - len(claimed)
    try:
        with engine.connect() as connection:
            bindings = ledger.held_bindings(connection, shop_id, claimed)
        rows = [row for c in plan.candidates if c.product_id in claimed
                if (row := _decide(engine, c, bindings[c.product_id], result, target, render, run_id, today))]
        if rows:
            stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S")
            result.path = write_workbook(target.folder / shop.key / f"{shop.key}-{stamp}.xlsx", layout,
                                         [row for row, *_ in rows])
            _record_intents(engine, run_id, result, rows)
    finally:
        ledger.release(engine, shop_id, owner, claimed)
    return result


def _decide(engine: Engine, candidate: Candidate, binding: Binding, result: WorkbookResult, target: WorkbookTarget,
            render: Render, run_id: str, today: dt.date) -> tuple[WorkbookRow, PlannedListing, Binding, str | None] | None:
    """The candidate's row, or None: settled since the plan was read, rendered as last settled, or
    blocked (recorded here, as a publish records it)."""
    if not screen(candidate.product, binding, fingerprint=candidate.fingerprint, today=today).due:
        return None     # another run wrote it after the plan was read
    rendering = render(candidate.product) if candidate.fingerprint else None
    planned = plan_listing(candidate.product, rendering, binding, product_id=candidate.product_id, today=today)
    if planned is None:
        with writing(engine) as connection:     # e.g. the renderer changed but the listing did not
            ledger.settle(connection, binding.binding_id, candidate.fingerprint)
        result.not_sent[Reason.SAME_RENDERING] += 1
        return None
    if planned.actions == (Action.BLOCK,):
        _record(engine, binding, run_id, Outcome("block", "blocked"), blocked_reasons=list(planned.reasons),
                source_fingerprint=candidate.fingerprint)
        result.blocked += 1
        return None
    return _row(planned, binding, target), planned, binding, candidate.fingerprint


def _row(planned: PlannedListing, binding: Binding, target: WorkbookTarget) -> WorkbookRow:
    """The listing's row: its content, or for an unlisting only the item with no stock (no template
    we know has an unlist column; Shopee's asks for stock 0 on what is not for sale)."""
    values: dict[str, object] = {"action": _action(planned).value, "item_id": binding.remote_id,
                                 "seller_sku": planned.seller_sku}
    rendered = planned.rendered
    if not isinstance(rendered, RenderedListing):
        return WorkbookRow(planned.seller_sku, values | {"stock": 0})
    length, width, height = rendered.package_cm
    values |= {
        "title": rendered.title, "description": rendered.description, "category_id": rendered.category_id,
        "price_vnd": rendered.price_vnd, "stock": rendered.stock, "weight_kg": rendered.weight_kg,
        "weight_g": round(rendered.weight_kg * 1000), "length_cm": length, "width_cm": width, "height_cm": height,
        "brand": rendered.brand, "gtin": rendered.gtin,
    }
    return WorkbookRow(planned.seller_sku, values, tuple(_image_ref(image, target) for image in rendered.images))


def _action(planned: PlannedListing) -> Action:
    """The row's one action word: a create, or the first of an existing item's (content before price)."""
    return planned.actions[0]


def _image_ref(image, target: WorkbookTarget) -> str:
    """The image saved once by content hash; its URL where the folder is served, else its file."""
    name = image.sha256 + Path(image.filename).suffix
    path = target.images_dir / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(image.content)
    return f"{target.images_url.rstrip('/')}/{name}" if target.images_url else str(path)


def _record_intents(engine: Engine, run_id: str, result: WorkbookResult, rows) -> None:
    """Each row as the ledger's intent: which workbook holds it; the fingerprint settled, nothing pushed."""
    assert result.path is not None
    for row, planned, binding, fingerprint in rows:
        action = _action(planned)
        changes: dict = {"source_fingerprint": fingerprint, "blocked_reasons": None}
        if isinstance(planned.rendered, RenderedListing):
            changes["rendered_hash"] = planned.rendered.content_hash
        if binding.has_no_item:
            changes["platform_status"] = AWAITING_UPLOAD
        _record(engine, binding, run_id, Outcome(f"workbook_{action.value}", "awaiting_upload", result.path.name),
                **changes)
        result.rows[action.value] += 1


def _record(engine: Engine, binding: Binding, run_id: str, outcome: Outcome, **changes) -> None:
    with writing(engine) as connection:
        ledger.record(connection, binding.binding_id, run_id, outcome, **changes)
