"""Coverage: the share of listable certified products live, per channel and on all channels at once.

The denominator is listable products x the shops read in the run; a product counts on a channel
for each of that channel's shops it is live in, and "all channels" only when live in every shop.
A shop that could not be read counts as not live: an unread shop proves nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from catalogue.groups import GROUPS
from catalogue.records import CatalogueProduct, NotListable
from reconcile.classify import Reconciliation

DIMENSIONS = ("stars", "group", "commune", "district_old", "producer_kind", "producer")
DUE_WITHIN_DAYS = 90


@dataclass(frozen=True)
class Share:
    listable: int
    live: int

    @property
    def pct(self) -> float | None:
        return None if self.listable == 0 else 100.0 * self.live / self.listable

    @property
    def gap(self) -> int:
        return self.listable - self.live


@dataclass(frozen=True)
class ChannelCoverage:
    channel: str
    shops: tuple[str, ...]
    share: Share


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str                        # the data's own name (producer, group); kinds and stars are keys
    products: int                     # listable products in this slice
    channels: dict[str, Share]
    all_channels: Share


@dataclass(frozen=True)
class DueCertificate:
    ocop_code: str
    product_name: str
    producer_key: str
    producer_name: str
    stars: int
    decision_number: str
    expires_on: dt.date
    days_left: int


@dataclass(frozen=True)
class Coverage:
    as_of: dt.date
    target_pct: float | None
    channels: tuple[ChannelCoverage, ...]
    all_channels: Share
    breakdowns: dict[str, tuple[BreakdownRow, ...]]
    state_counts: dict[str, dict[str, int]]   # channel -> state -> listings, orphans included
    excluded: dict[str, int]                  # not-listable reason -> products
    due: tuple[DueCertificate, ...]

    @property
    def shortfalls(self) -> tuple[str, ...]:
        """Channels (and "all") whose coverage is below the target."""
        if self.target_pct is None:
            return ()
        below = [c.channel for c in self.channels if _below(c.share, self.target_pct)]
        return tuple(below + (["all"] if _below(self.all_channels, self.target_pct) else []))

    @property
    def below_target(self) -> bool:
        return bool(self.shortfalls)


def _below(share: Share, target: float) -> bool:
    # Compared as counts, not rounded percentages: 999 of 1000 is below a 100% target.
    return share.listable > 0 and share.live * 100 < target * share.listable


def compute_coverage(reconciliation: Reconciliation, *, target_pct: float | None = None,
                     due_within_days: int = DUE_WITHIN_DAYS) -> Coverage:
    rec = reconciliation
    channels = _channels(rec)
    reasons = [(item, item.not_listable_reason(rec.as_of)) for item in rec.products]
    listable = [item for item, reason in reasons if reason is None]
    per_product = _per_product(rec, listable, channels)
    return Coverage(
        as_of=rec.as_of,
        target_pct=target_pct,
        channels=tuple(ChannelCoverage(c, shops, _share(per_product, c, len(shops))) for c, shops in channels.items()),
        all_channels=Share(len(per_product), int(per_product["live_all"].sum())),
        breakdowns={d: _breakdown(per_product, d, channels) for d in DIMENSIONS},
        state_counts=_state_counts(rec),
        excluded=_excluded(reasons),
        due=_due(listable, rec.as_of, due_within_days),
    )


def _channels(rec: Reconciliation) -> dict[str, tuple[str, ...]]:
    channels: dict[str, list[str]] = {}
    for shop in rec.shops:
        channels.setdefault(shop.channel, []).append(shop.key)
    return {channel: tuple(keys) for channel, keys in channels.items()}


def _per_product(rec: Reconciliation, listable: list[CatalogueProduct],
                 channels: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """One row per listable product: its slice keys and how many shops of each channel it is live in."""
    live = pd.DataFrame(
        [(f.ocop_code, f.channel, f.live) for f in rec.findings if f.in_denominator],
        columns=["ocop_code", "channel", "live"],
    )
    counts = pd.crosstab(live["ocop_code"], live["channel"], values=live["live"].astype(int), aggfunc="sum")
    counts = counts.reindex(columns=list(channels), fill_value=0).fillna(0).add_prefix("live_")
    slices = pd.DataFrame([_slice(p) for p in listable],
                          columns=["ocop_code", *DIMENSIONS, "producer_name", "group_label"])
    frame = slices.merge(counts, how="left", left_on="ocop_code", right_index=True).fillna(
        {f"live_{c}": 0 for c in channels})
    total_shops = sum(len(shops) for shops in channels.values())
    frame["live_all"] = frame[[f"live_{c}" for c in channels]].sum(axis=1) == total_shops if channels else False
    return frame


def _slice(item: CatalogueProduct) -> tuple:
    address = item.producer.address
    group = item.product.group_code
    return (item.product.ocop_code, str(item.certification.stars), group, address.commune,
            address.district_old or "", item.producer.kind.value, item.producer.key, item.producer.name,
            f"{group} {GROUPS.get(group, '')}".strip())


def _share(frame: pd.DataFrame, channel: str, shops: int) -> Share:
    return Share(len(frame) * shops, int(frame[f"live_{channel}"].sum()))


_LABEL_COLUMN = {"producer": "producer_name", "group": "group_label"}


def _breakdown(frame: pd.DataFrame, dimension: str, channels: dict[str, tuple[str, ...]]) -> tuple[BreakdownRow, ...]:
    label_column = _LABEL_COLUMN.get(dimension, dimension)
    rows = []
    for key, part in frame.groupby(dimension, sort=True):
        rows.append(BreakdownRow(
            key=str(key),
            label=str(part[label_column].iloc[0]),
            products=len(part),
            channels={c: _share(part, c, len(shops)) for c, shops in channels.items()},
            all_channels=Share(len(part), int(part["live_all"].sum())),
        ))
    if dimension in ("producer", "commune", "district_old"):
        rows.sort(key=lambda r: (r.all_channels.pct if r.all_channels.pct is not None else 100.0, r.label))
    return tuple(rows)


def _state_counts(rec: Reconciliation) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for finding in rec.findings:
        by_state = counts.setdefault(finding.channel, {})
        by_state[finding.state.value] = by_state.get(finding.state.value, 0) + 1
    return counts


def _excluded(reasons: list[tuple[CatalogueProduct, NotListable | None]]) -> dict[str, int]:
    excluded: dict[str, int] = {}
    for _, reason in reasons:
        if reason is not None:
            excluded[reason.value] = excluded.get(reason.value, 0) + 1
    return excluded


def _due(listable: list[CatalogueProduct], as_of: dt.date, within_days: int) -> tuple[DueCertificate, ...]:
    """Listable products whose recognition expires within the window: they need re-evaluation."""
    horizon = as_of + dt.timedelta(days=within_days)
    due = []
    for p in listable:
        cert = p.certification
        expires_on = cert.expires_on
        if expires_on <= horizon:
            due.append(DueCertificate(p.product.ocop_code, p.product.name, p.producer.key, p.producer.name, cert.stars,
                                      cert.decision_number, expires_on, (expires_on - as_of).days))
    return tuple(sorted(due, key=lambda d: (d.expires_on, d.product_name)))
