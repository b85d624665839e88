"""A Tiki create is a product request reviewed before it is a product: the ledger holds it by its
tracking id, so a crash between submit and approval neither loses nor duplicates it.

Against the Tiki sandbox over HTTP, with a review that takes ten minutes of the sandbox's clock.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

import ledger
from catalogue.ingest import ingest_rows
from catalogue.sample import sample_rows
from connectors.by_channel import connector_for
from connectors.types import ListingStatus
from ocop.channels import Channel, declaration
from ocop.store import transaction
from publishing import candidates
from publishing.explain import explain, explanation_lines
from publishing.publisher import publish_batch
from reconcile.classify import State
from reconcile.run import reconcile_shops
from rendering.profiles import load_profile
from sandboxes.config import FaultConfig, ReviewRules, default_config
from sandboxes.fleet import running_sandboxes

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

TODAY = dt.date.today()
REVIEW_SECONDS = 600.0
SHOP = declaration(Channel.TIKI).official_shop
REFUSAL = "Hình ảnh sản phẩm không rõ ràng"


class Clock:
    """The sandbox's clock: real time, plus however far a test has moved it on."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def __call__(self) -> float:
        return time.time() + self.ahead


@pytest.fixture
def tiki(tmp_path):
    """(fleet, connector, clock): the Tiki sandbox reviewing requests after REVIEW_SECONDS."""
    clock = Clock()
    config = default_config().with_channel(Channel.TIKI, review=ReviewRules(delay_seconds=REVIEW_SECONDS))
    with running_sandboxes(tmp_path / "sandboxes", config=config, clock=clock) as fleet:
        connector = connector_for(fleet.shop(SHOP))
        yield fleet, connector, clock
        connector.close()


class DiesAfterSubmitting:
    """The connector of a process that dies once its create reached Tiki, before recording the answer."""

    def __init__(self, connector) -> None:
        self._connector = connector

    def __getattr__(self, name):
        return getattr(self._connector, name)

    def create(self, content):
        self._connector.create(content)
        raise KeyboardInterrupt("killed before the answer was recorded")


class DroppedAnswer(DiesAfterSubmitting):
    """The connector whose creates reach Tiki but whose answers are lost on the way back."""

    def __init__(self, fleet, connector) -> None:
        super().__init__(connector)
        self._fleet = fleet

    def create(self, content):
        self._fleet.set_faults(Channel.TIKI, FaultConfig(drop_rate=1.0))
        try:
            return self._connector.create(content)
        finally:
            self._fleet.set_faults(Channel.TIKI, FaultConfig())


def publish(engine, connector, run_id: str):
    """A publish of the first sample product only, as `ocop publish` plans it."""
    products = candidates.load_products(engine)
    first = min(products)
    products = {first: products[first]}
    fingerprints = candidates.fingerprints(products, load_profile(Channel.TIKI), today=TODAY)
    plan = candidates.plan_for_shop(engine, connector.shop, products, fingerprints, today=TODAY)
    return publish_batch(engine, connector, plan.candidates, run_id=run_id, today=TODAY)


def binding(engine, connector) -> ledger.Binding:
    with transaction(engine) as session:
        [found] = ledger.load_bindings(session, ledger.ensure_shop(session, connector.shop)).values()
    return found


def held_on_tiki(fleet, sku: str) -> list:
    """What the sandbox holds under the seller SKU: requests and products, read from its own state."""
    return fleet.admin(Channel.TIKI).find(SHOP, sku)


def first_sku(engine) -> str:
    products = candidates.load_products(engine)
    return products[min(products)].product.seller_sku


def test_a_request_submitted_by_a_process_that_died_is_found_by_seller_sku_and_tracked_not_sent_again(engine, tiki):
    fleet, connector, _ = tiki
    with pytest.raises(KeyboardInterrupt):
        publish(engine, DiesAfterSubmitting(connector), "dies")
    assert binding(engine, connector).last_error_class == "unknown_outcome"

    result = publish(engine, connector, "next")

    [request] = held_on_tiki(fleet, first_sku(engine))
    held = binding(engine, connector)
    assert (held.tracking_id, held.remote_id, held.remote_status) == (
        request.extra["track_id"], None, ListingStatus.UNDER_REVIEW)
    assert held.last_error_class is None
    assert result.calls == {"adopt": 1}, result.calls     # no create, and no update of a request


def test_a_create_whose_answer_is_dropped_is_resolved_to_the_request_it_made(engine, tiki):
    fleet, connector, _ = tiki
    result = publish(engine, DroppedAnswer(fleet, connector), "dropped")

    [request] = held_on_tiki(fleet, first_sku(engine))
    assert binding(engine, connector).tracking_id == request.extra["track_id"]
    assert result.listings == {"done": 1}


def test_a_request_under_review_is_tracked_and_takes_the_product_id_once_approved(engine, tiki):
    fleet, connector, clock = tiki
    publish(engine, connector, "submit")
    submitted = binding(engine, connector)
    assert submitted.awaits_review and submitted.remote_id is None

    pending = publish(engine, connector, "still-pending")
    assert pending.calls == {"track": 1} and pending.not_sent == {"in_review": 1}
    assert binding(engine, connector).tracking_id == submitted.tracking_id
    assert "awaiting the platform's review" in "\n".join(explanation_lines(explain(engine, first_sku(engine),
                                                                                    today=TODAY)))

    clock.ahead = REVIEW_SECONDS + 1
    approved = publish(engine, connector, "approved")

    [product] = held_on_tiki(fleet, first_sku(engine))
    held = binding(engine, connector)
    assert (held.remote_id, held.tracking_id, held.remote_status) == (str(product.item_id), None, ListingStatus.LIVE)
    assert approved.calls == {"track": 1}
    assert publish(engine, connector, "after").calls == {}


def test_reconciliation_counts_a_pending_request_under_review_and_records_the_product_once_approved(engine, tiki):
    fleet, connector, clock = tiki
    publish(engine, connector, "submit")

    pending = reconcile_shops(engine, [connector], province="Đồng Tháp", as_of=TODAY)

    [finding] = [f for f in pending.reconciliation.findings if f.seller_sku == first_sku(engine)]
    assert finding.state == State.UNDER_REVIEW
    assert binding(engine, connector).awaits_review
    clock.ahead = REVIEW_SECONDS + 1

    reconcile_shops(engine, [connector], province="Đồng Tháp", as_of=TODAY)

    [product] = held_on_tiki(fleet, first_sku(engine))
    held = binding(engine, connector)
    assert (held.remote_id, held.tracking_id) == (str(product.item_id), None)


def test_a_rejected_request_is_refused_with_its_reasons_until_the_content_changes(engine, tiki):
    fleet, connector, _ = tiki
    publish(engine, connector, "submit")
    [request] = held_on_tiki(fleet, first_sku(engine))
    fleet.admin(Channel.TIKI).reject(request.item_id, REFUSAL)

    tracked = publish(engine, connector, "rejected")
    again = publish(engine, connector, "unchanged")

    held = binding(engine, connector)
    assert tracked.listings == {"refused": 1} and tracked.calls == {"track": 1}
    assert (held.remote_status, held.last_error_class, held.last_error_message) == (
        ListingStatus.REJECTED, "rejected", REFUSAL)
    assert again.calls == {} and again.listings == {}       # not even a candidate
    assert REFUSAL in "\n".join(explanation_lines(explain(engine, first_sku(engine), today=TODAY)))

    rows = sample_rows("Đồng Tháp", products=8, seed=3, today=TODAY)
    ingest_rows(engine, [row | {"description": row["description"] + " Ảnh chụp lại rõ nét."} for row in rows],
                today=TODAY)
    resubmitted = publish(engine, connector, "changed")
    after = publish(engine, connector, "after")

    assert resubmitted.calls["create"] == 1 and after.calls == {"track": 1}
    states = sorted(item.status for item in held_on_tiki(fleet, first_sku(engine)))
    assert states == ["queuing", "rejected"]
    assert binding(engine, connector).awaits_review

