"""The publisher asks the render pool for a batch's renders a few listings ahead, a few at a time,
and a listing it passes over (its claim lost) gives its place up."""

from __future__ import annotations

from publishing import publisher
from publishing.plan import Candidate
from tests.rendering.listing_products import catalogue_product


class Taken:
    """What the fake pool hands out: the SKU as the result, and whether it was given up."""

    def __init__(self, sku: str) -> None:
        self.sku = sku
        self.cancelled = False

    def result(self) -> str:
        return self.sku

    def cancel(self) -> None:
        self.cancelled = True


def test_renders_start_ahead_in_groups_and_passed_over_listings_give_their_place_up(monkeypatch):
    monkeypatch.setattr(publisher, "RENDER_AHEAD", 4)
    monkeypatch.setattr(publisher, "RENDER_GROUP", 2)
    groups: list[list[str]] = []
    handed: dict[str, Taken] = {}

    def submit(products) -> list[Taken]:
        groups.append([product.product.seller_sku for product in products])
        pending = [Taken(sku) for sku in groups[-1]]
        handed.update((taken.sku, taken) for taken in pending)
        return pending

    candidates = [Candidate(n, catalogue_product(seller_sku=f"SKU-{n}"), f"fp-{n}") for n in range(10)]
    ahead = publisher.RendersAhead(submit, candidates)

    assert ahead.take(candidates[0]) == "SKU-0"
    assert groups == [["SKU-0", "SKU-1"], ["SKU-2", "SKU-3"]]      # the one taken and three ahead, two at a time
    assert ahead.take(candidates[3]) == "SKU-3"                    # 1 and 2 were passed over (claims lost)
    assert handed["SKU-1"].cancelled and handed["SKU-2"].cancelled and not handed["SKU-3"].cancelled
    assert groups[2:] == [["SKU-4", "SKU-5"], ["SKU-6", "SKU-7"]]  # topped up once two or fewer were left
    ahead.cancel()
    assert all(handed[f"SKU-{n}"].cancelled for n in range(4, 8))
    assert ahead.take(candidates[9]) == "SKU-9"                    # after a cancel, only what is asked for
    assert groups[-1] == ["SKU-9"] and len(groups) == 5
