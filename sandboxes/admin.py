"""Direct access to a marketplace sandbox's state, for tests and demos: what a seller does in the
seller centre (edit a title, price or GTIN by hand), what the platform does on its own (reject,
suspend), and items nobody listed through our pipeline (orphans).

Every edit moves the item's update time, as the platform would, so drift shows up in
`update_time` filters too. Status words are the platform's own (`admin.words` lists them).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sandboxes.gateway import Sandbox
from sandboxes.pushes import PushSender
from sandboxes.review import StatusWords
from sandboxes.state import Item

EDITABLE = frozenset({"title", "description", "category_id", "price", "stock", "gtin", "brand", "images",
                      "seller_sku", "weight_kg", "package_cm", "status", "reject_reason"})


class SandboxAdmin:
    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self.channel = sandbox.channel
        self.words: StatusWords = sandbox.words

    def items(self, shop: str | None = None, *, include_deleted: bool = True) -> list[Item]:
        """Every item (of one shop), in id order; reviews that are due are decided first."""
        self.settle_reviews()
        items = self._sandbox.state.all_items(shop)
        return items if include_deleted else [i for i in items if i.status != self.words.deleted]

    def item(self, item_id: int | str) -> Item:
        self.settle_reviews()
        found = self._sandbox.state.get(int(item_id))
        if found is None:
            raise KeyError(f"{self.channel}: no item {item_id}")
        return found

    def find(self, shop: str, seller_sku: str) -> list[Item]:
        """Every item of the shop using `seller_sku`, deleted ones included."""
        self.settle_reviews()
        return self._sandbox.state.by_sku(shop, seller_sku)

    def edit(self, item_id: int | str, **changes: Any) -> Item:
        """Change fields as a seller would by hand, e.g. `edit(id, title="...", price=99000)`."""
        unknown = sorted(set(changes) - EDITABLE)
        if unknown:
            raise ValueError(f"cannot edit {', '.join(unknown)}; editable: {', '.join(sorted(EDITABLE))}")
        item = self.item(item_id)
        if "images" in changes:
            changes["images"] = tuple(changes["images"])
        return self._sandbox.state.put(replace(item, **changes, updated_at=max(self._now(), item.updated_at)))

    def set_status(self, item_id: int | str, status: str, reason: str | None = None) -> Item:
        """Force a platform status (e.g. Shopee "BANNED", TikTok "PLATFORM_DEACTIVATED") with a reason;
        the platform's push follows, if it sends one for that status."""
        item = self.edit(item_id, status=status, reject_reason=reason)
        self._sandbox.pushes.status_changed(item, self.words, by_review=False)
        return item

    def reject(self, item_id: int | str, reason: str) -> Item:
        return self.set_status(item_id, self.words.rejected, reason)

    def approve(self, item_id: int | str) -> Item:
        return self.set_status(item_id, self.words.live)

    def insert(self, shop: str, *, seller_sku: str, title: str, price: int = 100_000, stock: int = 10,
               status: str | None = None, category_id: str = "100001", description: str = "",
               gtin: str | None = None, images: tuple[str, ...] = (), weight_kg: float = 0.5,
               brand: str = "No Brand") -> Item:
        """An item the pipeline never created (an orphan), live unless `status` says otherwise.

        Unlike the API, this does not refuse a seller SKU already in use: duplicates are what a
        reconciliation test may need to stage.
        """
        if shop not in {s.key for s in self._sandbox.shops}:
            raise KeyError(f"{self.channel}: no shop {shop!r}")
        item_id, sku_id = self._sandbox.allocate_ids()
        now = self._now()
        item = Item(
            item_id=item_id, shop=shop, seller_sku=seller_sku, status=status or self.words.live, title=title,
            description=description, category_id=category_id, price=price, stock=stock, weight_kg=weight_kg,
            package_cm=(20.0, 15.0, 10.0), images=tuple(images), brand=brand, gtin=gtin, sku_id=sku_id,
            created_at=now, updated_at=now,
        )
        return self._sandbox.state.put(item)

    def expire_access_tokens(self, shop: str) -> None:
        """Every access token issued to the shop expires now, as hours passing would."""
        self._sandbox.state.change_shop_grants(shop, expires_at=self._now(), kind="access")

    def revoke(self, shop: str) -> None:
        """The seller withdraws the app's authorisation: every code and token issued to the shop stops
        (TikTok Shop says so in a push)."""
        self._sandbox.state.change_shop_grants(shop, spent=True)
        self._sandbox.pushes.authorisation_withdrawn(shop)

    def authorisation_ends(self, shop: str, ends_at: float) -> None:
        """The shop's authorisation nears its end at `ends_at` (Unix time): the platform's warning push."""
        self._sandbox.pushes.authorisation_ending(shop, ends_at)

    @property
    def pushes(self) -> PushSender:
        """What the sandbox pushed (`pushes.wait_sent()` waits for the queue to empty)."""
        return self._sandbox.pushes

    def settle_reviews(self) -> int:
        """Decide every review that is due now; returns how many were decided."""
        return self._sandbox.settle_reviews()

    def write_calls(self, shop: str | None = None) -> int:
        return self._sandbox.write_calls(shop)

    def _now(self) -> float:
        return self._sandbox.clock()
