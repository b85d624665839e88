"""Rendering in a worker process gives the listing rendering in the thread gives; the publisher
asks for a batch's renders a few listings ahead, and a listing it passes over gives its place up."""

from __future__ import annotations

from concurrent.futures import Future

import pytest

from connectors.types import Channel
from listings import publish
from listings.plan import Candidate
from listings.profiles import load_profile
from listings.render import render_listing
from listings.render_pool import RenderPool
from tests.listings.listing_products import TODAY, catalogue_product


def test_a_worker_process_renders_exactly_what_the_thread_renders():
    products = [catalogue_product(seller_sku=f"OCOP-DT-POOL-{n}", stock=n) for n in range(3)]
    with RenderPool(processes=1) as pool:
        futures = [pool.submit(Channel.SHOPEE, product, TODAY) for product in products]
        in_process = [future.result() for future in futures]
    in_thread = [render_listing(product, load_profile("shopee"), today=TODAY) for product in products]
    assert [listing.content_hash for listing in in_process] == [listing.content_hash for listing in in_thread]
    assert in_process[0].images[0].content == in_thread[0].images[0].content


def test_a_worker_process_serving_every_channel_renders_each_exactly_as_the_thread_does():
    """The render process of a publish draws a product once for all its channels (Shopee's badge on
    the cover, Lazada's and TikTok's as an image of its own): every listing is what rendering it
    alone in the thread gives, byte for byte."""
    products = [catalogue_product(seller_sku=f"OCOP-DT-TOGETHER-{n}", stock=n) for n in range(2)]
    with RenderPool(processes=1, channels=list(Channel)) as pool:
        futures = {(channel, n): pool.submit(channel, product, TODAY)
                   for n, product in enumerate(products) for channel in Channel}
        in_process = {key: future.result() for key, future in futures.items()}
    for (channel, n), listing in in_process.items():
        alone = render_listing(products[n], load_profile(channel), today=TODAY)
        assert listing.content_hash == alone.content_hash
        assert [image.content for image in listing.images] == [image.content for image in alone.images]


class UnknownChannel:
    value = "sendo-someday"


@pytest.mark.parametrize("processes", [0, 1])
def test_a_render_that_fails_fails_its_future_with_the_error(processes):
    with RenderPool(processes=processes) as pool:
        future = pool.submit(UnknownChannel(), catalogue_product(), TODAY)   # type: ignore[arg-type]
        with pytest.raises(ValueError, match="sendo-someday"):
            future.result()


def test_a_lost_render_process_costs_speed_not_the_listing():
    product = catalogue_product(seller_sku="OCOP-DT-POOL-LOST")
    expected = render_listing(product, load_profile("lazada"), today=TODAY).content_hash
    with RenderPool(processes=1) as pool:
        assert pool.submit(Channel.LAZADA, product, TODAY).result().content_hash == expected
        for process in list(pool._executor._processes.values()):
            process.kill()
            process.join()
        again = pool.submit(Channel.LAZADA, product, TODAY)
        assert again.result().content_hash == expected     # drawn in this thread instead
        assert pool.broken
        assert pool.submit(Channel.LAZADA, product, TODAY).result().content_hash == expected


def test_renders_start_ahead_within_the_window_and_passed_over_listings_give_their_place_up(monkeypatch):
    monkeypatch.setattr(publish, "RENDER_AHEAD", 3)
    started: list[str] = []

    def submit(product) -> Future:
        started.append(product.product.seller_sku)
        future: Future = Future()
        future.set_result(product.product.seller_sku)
        return future

    candidates = [Candidate(n, catalogue_product(seller_sku=f"SKU-{n}"), f"fp-{n}") for n in range(8)]
    ahead = publish.RendersAhead(submit, candidates)

    assert ahead.take(candidates[0]) == "SKU-0"
    assert started == ["SKU-0", "SKU-1", "SKU-2", "SKU-3"]        # the one taken and three ahead
    assert ahead.take(candidates[3]) == "SKU-3"                   # 1 and 2 were passed over (claims lost)
    assert started == ["SKU-0", "SKU-1", "SKU-2", "SKU-3", "SKU-4", "SKU-5", "SKU-6"]
    ahead.cancel()
    assert ahead.take(candidates[7]) == "SKU-7"                   # after a cancel, only what is asked for
    assert started[-1] == "SKU-7" and len(started) == 8
