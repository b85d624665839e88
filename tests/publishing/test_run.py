"""A publish run's policy without Prefect: rounds that retry what failed transiently, a shop that
stops is out for the run and named in the verdict, progress counted from settled listings only."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from connectors.errors import AuthError, TransientError
from publishing import candidates
from publishing.publisher import ListingOutcome, PublishIncomplete, ShopUnavailable
from publishing.run import ROUNDS, PublishRun
from rendering.profiles import load_profile
from tests.publishing.fake_shop import SHOP, FakeShop

TODAY = dt.date.today()
LOG = logging.getLogger("test-publish-run")


class Finished:
    """A batch run at once, in this thread, as a task's future would give it back."""

    def __init__(self, work) -> None:
        try:
            self._result, self._error = work(), None
        except Exception as error:  # noqa: BLE001 (kept for result(), as a failed task's future does)
            self._result, self._error = None, error

    def result(self):
        if self._error is not None:
            raise self._error
        return self._result


def _publish(engine, shop: FakeShop, *, batch_size: int = 3) -> PublishRun:
    products = candidates.load_products(engine)
    fingerprints = candidates.fingerprints(products, load_profile(SHOP.channel), today=TODAY)
    plan = candidates.plan_for_shop(engine, SHOP, products, fingerprints, today=TODAY)
    run = PublishRun(engine, [SHOP], run_id="run-1", today=TODAY, only=None, batch_size=batch_size,
                     render_processes=0, logger=LOG, connect=lambda config: shop)
    with run:
        run.publish([plan], lambda batch: Finished(lambda: run.publish_batch(batch)), held_wait_s=0)
    return run


def test_a_listing_that_failed_transiently_is_published_in_the_next_round(engine):
    shop = FakeShop(failures={"create": [TransientError("HTTP 503", code="503")]})
    run = _publish(engine, shop)
    counts = run.tally.shops[SHOP.key].outcomes
    assert counts[ListingOutcome.FAILED] == 0 and counts[ListingOutcome.DONE] == len(shop.items)
    assert max(shop.skus().values()) == 1
    run.raise_if_incomplete(0)


class FirstListingDown(FakeShop):
    """Every create of the first seller SKU it is sent fails transiently."""

    down: str | None = None

    def create(self, content):
        self.down = self.down or content.seller_sku
        if content.seller_sku == self.down:
            self.calls["create"] += 1
            raise TransientError("HTTP 503", code="503")
        return super().create(content)


def test_a_listing_is_tried_in_every_round_and_no_more_then_the_run_names_it_failed(engine):
    shop = FirstListingDown()
    run = _publish(engine, shop)
    assert shop.calls["create"] == len(shop.items) + ROUNDS
    with pytest.raises(PublishIncomplete, match=f"not published by this run: {SHOP.key}: 1 failed$"):
        run.raise_if_incomplete(0)


def test_a_shop_that_refuses_our_credentials_is_out_for_the_run_and_the_verdict_names_it(engine):
    shop = FakeShop(failures={"upload_image": [AuthError("invalid access token", code="error_auth")] * 20})
    run = _publish(engine, shop)
    assert shop.calls["create"] == 0
    assert SHOP.key in run.unavailable
    outcomes = run.tally.shops[SHOP.key].outcomes
    assert outcomes[ListingOutcome.NOT_ATTEMPTED] > 0 and outcomes[ListingOutcome.DONE] == 0
    with pytest.raises(ShopUnavailable, match=rf"{SHOP.key}: stopped \(shop {SHOP.key}: credentials refused"):
        run.raise_if_incomplete(0)
