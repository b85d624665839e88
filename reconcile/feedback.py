"""What a reconciliation tells the ledger: each bound listing's real status, and whether it drifted.

Reconciliation's findings in the ledger's words (`ledger.Observation`); the ledger writes them
(`ledger.observe`), and decides what each changes."""

from __future__ import annotations

from collections.abc import Iterator

from connectors.types import ListingStatus
from ledger import Observation
from reconcile.classify import Finding, Reconciliation, State

_SEEN_AS = {
    State.LIVE: ListingStatus.LIVE,
    State.DRIFT: ListingStatus.LIVE,
    State.EXPIRED_LIVE: ListingStatus.LIVE,
    State.UNDER_REVIEW: ListingStatus.UNDER_REVIEW,
    State.REJECTED: ListingStatus.REJECTED,
    State.NOT_LISTABLE: ListingStatus.INACTIVE,   # on the shop but not live (live would be EXPIRED_LIVE)
}


def observations(reconciliation: Reconciliation) -> Iterator[Observation]:
    """One observation per bound product x shop whose state the read established."""
    for finding in reconciliation.findings:
        observation = _observation(finding)
        if observation is not None:
            yield observation


def _observation(finding: Finding) -> Observation | None:
    if finding.seller_sku is None or finding.ocop_code is None:
        return None   # an orphan: nothing of ours to update
    if finding.state == State.INACTIVE and finding.remote_id is not None:
        # its own status, not "inactive": planning relists an unlisted item but leaves a suspended
        # one (or a draft) to the seller (`connectors.types.NOT_SELLING`)
        status = finding.remote_status
    elif finding.state in _SEEN_AS and finding.remote_id is not None:
        status = _SEEN_AS[finding.state].value
    elif finding.state == State.MISSING and finding.ledger_remote_id is not None:
        status = None  # we created it, the shop no longer holds it (deleted in the seller centre)
    else:
        return None   # blocked, duplicate, never sent, or the shop could not be read
    return Observation(
        shop_key=finding.shop_key,
        seller_sku=finding.seller_sku,
        remote_status=status,
        platform_status=finding.platform_status,
        remote_id=finding.remote_id,
        drifted=finding.state == State.DRIFT,
        tracking_id=finding.tracking_id,
    )
