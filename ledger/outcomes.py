"""What a publish writes to the ledger, listing by listing, as it goes.

The publisher's per-listing writes (`mark_sending`, `record`, `settle`, `remember_images`) are
single Core statements on ids it already holds, built once at import: a listing costs two or three
short transactions, not ORM round trips.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update

from connectors.errors import ConnectorError, ErrorClass
from ledger.bindings import insert_new
from ledger.models import ImageUpload, ListingBinding, ListingEvent

_bindings = ListingBinding.__table__
_events = ListingEvent.__table__

_MARK_SENDING = (
    update(_bindings)
    .where(_bindings.c.id == bindparam("binding"))
    .values(last_error_class=ErrorClass.UNKNOWN_OUTCOME.value, last_error_code=None,
            last_error_message="create sent or about to be; its outcome was not recorded")
)


def mark_sending(connection, binding_ids: Sequence[int]) -> None:
    """Written before creates are sent: if the process dies before their outcomes are recorded, the
    bindings say "unknown outcome", and the next attempt looks each seller SKU up before creating."""
    if binding_ids:
        connection.execute(_MARK_SENDING, [{"binding": binding_id} for binding_id in binding_ids])


@dataclass(frozen=True)
class Outcome:
    """What one marketplace call did, as the ledger records it."""

    operation: str
    outcome: str                      # ok | failed | blocked | found
    request_id: str | None = None
    error: ConnectorError | None = None


# The SET clause is completed by the keys of each call's parameters (the binding's changed columns).
_UPDATE_BINDING = update(_bindings).where(_bindings.c.id == bindparam("binding"))
_UPDATE_BINDING_COUNTING = _UPDATE_BINDING.values(attempts=_bindings.c.attempts + 1)
_APPEND_EVENT = insert(_events)


def record(connection, binding_id: int, run_id: str | None, outcome: Outcome, **binding_changes) -> None:
    """Apply `binding_changes` to the binding and append the event, in the caller's transaction.
    Every call but a decision not to call (`block`) counts as an attempt."""
    error = outcome.error
    if error is not None:
        binding_changes |= {
            "last_error_code": error.code,
            "last_error_message": error.message,
            "last_error_class": error.error_class.value,
        }
    elif outcome.outcome in ("ok", "blocked"):
        binding_changes |= {"last_error_code": None, "last_error_message": None, "last_error_class": None}
    statement = _UPDATE_BINDING if outcome.operation == "block" else _UPDATE_BINDING_COUNTING
    updated = connection.execute(statement, {"binding": binding_id, **binding_changes})
    if updated.rowcount != 1:
        raise LookupError(f"no listing binding {binding_id}")
    connection.execute(_APPEND_EVENT, {
        "binding_id": binding_id,
        "run_id": run_id,
        "operation": outcome.operation,
        "outcome": outcome.outcome,
        "request_id": outcome.request_id or (error.request_id if error else None),
        "error_code": error.code if error else None,
        "message": error.message if error else None,
    })


def settle(connection, binding_id: int, fingerprint: str | None) -> None:
    """Remember the input fingerprint the binding now reflects (see `publishing.plan.screen`)."""
    connection.execute(_UPDATE_BINDING, {"binding": binding_id, "source_fingerprint": fingerprint})


def uploaded_images(session, shop_id: int) -> dict[str, str]:
    """The images already on the shop: sha256 -> the shop's reference."""
    rows = session.execute(select(ImageUpload.sha256, ImageUpload.remote_ref).where(ImageUpload.shop_id == shop_id))
    return dict(rows.all())


def remember_images(connection, shop_id: int, uploads: Sequence[tuple[str, str]]) -> None:
    """Remember uploaded images (sha256, the shop's reference) so they are never uploaded again."""
    if uploads:
        connection.execute(insert_new(connection, ImageUpload.__table__, "shop_id", "sha256"),
                           [{"shop_id": shop_id, "sha256": sha, "remote_ref": ref} for sha, ref in uploads])
