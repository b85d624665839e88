"""Where buyers see a listing: its channel's declared public page (ocop.channels), filled with the
listing's remote id and, where the page needs it (Shopee), the shop's id on the platform."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ocop.channels import declaration
from reconcile.classify import Finding

ListingLink = Callable[[Finding], "str | None"]


def listing_links(shop_ids: Mapping[str, str | None]) -> ListingLink:
    """`shop_ids`: shop key -> the shop's id on its platform (None or absent where unknown: a page
    that needs it is then not linked, rather than linked wrongly)."""
    def link(finding: Finding) -> str | None:
        return declaration(finding.channel).listing_page(finding.remote_id, shop_ids.get(finding.shop_key))
    return link
