"""The listing ledger: what has been done on each marketplace, per product x shop.

It is the truth about what is done (not Prefect's cache), and the one way to it: every reader and
writer of a binding (publishing, reconciliation, the reports through reconciliation, `ocop
ledger`) goes through the functions below and gets bindings back as one record type, `Binding`.
ORM rows (`ledger.models`) never leave this package.

- `ledger.bindings`: the `Binding` record, shops and bindings made on first use, and the reads;
- `ledger.claims`: who holds a binding while a batch works on it, and whether that holder lives;
- `ledger.outcomes`: what a publish writes per listing (marks, outcomes, events, fingerprints, images);
- `ledger.observations`: what a reconciliation saw on the shops, written back, and the statuses
  platforms report between reconciliations (pushes);
- `ledger.event_log`: the append-only event log, read by run or by seller SKU;
- `ledger.shop_rate_limit`: each shop's next free call slot, shared by every process calling it.
"""

from ledger.bindings import (
    Binding,
    KnownShop,
    ensure_bindings,
    ensure_shop,
    held_bindings,
    known_shops,
    load_bindings,
    product_bindings,
    shop_bindings,
)
from ledger.claims import claim, holders, live_holder, release, release_abandoned, renew
from ledger.event_log import EventView, events
from ledger.observations import (
    Noticed,
    Observation,
    StatusNotice,
    notice_status,
    observe,
    status_notices,
)
from ledger.outcomes import Outcome, mark_sending, record, remember_images, settle, uploaded_images
from ledger.shop_rate_limit import SharedRateLimiter, shared_rate_limiter

__all__ = [
    "Binding", "EventView", "KnownShop", "Noticed", "Observation", "Outcome", "SharedRateLimiter", "StatusNotice",
    "claim", "ensure_bindings", "ensure_shop", "events", "held_bindings", "holders", "known_shops", "live_holder",
    "load_bindings", "mark_sending", "notice_status", "observe", "product_bindings", "record", "release",
    "release_abandoned", "remember_images", "renew", "settle",
    "shared_rate_limiter", "shop_bindings", "status_notices", "uploaded_images",
]
