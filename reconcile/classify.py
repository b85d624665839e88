"""Classify every product x shop by comparing the snapshot with the catalogue and the ledger.

Each catalogue product gets one finding per shop read in the snapshot; each remote item that
belongs to no catalogue product becomes an orphan finding. The comparison is done with pandas
so a national run (tens of thousands of listings) takes seconds.

What "the catalogue implies" for a live listing, and so what counts as drift:
- title: must hold the product's whole name (whatever text stands around it), or be word for word
  a title our renderer fits for the product on that channel under some title limit
  (`rendering.listing.could_be_listing_title`: the module that fits titles owns the rule); accents,
  case and punctuation aside. A listing renamed by hand in the seller centre is neither.
- price: equal to the catalogue price.
- GTIN: equal to the catalogue GTIN (GS1 leading zeros aside). A channel that reports no GTIN
  field at all (`None`) is not compared; an explicit empty or "00" means "no GTIN" and is.
- stars: any star rating claimed next to "OCOP" equals the current recognition.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from catalogue.records import CatalogueProduct, NotListable
from connectors.errors import ErrorClass
from connectors.types import NOT_SELLING, ListingStatus
from ledger import Binding
from ocop.channels import Channel
from reconcile.snapshot import ShopRef, Snapshot
from rendering.listing import could_be_listing_title
from rendering.profiles import load_profile
from rendering.text import names_in_full


class State(StrEnum):
    LIVE = "live"
    DRIFT = "drift"                  # live, but title, price, GTIN or star claim differs from the catalogue
    DUPLICATE = "duplicate"          # more than one item on the shop for one product
    UNDER_REVIEW = "under_review"
    REJECTED = "rejected"            # by the platform, with its reason
    INACTIVE = "inactive"            # on the shop, not selling (`connectors.types.NOT_SELLING`)
    BLOCKED = "blocked"              # never sent: required fields missing
    MISSING = "missing"              # should be listed, is not
    UNVERIFIED = "unverified"        # the shop could not be read in this run
    EXPIRED_LIVE = "expired_live"    # certificate expired or revoked, listing still live
    NOT_LISTABLE = "not_listable"    # outside the denominator: service, expired, revoked, no recognition
    ORPHAN = "orphan"                # on the shop, not in the catalogue


DRIFT_FIELDS = ("title", "price", "gtin", "stars")
_STATUS_RANK = {ListingStatus.LIVE.value: 0, ListingStatus.UNDER_REVIEW.value: 1, ListingStatus.REJECTED.value: 2,
                ListingStatus.INACTIVE.value: 3, ListingStatus.SUSPENDED.value: 4, ListingStatus.DRAFT.value: 5}


@dataclass(frozen=True)
class Finding:
    shop_key: str
    channel: str
    state: State
    seller_sku: str | None
    ocop_code: str | None            # None for orphans
    producer_key: str | None
    in_denominator: bool             # listable: counts toward "100% listed"
    live: bool                       # visible and selling on the shop
    remote_id: str | None = None
    tracking_id: str | None = None        # the item is a create request, not yet made an item (Tiki)
    remote_status: str | None = None      # our ListingStatus word for the item the shop holds
    ledger_remote_id: str | None = None   # what the ledger recorded; differs when the shop lost the item
    platform_status: str | None = None
    remote_title: str | None = None
    remote_price_vnd: int | None = None
    remote_gtin: str | None = None
    reason: str | None = None        # the platform's, renderer's or ledger's own words
    error_code: str | None = None
    drift: tuple[str, ...] = ()
    duplicate_ids: tuple[str, ...] = ()
    claims_ocop: bool = False
    claimed_stars: int | None = None

    @property
    def claims_mark_without_recognition(self) -> bool:
        """The OCOP mark used by an item with no valid recognition behind it (misuse)."""
        return self.claims_ocop and self.state in (State.ORPHAN, State.EXPIRED_LIVE, State.NOT_LISTABLE)


@dataclass(frozen=True)
class Reconciliation:
    as_of: dt.date
    taken_at: dt.datetime
    shops: tuple[ShopRef, ...]
    products: tuple[CatalogueProduct, ...]
    findings: tuple[Finding, ...]

    @property
    def orphans(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.state == State.ORPHAN)


def classify(catalogue: Sequence[CatalogueProduct], snapshot: Snapshot, bindings: Sequence[Binding], *,
             as_of: dt.date) -> Reconciliation:
    """One finding per catalogue product x snapshot shop, then one per orphan item; `bindings` are
    the ledger's of the snapshot's shops."""
    products = _products_frame(catalogue, as_of)
    listings = _listings_frame(snapshot)
    bindings = _ledger_frame(bindings)
    listings["sku"] = _attribute(listings, products, bindings)
    grid = _grid(products, snapshot, _primary(listings[listings["sku"].notna()]), bindings)
    grid["drift"] = _drift(grid, _titles_of_ours(catalogue, snapshot.shops, as_of))
    grid["state"] = _state(grid)
    findings = [_finding(row) for row in grid.itertuples(index=False)]
    channels = {shop.key: shop.channel for shop in snapshot.shops}
    orphans = listings[listings["sku"].isna()]
    findings += [_orphan(row, channels[row.shop_key]) for row in orphans.itertuples(index=False)]
    return Reconciliation(as_of, snapshot.taken_at, snapshot.shops, tuple(catalogue), tuple(findings))


def _products_frame(catalogue: Sequence[CatalogueProduct], as_of: dt.date) -> pd.DataFrame:
    rows = []
    for item in catalogue:
        product, cert = item.product, item.certification
        reason = item.not_listable_reason(as_of)
        rows.append((product.seller_sku, product.ocop_code, item.producer.key, product.price_vnd,
                     normal_gtin(product.gtin), cert.stars if cert else None, reason.value if reason else None))
    columns = ["sku", "ocop_code", "producer_key", "price", "gtin", "stars", "not_listable"]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame["price"] = frame["price"].astype("Int64")
    frame["stars"] = frame["stars"].astype("Int64")
    return frame


def _listings_frame(snapshot: Snapshot) -> pd.DataFrame:
    """Every item the shops hold; deleted items are gone from the shop and take no part."""
    rows = [
        (item.shop_key, r.remote_id, r.tracking_id, r.seller_sku, r.status.value, r.platform_status, r.title,
         r.price_vnd, r.gtin, r.reject_reason, item.claim.mentions_ocop, item.claim.stars)
        for item in snapshot.listings()
        for r in (item.remote,)
        if r.status != ListingStatus.DELETED
    ]
    columns = ["shop_key", "remote_id", "tracking_id", "seller_sku", "status", "platform_status", "title", "r_price",
               "r_gtin", "reject_reason", "claims_ocop", "claimed_stars"]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame["r_price"] = frame["r_price"].astype("Int64")
    frame["claimed_stars"] = frame["claimed_stars"].astype("Int64")
    frame["order"] = np.arange(len(frame))
    return frame


def _ledger_frame(bindings: Sequence[Binding]) -> pd.DataFrame:
    rows = [(b.shop_key, b.seller_sku, b.remote_id, b.blocked_reasons, b.last_error_code, b.last_error_message,
             b.last_error_class) for b in bindings]
    columns = ["shop_key", "sku", "l_remote_id", "blocked", "l_code", "l_message", "l_class"]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _attribute(listings: pd.DataFrame, products: pd.DataFrame, bindings: pd.DataFrame) -> pd.Series:
    """The catalogue SKU each item belongs to: its own seller SKU, else the binding that holds its remote id."""
    known = set(products["sku"])
    own = listings["seller_sku"].where(listings["seller_sku"].isin(known))
    by_id = bindings[bindings["l_remote_id"].notna() & bindings["sku"].isin(known)]
    by_id = by_id.drop_duplicates(["shop_key", "l_remote_id"]).set_index(["shop_key", "l_remote_id"])["sku"]
    keys = pd.MultiIndex.from_arrays([listings["shop_key"], listings["remote_id"]])
    via_ledger = pd.Series(by_id.reindex(keys).to_numpy(), index=listings.index, dtype=object)
    return own.astype(object).where(own.notna(), via_ledger)


def _primary(matched: pd.DataFrame) -> pd.DataFrame:
    """One item per product x shop: the one that sells (live first), the others are duplicates."""
    ranked = matched.assign(rank=matched["status"].map(_STATUS_RANK).fillna(9))
    ranked = ranked.sort_values(["shop_key", "sku", "rank", "order"])
    primary = ranked.drop_duplicates(["shop_key", "sku"]).set_index(["shop_key", "sku"])
    extra = ranked[ranked.duplicated(["shop_key", "sku"])]
    duplicates = extra.groupby(["shop_key", "sku"])["remote_id"].agg(tuple)
    primary["duplicate_ids"] = duplicates.reindex(primary.index)
    return primary.drop(columns=["seller_sku", "order", "rank"]).reset_index()


def _grid(products: pd.DataFrame, snapshot: Snapshot, primary: pd.DataFrame, bindings: pd.DataFrame) -> pd.DataFrame:
    shops = pd.DataFrame([(p.shop.key, p.shop.channel, p.error) for p in snapshot.pulls],
                         columns=["shop_key", "channel", "pull_error"], dtype=object)
    grid = products.merge(shops, how="cross")
    grid = grid.merge(primary, how="left", on=["shop_key", "sku"])
    return grid.merge(bindings, how="left", on=["shop_key", "sku"])


def _titles_of_ours(catalogue: Sequence[CatalogueProduct], shops: Sequence[ShopRef],
                    as_of: dt.date) -> Callable[[str, str, str], bool]:
    """(seller SKU, channel, live title) -> whether the title could be the one our renderer gives
    that product on that channel."""
    products = {item.product.seller_sku: item for item in catalogue}
    known = {channel.value for channel in Channel}
    profiles = {s.channel: load_profile(s.channel) for s in shops if s.channel in known}

    def is_ours(seller_sku: str, channel: str, title: str) -> bool:
        product, profile = products[seller_sku], profiles.get(channel)
        if profile is None:   # a channel without a profile renders nothing of ours to recognise
            return names_in_full(title, product.product.name)
        return could_be_listing_title(product, profile, title, today=as_of)

    return is_ours


def _drift(grid: pd.DataFrame, ours: Callable[[str, str, str], bool]) -> list[tuple[str, ...]]:
    live = (grid["status"] == ListingStatus.LIVE.value).to_numpy()
    price = (grid["r_price"].notna() & (grid["r_price"] != grid["price"])).fillna(False).to_numpy(dtype=bool)
    remote_gtin = grid["r_gtin"].astype(object).map(normal_gtin, na_action="ignore").astype(object)
    gtin = (grid["r_gtin"].notna() & (remote_gtin.fillna("") != grid["gtin"].fillna(""))).to_numpy(dtype=bool)
    stars = (grid["claimed_stars"].notna() & (grid["claimed_stars"] != grid["stars"])).fillna(False)
    stars = stars.to_numpy(dtype=bool)
    title = np.array([bool(on) and isinstance(t, str) and not ours(sku, c, t)
                      for on, sku, t, c in zip(live, grid["sku"], grid["title"], grid["channel"])], dtype=bool)
    flags = np.column_stack([title, price, gtin, stars]) & live[:, None]
    return [tuple(f for f, on in zip(DRIFT_FIELDS, row) if on) for row in flags]


def _state(grid: pd.DataFrame) -> np.ndarray:
    status = grid["status"]
    listable = grid["not_listable"].isna()
    expired = grid["not_listable"].isin([NotListable.EXPIRED.value, NotListable.REVOKED.value])
    is_live = status == ListingStatus.LIVE.value
    has_blocked = grid["blocked"].map(lambda b: isinstance(b, tuple) and len(b) > 0)
    conditions = [
        ~listable & expired & is_live,
        ~listable,
        grid["pull_error"].notna(),
        grid["duplicate_ids"].notna(),
        is_live & grid["drift"].map(bool),
        is_live,
        status == ListingStatus.UNDER_REVIEW.value,
        status == ListingStatus.REJECTED.value,
        status.isin([s.value for s in NOT_SELLING]),
        has_blocked,
        grid["l_class"] == ErrorClass.REJECTED.value,
    ]
    choices = [State.EXPIRED_LIVE, State.NOT_LISTABLE, State.UNVERIFIED, State.DUPLICATE, State.DRIFT,
               State.LIVE, State.UNDER_REVIEW, State.REJECTED, State.INACTIVE, State.BLOCKED, State.REJECTED]
    masks = [np.asarray(c.fillna(False), dtype=bool) for c in conditions]
    return np.select(masks, [c.value for c in choices], default=State.MISSING.value)


def _finding(row) -> Finding:
    state = State(row.state)
    return Finding(
        shop_key=row.shop_key, channel=row.channel, state=state, seller_sku=row.sku, ocop_code=row.ocop_code,
        producer_key=row.producer_key, in_denominator=_none(row.not_listable) is None,
        live=row.status == ListingStatus.LIVE.value,
        remote_id=_none(row.remote_id), tracking_id=_none(row.tracking_id), remote_status=_none(row.status),
        ledger_remote_id=_none(row.l_remote_id),
        platform_status=_none(row.platform_status),
        remote_title=_none(row.title), remote_price_vnd=_int(row.r_price), remote_gtin=_none(row.r_gtin),
        reason=_reason(state, row), error_code=_none(row.l_code), drift=row.drift,
        duplicate_ids=_none(row.duplicate_ids) or (), claims_ocop=bool(_none(row.claims_ocop)),
        claimed_stars=_int(row.claimed_stars),
    )


def _reason(state: State, row) -> str | None:
    if state in (State.EXPIRED_LIVE, State.NOT_LISTABLE):
        return row.not_listable
    if state == State.UNVERIFIED:
        return row.pull_error
    if state == State.REJECTED:
        return _none(row.reject_reason) or _none(row.l_message)
    if state == State.INACTIVE:
        return _none(row.platform_status)
    if state == State.BLOCKED:
        return "; ".join(row.blocked)
    if state == State.MISSING:
        return _none(row.l_message)
    return None


def _orphan(row, channel: str) -> Finding:
    return Finding(
        shop_key=row.shop_key, channel=channel, state=State.ORPHAN, seller_sku=_none(row.seller_sku), ocop_code=None,
        producer_key=None, in_denominator=False, live=row.status == ListingStatus.LIVE.value,
        remote_id=row.remote_id, platform_status=row.platform_status, remote_title=_none(row.title),
        remote_price_vnd=_int(row.r_price), remote_gtin=_none(row.r_gtin), claims_ocop=bool(row.claims_ocop),
        claimed_stars=_int(row.claimed_stars),
    )


def _none(value):
    """pandas' missing markers (None, NaN, NA) as None."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _int(value) -> int | None:
    value = _none(value)
    return None if value is None else int(value)


def normal_gtin(value: str | None) -> str | None:
    """GTIN-8/12/13/14 as 14 digits, so `8930000000019` equals `08930000000019`; blank or zeros is None."""
    if value is None:
        return None
    digits = re.sub(r"\D", "", str(value))
    if not digits.strip("0"):
        return None
    return digits.zfill(14)
