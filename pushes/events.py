"""The Prefect events a push (or a sweep) emits where someone must act. An automation matches them by
name: a rejected or suspended listing can trigger a targeted publish of its product, an ending or
ended authorisation an alert to the shop's operator (docs/operations.md, "Status pushes")."""

from __future__ import annotations

import datetime as dt
import logging

from connectors.types import ListingStatus
from ledger import Binding

log = logging.getLogger("pushes.events")

LISTING_EVENTS = {
    ListingStatus.REJECTED: "ocop.listing.rejected",
    ListingStatus.SUSPENDED: "ocop.listing.suspended",
}
AUTHORISATION_EXPIRING = "ocop.shop.authorisation-expiring"


def listing_needs_action(binding: Binding, status: ListingStatus, reason: str | None, source: str) -> None:
    """A listing the platform rejected or took down: the event names its shop and seller SKU."""
    name = LISTING_EVENTS.get(status)
    if name is None:
        return
    _emit(name, {"prefect.resource.id": f"ocop.listing.{binding.shop_key}.{binding.seller_sku}",
                 "prefect.resource.name": binding.seller_sku, "ocop.shop": binding.shop_key},
          {"shop": binding.shop_key, "seller_sku": binding.seller_sku, "remote_id": binding.remote_id,
           "platform_status": binding.platform_status, "reason": reason, "source": source})


def authorisation_expiring(shop_key: str, ends_at: dt.datetime, warned_by: str) -> None:
    _emit(AUTHORISATION_EXPIRING, {"prefect.resource.id": f"ocop.shop.{shop_key}", "prefect.resource.name": shop_key},
          {"shop": shop_key, "ends_at": ends_at.isoformat(), "warned_by": warned_by})


def _emit(name: str, resource: dict, payload: dict) -> None:
    from prefect.events import emit_event

    try:
        emit_event(event=name, resource=resource, payload=payload)
    except Exception:  # noqa: BLE001 (the ledger already holds the news; the event is its echo)
        log.exception("could not emit %s for %s", name, resource["prefect.resource.id"])
