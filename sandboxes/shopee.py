"""Shopee Open Platform API v2, as a local sandbox.

Common parameters travel in the query string on every call, POST included; the sign is
HMAC-SHA256 (partner key) over `partner_id + path + timestamp + access_token + shop_id`, hex lower
case, and the timestamp must be within 5 minutes of server time. Envelope:
`{"request_id", "error", "message", "warning", "response"}` with `error` "" on success.

Choices where the public documentation is silent (marketplaces.md "not confirmed"):
- HTTP status: business errors answer 200 with the error envelope; a bad or missing common
  parameter 400 (`error_param`); a wrong sign or token 403 (`error_sign`, `error_auth`); an
  unknown item `error_item_not_found` with 200; rate limiting 429 `error_server` "Too many requests".
- A duplicate `item_sku` in one shop is refused with `error_param` naming the item that holds it
  (Shopee does not document SKU uniqueness; this project needs it).
- `get_item_limit` reports the category's GTIN rule as `gtin_limit.gtin_validation_rule`.
- Categories, attributes and brands are the sandbox's catalogue (`sandboxes/catalogue.py`).
  `get_category` names categories in Vietnamese with `language=vi` (the documented VN values are
  `en`/`vi`); `get_attribute_tree` takes `category_id_list` comma-separated (or repeated) and
  answers a category that is not a leaf, or unknown, with an empty tree and a `warning`;
  `get_brand_list` needs a leaf `category_id` (`error_param` otherwise). On add_item/update_item, a
  category that is unknown or not a leaf answers `error_invalid_category`; an attribute the category
  lacks `error_invalid_category_attribute`; a value not in a drop-down's list
  `error_invalid_attribute_value`; `value_id` 0 without `original_value_name`
  `error_value_name_required`; missing mandatory attributes `error_less_required_attribute`, the
  message naming each one; a `brand_id` other than 0 that the category's brand list lacks
  `error_invalid_brand`. Every problem is named in one message, not the first only.
- One model per item (no tier variations): `model_id` is always 0, and `get_model_list` answers
  that one default model with empty `tier_variation`.
- `media_space/upload_image` is an app-level call; it accepts the partner-level sign, or the shop
  sign when `access_token` and `shop_id` are sent too.
- Authorisation: `shop/auth_partner` grants at once (no login page) and redirects with `code` and
  `shop_id`; `auth/token/get` and `auth/access_token/get` answer their tokens at the top level. A
  refresh token works once (the answer carries the next one); a used, expired or unknown one, and
  a used or stale code, answer 400 `error_param`. An expired access token answers 403
  `invalid_acceess_token` (the platform's spelling); one never issued 403 `error_auth`. The access
  token a refresh replaced works until its own expiry. Lifetimes: `[shopee.tokens]`.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from ocop.channels import Channel, declaration
from sandboxes.catalogue import (
    CategoryCatalogue,
    Chosen,
    SandboxAttribute,
    SandboxCategory,
    attribute_problems,
)
from sandboxes.checks import decimal_of, is_valid_gtin, rounded_vnd, whole_number
from sandboxes.config import SandboxShop
from sandboxes.gateway import (
    Call,
    Caller,
    PlatformError,
    Reply,
    Request,
    Route,
    Sandbox,
    inspect_image,
    redirect,
    route,
)
from sandboxes.grants import GrantRefused, IssuedTokens
from sandboxes.review import StatusWords, needs_review_after_edit, start_review
from sandboxes.state import Item, ItemQuery, StoredImage, content_changed, touched

API = "/api/v2"
PUBLIC_PREFIXES = (f"{API}/auth/", f"{API}/public/", f"{API}/push/")
TIMESTAMP_WINDOW = 300
MAX_PAGE = 100
MAX_IDS = 50
IMAGE_MAX_BYTES = 10 * 1024 * 1024
STATUSES = tuple(declaration(Channel.SHOPEE).statuses)
LOGISTICS_CHANNELS = ((50018, "SPX Express"), (50021, "Giao Hàng Nhanh"), (50023, "Viettel Post"))
MAX_CATEGORY_IDS = 20      # get_attribute_tree's category_id_list
# The catalogue's input kinds as get_attribute_tree's input_type numbers.
INPUT_TYPES = {"select": 1, "select_or_custom": 2, "text": 3, "multi_select": 4}


def sign(partner_key: str, partner_id: str, api_path: str, timestamp: str,
         access_token: str = "", shop_id: str = "") -> str:
    """Shopee v2 sign: shop calls pass access_token and shop_id, public calls leave them empty."""
    base = f"{partner_id}{api_path}{timestamp}{access_token}{shop_id}"
    return hmac.new(partner_key.encode("utf-8"), base.encode("utf-8"), hashlib.sha256).hexdigest()


class ShopeeSandbox(Sandbox):
    words = StatusWords(reviewing="REVIEWING", live="NORMAL", rejected="BANNED", inactive="UNLIST",
                        deleted="SELLER_DELETE")
    item_id_start = 20_000_000_001
    sku_id_start = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = CategoryCatalogue.for_channel(self.channel)

    def build_routes(self) -> list[Route]:
        p = f"{API}/product"
        return [
            route("GET", f"{API}/shop/auth_partner", self.auth_partner, scope="app"),
            route("POST", f"{API}/auth/token/get", self.token_get, scope="app"),
            route("POST", f"{API}/auth/access_token/get", self.access_token_get, scope="app"),
            route("POST", f"{API}/media_space/upload_image", self.upload_image, write=True, scope="app"),
            route("GET", f"{API}/logistics/get_channel_list", self.get_channel_list),
            route("POST", f"{p}/add_item", self.add_item, write=True),
            route("POST", f"{p}/update_item", self.update_item, write=True),
            route("POST", f"{p}/update_price", self.update_price, write=True),
            route("POST", f"{p}/update_stock", self.update_stock, write=True),
            route("POST", f"{p}/unlist_item", self.unlist_item, write=True),
            route("POST", f"{p}/delete_item", self.delete_item, write=True),
            route("GET", f"{p}/get_item_list", self.get_item_list),
            route("GET", f"{p}/get_item_base_info", self.get_item_base_info),
            route("GET", f"{p}/get_model_list", self.get_model_list),
            route("GET", f"{p}/search_item", self.search_item),
            route("GET", f"{p}/get_item_limit", self.get_item_limit),
            route("GET", f"{p}/get_category", self.get_category),
            route("GET", f"{p}/get_attribute_tree", self.get_attribute_tree),
            route("GET", f"{p}/get_brand_list", self.get_brand_list),
            route("GET", f"{p}/get_item_violation_info", self.get_item_violation_info),
        ]

    # -- gateway ---------------------------------------------------------------------------------

    def authenticate(self, request: Request, matched: Route, now: float) -> Caller:
        for name in ("partner_id", "timestamp", "sign"):
            if not request.arg(name):
                raise PlatformError("error_param", f"There is no {name} in query.", status=400)
        partner_id, timestamp = request.arg("partner_id"), request.arg("timestamp")
        if not partner_id.isdigit():
            raise PlatformError("error_param", "partner_id must be an integer.", status=400)
        if not timestamp.isdigit() or abs(now - int(timestamp)) > TIMESTAMP_WINDOW:
            raise PlatformError("error_param", "Invalid timestamp: it must be within 5 minutes of server time.", status=400)
        app_shops = [shop for shop in self.shops if shop.app_key == partner_id]
        if not app_shops:
            raise PlatformError("error_param", f"Invalid partner_id {partner_id}.", status=400)
        token, shop_id = request.arg("access_token"), request.arg("shop_id")
        public = request.path.startswith(PUBLIC_PREFIXES) or (matched.scope == "app" and not (token and shop_id))
        if not public:
            for name, value in (("access_token", token), ("shop_id", shop_id)):
                if not value:
                    raise PlatformError("error_param", f"There is no {name} in query.", status=400)
        expected = sign(app_shops[0].app_secret, partner_id, request.path, timestamp,
                        "" if public else token, "" if public else shop_id)
        if not hmac.compare_digest(expected, request.arg("sign").lower()):
            raise PlatformError("error_sign", "Wrong sign.", status=403)
        if public:
            return Caller(app_key=partner_id)
        shop = next((s for s in app_shops if s.shop_id == shop_id), None)
        if shop is None:
            raise PlatformError("error_auth", f"Invalid shop_id {shop_id}: the partner is not authorised by this shop.", status=403)
        try:
            owner = self.token_owner([shop], token, now)
        except GrantRefused:
            raise PlatformError("invalid_acceess_token", "Invalid access_token.", status=403) from None
        if owner is None:
            raise PlatformError("error_auth", "Invalid access_token.", status=403)
        return Caller(app_key=partner_id, shop=shop)

    def error_reply(self, error: PlatformError, request_id: str) -> Reply:
        payload = {"request_id": request_id, "error": str(error.code), "message": error.message, "warning": ""}
        headers = (("Retry-After", "1"),) if error.status == 429 else ()
        return Reply(error.status, payload, headers, code=str(error.code))

    def rate_limited(self, request_id: str) -> PlatformError:
        return PlatformError("error_server", "Too many requests, please try again later.", status=429)

    def internal_error(self) -> PlatformError:
        return PlatformError("error_server", "Internal server error, please try again later.", status=500)

    def unknown_path(self, request: Request) -> PlatformError:
        return PlatformError("error_not_found", f"Wrong API path {request.method} {request.path}.", status=404)

    def new_request_id(self) -> str:
        return uuid.uuid4().hex

    @staticmethod
    def ok(call: Call, response: Any = None, warning: str = "") -> Reply:
        payload = {"request_id": call.request_id, "error": "", "message": "", "warning": warning}
        if response is not None:
            payload["response"] = response
        return Reply(200, payload)

    # -- authorisation ---------------------------------------------------------------------------

    def auth_partner(self, call: Call) -> Reply:
        """The seller's authorisation page, granted at once: back to `redirect` with a code and the
        shop id. `shop_id` (a sandbox extension) picks one of the app's shops; else its first."""
        target = call.request.arg("redirect")
        if not target:
            raise PlatformError("error_param", "There is no redirect in query.", status=400)
        shop = self._app_shop(call, call.request.arg("shop_id"))
        return redirect(target, code=self.grants.new_code(shop.key, call.now), shop_id=str(shop.shop_id))

    def token_get(self, call: Call) -> Reply:
        body = _json_object(call.request)
        shop = self._app_shop(call, body.get("shop_id"), required=True)
        try:
            issued = self.grants.redeem_code(str(body.get("code") or ""), call.now)
        except GrantRefused:
            raise PlatformError("error_param", "Invalid code.", status=400) from None
        if issued.shop != shop.key:
            raise PlatformError("error_param", "Invalid code: it was not issued for this shop_id.", status=400)
        return self._tokens(call, issued)

    def access_token_get(self, call: Call) -> Reply:
        """Refresh: the refresh token works once; the answer carries the one to use next time."""
        body = _json_object(call.request)
        shop = self._app_shop(call, body.get("shop_id"), required=True)
        try:
            issued = self.grants.refresh(str(body.get("refresh_token") or ""), call.now, rotate=True)
        except GrantRefused:
            raise PlatformError("error_param", "Invalid refresh_token.", status=400) from None
        if issued.shop != shop.key:
            raise PlatformError("error_param", "Invalid refresh_token: it was not issued for this shop_id.", status=400)
        return self._tokens(call, issued, shop_id=int(shop.shop_id))

    def _app_shop(self, call: Call, shop_id: Any, *, required: bool = False) -> SandboxShop:
        shops = self.app_shops(call.caller.app_key)
        if shop_id in (None, "") and not required:
            return shops[0]
        shop = next((s for s in shops if s.shop_id == str(shop_id)), None)
        if shop is None:
            raise PlatformError("error_param", f"Invalid shop_id {shop_id!r} for this partner.", status=400)
        return shop

    def _tokens(self, call: Call, issued: IssuedTokens, **extra: Any) -> Reply:
        """Token answers carry their fields at the top level, beside the envelope's."""
        return Reply(200, {"request_id": call.request_id, "error": "", "message": "",
                           "access_token": issued.access_token, "refresh_token": issued.refresh_token,
                           "expire_in": int(issued.access_expires_at - call.now), **extra})

    # -- media and logistics ---------------------------------------------------------------------

    def upload_image(self, call: Call) -> Reply:
        _, files = call.request.form()
        upload = files.get("image")
        if upload is None:
            raise PlatformError("error_param", "There is no image file in the multipart field 'image'.")
        facts = inspect_image(upload.content)
        if facts is None or facts.format not in ("JPEG", "PNG"):
            raise PlatformError("error_param", "The image must be a JPG or PNG file.")
        if len(upload.content) > IMAGE_MAX_BYTES:
            raise PlatformError("error_param", "The image is larger than 10 MB.")
        serial = self.state.next_id("image", 1)
        digest = hashlib.sha256(upload.content).hexdigest()
        image_id = f"vn-11134207-{digest[:16]}{serial:06x}"
        url = f"https://cf.shopee.vn/file/{image_id}"
        self.state.add_image(StoredImage(image_id, call.caller.app_key, url, digest, facts.width, facts.height,
                                         len(upload.content), call.now))
        return self.ok(call, {"image_info": {"image_id": image_id,
                                             "image_url_list": [{"image_url_region": "VN", "image_url": url}]}})

    def get_channel_list(self, call: Call) -> Reply:
        channels = [{"logistics_channel_id": cid, "logistics_channel_name": name, "enabled": True,
                     "cod_enabled": True, "fee_type": "SIZE_INPUT", "mask_channel_id": 0}
                    for cid, name in LOGISTICS_CHANNELS]
        return self.ok(call, {"logistics_channel_list": channels})

    # -- writes ----------------------------------------------------------------------------------

    def add_item(self, call: Call) -> Reply:
        body = _json_object(call.request)
        missing = [name for name in ("original_price", "description", "weight", "item_name", "logistic_info",
                                     "category_id", "image") if name not in body]
        if missing:
            raise PlatformError("error_param", f"Missing required field(s): {', '.join(missing)}.")
        content = self._content(body, call.shop.key)
        price = self._price(body["original_price"])
        stock = _stock_of(body.get("seller_stock", [{"stock": 0}]))
        item_id, _ = self.allocate_ids()
        item = Item(
            item_id=item_id, shop=call.shop.key, status="", price=price, stock=stock, sku_id=0,
            created_at=call.now, updated_at=call.now, **content,
        )
        item = self.state.put(start_review(item, self.settings.review, self.words, call.now))
        return self.ok(call, self._base_info(item))

    def update_item(self, call: Call) -> Reply:
        body = _json_object(call.request)
        item = self._owned(call, body.get("item_id"))
        changes = self._content(body, call.shop.key, current=item)
        if "item_status" in body:
            raise PlatformError("error_param", "item_status cannot be changed by update_item; use unlist_item.")
        updated = touched(item, call.now, **changes)
        if content_changed(item, updated) and needs_review_after_edit(item, self.settings.review, self.words):
            updated = start_review(updated, self.settings.review, self.words, call.now)
        self.state.put(updated)
        return self.ok(call, self._base_info(updated))

    def update_price(self, call: Call) -> Reply:
        body = _json_object(call.request)
        item = self._owned(call, body.get("item_id"))
        entries = body.get("price_list")
        if not isinstance(entries, list) or not entries:
            raise PlatformError("error_param", "price_list must be a non-empty list.")
        success, failure, price = [], [], item.price
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("model_id", 0) != 0:
                failure.append({"model_id": entry.get("model_id") if isinstance(entry, dict) else None,
                                "failed_reason": "model not found: this item has no variations"})
                continue
            price = self._price(entry.get("original_price"))
            success.append({"model_id": 0, "original_price": price})
        if success:
            self.state.put(touched(item, call.now, price=price))
        return self.ok(call, {"success_list": success, "failure_list": failure})

    def update_stock(self, call: Call) -> Reply:
        body = _json_object(call.request)
        item = self._owned(call, body.get("item_id"))
        entries = body.get("stock_list")
        if not isinstance(entries, list) or not entries:
            raise PlatformError("error_param", "stock_list must be a non-empty list.")
        success, failure, stock = [], [], item.stock
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("model_id", 0) != 0:
                failure.append({"model_id": entry.get("model_id") if isinstance(entry, dict) else None,
                                "failed_reason": "model not found: this item has no variations"})
                continue
            stock = _stock_of(entry.get("seller_stock"))
            success.append({"model_id": 0, "seller_stock": [{"stock": stock}]})
        if success:
            self.state.put(touched(item, call.now, stock=stock))
        return self.ok(call, {"success_list": success, "failure_list": failure})

    def unlist_item(self, call: Call) -> Reply:
        body = _json_object(call.request)
        entries = body.get("item_list")
        if not isinstance(entries, list) or not entries or len(entries) > MAX_IDS:
            raise PlatformError("error_param", f"item_list must hold 1 to {MAX_IDS} entries.")
        success, failure = [], []
        for entry in entries:
            item_id, unlist = entry.get("item_id") if isinstance(entry, dict) else None, bool(entry.get("unlist"))
            reason = self._set_listed(call, item_id, not unlist)
            if reason:
                failure.append({"item_id": item_id, "failed_reason": reason})
            else:
                success.append({"item_id": item_id, "unlist": unlist})
        return self.ok(call, {"success_list": success, "failure_list": failure})

    def delete_item(self, call: Call) -> Reply:
        body = _json_object(call.request)
        item = self._owned(call, body.get("item_id"))
        self.state.put(touched(item, call.now, status=self.words.deleted, review_due_at=None))
        return self.ok(call)

    # -- reads -----------------------------------------------------------------------------------

    def get_item_list(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        offset, page_size = _paging(call.request, required=True)
        query = ItemQuery(
            shop=call.shop.key, statuses=_statuses(call.request), offset=offset, limit=page_size,
            updated_from=_int_arg(call.request, "update_time_from"), updated_to=_int_arg(call.request, "update_time_to"),
        )
        items, total = self.state.query(query)
        has_next = offset + len(items) < total
        return self.ok(call, {
            "item": [{"item_id": i.item_id, "item_status": i.status, "update_time": int(i.updated_at)} for i in items],
            "total_count": total, "has_next_page": has_next, "next_offset": offset + len(items) if has_next else 0,
        })

    def get_item_base_info(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        items = [self.state.get(item_id, call.shop.key) for item_id in _id_list(call.request)]
        return self.ok(call, {"item_list": [self._base_info(item) for item in items if item is not None]})

    def get_model_list(self, call: Call) -> Reply:
        """An item without variations has no tiers and one default model, model_id 0."""
        item = self._owned(call, call.request.arg("item_id"))
        model = {
            "model_id": 0, "model_sku": item.seller_sku, "model_status": "MODEL_NORMAL", "tier_index": [],
            "price_info": [{"currency": "VND", "original_price": item.price, "current_price": item.price}],
            "stock_info_v2": _stock_info(item), "gtin_code": item.gtin or "00",
            "pre_order": {"is_pre_order": False, "days_to_ship": 2},
        }
        return self.ok(call, {"tier_variation": [], "standardise_tier_variation": [], "model": [model]})

    def search_item(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        offset, page_size = _paging(call.request, required=False)
        query = ItemQuery(
            shop=call.shop.key, statuses=_statuses(call.request), offset=offset, limit=page_size,
            sku_contains=call.request.arg("item_sku"), title_contains=call.request.arg("item_name"),
        )
        items, total = self.state.query(query)
        response: dict[str, Any] = {"item_id_list": [item.item_id for item in items], "total_count": total}
        if offset + len(items) < total:
            response["next_offset"] = str(offset + len(items))
        return self.ok(call, response)

    def get_item_limit(self, call: Call) -> Reply:
        limits = self.settings.limits
        category = call.request.arg("category_id") or ""
        gtin_rule = "Mandatory" if category in self.settings.review.gtin_required_categories else "Flexible"
        return self.ok(call, {
            "price_limit": {"min_limit": limits.price_min, "max_limit": limits.price_max},
            "stock_limit": {"min_limit": 0, "max_limit": 999_999},
            "item_name_length_limit": {"min_limit": limits.title_min, "max_limit": limits.title_max},
            "item_image_count_limit": {"min_limit": limits.images_min, "max_limit": limits.images_max},
            "item_description_length_limit": {"min_limit": limits.description_min,
                                              "max_limit": limits.description_max},
            "weight_limit": {"weight_mandatory": True},
            "dimension_limit": {"dimension_mandatory": False},
            "gtin_limit": {"gtin_validation_rule": gtin_rule},
        })

    def get_category(self, call: Call) -> Reply:
        vietnamese = _language(call.request, ("en", "vi")) == "vi"
        categories = self.catalogue.categories()
        return self.ok(call, {"category_list": [{
            "category_id": int(c.id), "parent_category_id": int(c.parent_id), "original_category_name": c.name_en,
            "display_category_name": c.name if vietnamese else c.name_en, "has_children": not self.catalogue.is_leaf(c.id),
        } for c in categories]})

    def get_attribute_tree(self, call: Call) -> Reply:
        raw = [part.strip() for value in call.request.query.get("category_id_list", [])
               for part in value.strip("[]").split(",") if part.strip()]
        ids = [whole_number(part) for part in raw]
        if not ids or any(i is None for i in ids):
            raise PlatformError("error_param", "CategoryIdList is required: category_id_list=<id>,<id>.")
        if len(ids) > MAX_CATEGORY_IDS:
            raise PlatformError("error_param", f"category_id_list holds {len(ids)} ids; at most {MAX_CATEGORY_IDS}.")
        _language(call.request, ("en", "vn"))
        entries = []
        for category_id in ids:
            leaf = self.catalogue.leaf(category_id)
            warning = "" if leaf else f"category {category_id} is not a leaf category: it has no attributes"
            tree = [_attribute_node(a) for a in leaf.attributes] if leaf else []
            entries.append({"category_id": category_id, "warning": warning, "attribute_tree": tree})
        return self.ok(call, {"list": entries})

    def get_brand_list(self, call: Call) -> Reply:
        offset, page_size = _paging(call.request, required=True)
        leaf = self.catalogue.leaf(call.request.arg("category_id") or "")
        if leaf is None:
            raise PlatformError("error_param", f"category_id {call.request.arg('category_id')!r} must be a leaf category.")
        if (call.request.arg("status") or "1") not in ("1", "2"):
            raise PlatformError("error_param", "status must be 1 (normal) or 2 (pending).")
        brands = self.catalogue.brands(leaf.id) if (call.request.arg("status") or "1") == "1" else []
        page = brands[offset:offset + page_size]
        has_next = offset + len(page) < len(brands)
        return self.ok(call, {
            "brand_list": [{"brand_id": int(b.id), "original_brand_name": b.name, "display_brand_name": b.name}
                           for b in page],
            "has_next_page": has_next, "next_offset": offset + len(page) if has_next else 0,
            "is_mandatory": False, "input_type": "DROP_DOWN",
        })

    def get_item_violation_info(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        found = [self.state.get(item_id, call.shop.key) for item_id in _id_list(call.request)]
        entries = []
        for item in (i for i in found if i is not None):
            details = []
            if item.reject_reason:
                details.append({"violation_type": item.extra.get("violation_type") or "Other Listing Improvement",
                                "violation_reason": item.reject_reason,
                                "suggestion": "Edit the listing to fix the reason above, then save it to resubmit.",
                                "fix_deadline_time": 0, "update_time": int(item.updated_at)})
            entries.append({"item_id": item.item_id, "item_name": item.title, "item_status": item.status,
                            "deboost": False, "item_status_details": details, "deboost_details": []})
        return self.ok(call, {"item_list": entries})

    # -- helpers ---------------------------------------------------------------------------------

    def _owned(self, call: Call, item_id: Any) -> Item:
        number = whole_number(item_id)
        if number is None:
            raise PlatformError("error_param", "item_id is required and must be an integer.")
        item = self.state.get(number, call.shop.key)
        if item is None or item.status in (self.words.deleted, "SHOPEE_DELETE"):
            raise PlatformError("error_item_not_found", f"Item {number} not found in this shop.")
        return item

    def _set_listed(self, call: Call, item_id: Any, listed: bool) -> str | None:
        """Unlist or relist one item; the reason it cannot be done, or None."""
        try:
            item = self._owned(call, item_id)
        except PlatformError as error:
            return error.message
        words = self.words
        if item.status == words.reviewing:
            self.state.put(touched(item, call.now, extra={**item.extra, "requested_inactive": not listed}))
            return None
        if item.status not in (words.live, words.inactive):
            return f"Item status {item.status} does not allow {'relisting' if listed else 'unlisting'}."
        target = words.live if listed else words.inactive
        if item.status != target:
            self.state.put(touched(item, call.now, status=target))
        return None

    def _price(self, value: Any) -> int:
        price = rounded_vnd(value)
        limits = self.settings.limits
        if price is None or not limits.price_min <= price <= limits.price_max:
            raise PlatformError("error_invalid_price",
                                f"original_price {value!r} is invalid: expected {limits.price_min} to {limits.price_max} VND.")
        return price

    def _content(self, body: dict[str, Any], shop: str, current: Item | None = None) -> dict[str, Any]:
        """The listing fields present in an add/update body, checked against the limits."""
        limits, changes = self.settings.limits, {}
        if "item_name" in body or current is None:
            name = body.get("item_name")
            if not isinstance(name, str):
                raise PlatformError("error_param", "item_name must be a string.")
            if len(name.strip()) < limits.title_min:
                raise PlatformError("error_item_name_is_too_short",
                                    f"item_name is shorter than {limits.title_min} characters.")
            if len(name) > limits.title_max:
                raise PlatformError("error_title_exceeds_max_length",
                                    f"item_name has {len(name)} characters; the limit is {limits.title_max}.")
            changes["title"] = name
        if "description" in body or current is None:
            changes["description"] = self._description(body.get("description"))
        if "category_id" in body or current is None:
            changes["category_id"] = self._category(body.get("category_id"))
        if "image" in body or current is None:
            changes["images"] = self._images(body.get("image"))
        if "weight" in body or current is None:
            weight = decimal_of(body.get("weight"))
            if weight is None or weight <= 0:
                raise PlatformError("error_param", f"weight {body.get('weight')!r} must be a positive number of kg.")
            changes["weight_kg"] = float(weight)
        if "dimension" in body:
            changes["package_cm"] = _dimension(body["dimension"])
        elif current is None:
            changes["package_cm"] = None
        if "gtin_code" in body or current is None:
            changes["gtin"] = _gtin(body.get("gtin_code"))
        category = self.catalogue.leaf(changes.get("category_id") or (current.category_id if current else ""))
        if "brand" in body or current is None:
            changes["brand"] = self._brand(body.get("brand"), category)
        if "item_sku" in body or current is None:
            changes["seller_sku"] = self._item_sku(body.get("item_sku"), shop, current)
        extra = dict(current.extra) if current else {}
        if {"attribute_list", "category_id"} & set(body) or current is None:
            sent = body["attribute_list"] if "attribute_list" in body else extra.get("attribute_list", [])
            extra["attribute_list"] = _checked_attributes(sent, category)
        if "logistic_info" in body or current is None:
            extra["logistic_info"] = _logistics(body.get("logistic_info"))
        if current is None:
            status = body.get("item_status", "NORMAL")
            if status not in ("NORMAL", "UNLIST"):
                raise PlatformError("error_param", f"item_status {status!r} must be NORMAL or UNLIST.")
            extra["requested_inactive"] = status == "UNLIST"
        changes["extra"] = extra
        return changes

    def _description(self, value: Any) -> str:
        limits = self.settings.limits
        if not isinstance(value, str):
            raise PlatformError("error_param", "description must be a string.")
        if len(value) < limits.description_min:
            raise PlatformError("error_desc_length_min_limit",
                                f"description has {len(value)} characters; at least {limits.description_min} are required.")
        if len(value) > limits.description_max:
            raise PlatformError("error_param",
                                f"description has {len(value)} characters; the limit is {limits.description_max}.")
        return value

    def _category(self, value: Any) -> str:
        number = whole_number(value)
        allowed = self.settings.categories
        if number is None or number <= 0 or (allowed and str(number) not in allowed):
            raise PlatformError("error_invalid_category", f"Invalid category ID {value!r}.")
        if self.catalogue.category(number) is None:
            raise PlatformError("error_invalid_category", f"Invalid category ID {number}: no such category.")
        if self.catalogue.leaf(number) is None:
            raise PlatformError("error_invalid_category",
                                f"Invalid category ID {number}: it has children; only a leaf category takes items.")
        return str(number)

    def _brand(self, value: Any, category: SandboxCategory | None) -> str:
        """brand_id 0 is "No brand" (its name is kept as sent); any other must be the category's."""
        if value is None:
            return "No Brand"
        brand_id = whole_number(value.get("brand_id")) if isinstance(value, dict) else None
        if brand_id is None:
            raise PlatformError("error_invalid_brand", "Brand ID required: brand must be {brand_id, original_brand_name}.")
        if brand_id == 0:
            return str(value.get("original_brand_name") or "No Brand")
        known = self.catalogue.brand(category.id, brand_id=str(brand_id)) if category else None
        if known is None:
            raise PlatformError("error_invalid_brand", f"Invalid brand: brand_id {brand_id} is not in the brand list "
                                f"of category {category.id if category else '?'}; use 0 for No brand.")
        return known.name

    def _images(self, value: Any) -> tuple[str, ...]:
        ids = value.get("image_id_list") if isinstance(value, dict) else None
        if not isinstance(ids, list):
            raise PlatformError("error_param", "image.image_id_list must be a list of image ids.")
        limits = self.settings.limits
        if len(ids) < limits.images_min:
            raise PlatformError("error_image_num_min", f"At least {limits.images_min} image(s) required.")
        if len(ids) > limits.images_max:
            raise PlatformError("error_param", f"{len(ids)} images; at most {limits.images_max} are allowed.")
        for image_id in ids:
            if not isinstance(image_id, str) or self.state.image(image_id) is None:
                raise PlatformError("error_param", f"image_id {image_id!r} is invalid: upload it with media_space/upload_image.")
        return tuple(ids)

    def _item_sku(self, value: Any, shop: str, current: Item | None) -> str:
        sku = "" if value is None else value
        longest = self.settings.limits.seller_sku_max
        if not isinstance(sku, str) or len(sku) > longest:
            raise PlatformError("error_param", f"item_sku must be a string of at most {longest} characters.")
        holder = self.sku_holder(shop, sku, other_than=current.item_id if current else None) if sku else None
        if holder is not None:
            raise PlatformError("error_param", f"item_sku {sku!r} is already used by item {holder.item_id} in this shop.")
        return sku

    def _brand_id(self, item: Item) -> int:
        known = self.catalogue.brand(item.category_id, name=item.brand)
        return int(known.id) if known else 0

    def _base_info(self, item: Item) -> dict[str, Any]:
        return {
            "item_id": item.item_id, "category_id": int(item.category_id), "item_name": item.title,
            "description": item.description, "description_type": "normal", "item_sku": item.seller_sku,
            "create_time": int(item.created_at), "update_time": int(item.updated_at), "item_status": item.status,
            "price_info": [{"currency": "VND", "original_price": item.price, "current_price": item.price}],
            "stock_info_v2": _stock_info(item),
            "image": {"image_id_list": list(item.images),
                      "image_url_list": [f"https://cf.shopee.vn/file/{i}" for i in item.images]},
            "weight": f"{item.weight_kg:g}",
            "dimension": _dimension_out(item.package_cm),
            "logistic_info": item.extra.get("logistic_info", []),
            "brand": {"brand_id": self._brand_id(item), "original_brand_name": item.brand},
            "attribute_list": item.extra.get("attribute_list", []),
            "gtin_code": item.gtin or "00",
            "condition": "NEW", "has_model": False, "item_dangerous": 0,
        }


def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = request.json()
    except ValueError:
        raise PlatformError("error_param", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise PlatformError("error_param", "The request body must be a JSON object.")
    return body


def _checked_attributes(value: Any, category: SandboxCategory | None) -> list[dict[str, Any]]:
    """add_item's attribute_list checked against the category: every problem named at once."""
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise PlatformError("error_param", "attribute_list must be a list of {attribute_id, attribute_value_list}.")
    if category is None:
        return value
    chosen = []
    for entry in value:
        values = entry.get("attribute_value_list")
        if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
            raise PlatformError("error_param", f"attribute {entry.get('attribute_id')}: attribute_value_list must be a list.")
        unnamed = [v for v in values if whole_number(v.get("value_id")) == 0 and not str(v.get("original_value_name") or "").strip()]
        if unnamed:
            raise PlatformError("error_value_name_required",
                                f"Value_name is required: attribute {entry.get('attribute_id')} sends value_id 0 "
                                "without original_value_name.")
        chosen.append(Chosen(str(entry.get("attribute_id")), tuple(
            (str(whole_number(v.get("value_id")) or ""), v.get("original_value_name")) for v in values)))
    problems, missing = attribute_problems(category, chosen)
    foreign = [p for p in problems if "is not an attribute of" in p]
    if foreign:
        raise PlatformError("error_invalid_category_attribute", "Category and attribute not match: " + "; ".join(foreign) + ".")
    if problems:
        raise PlatformError("error_invalid_attribute_value", "Invalid attribute value: " + "; ".join(problems) + ".")
    if missing:
        raise PlatformError("error_less_required_attribute", "Mandatory attribute information required: "
                            + ", ".join(f"{a.id} ({a.name} / {a.label})" for a in missing) + ".")
    return value


def _attribute_node(attribute: SandboxAttribute) -> dict[str, Any]:
    return {
        "attribute_id": int(attribute.id), "mandatory": attribute.mandatory, "name": attribute.name,
        "multi_lang": [{"language": "vn", "value": attribute.label}],
        "attribute_value_list": [{"value_id": int(v.id), "name": v.name, "value_unit": "",
                                  "multi_lang": [{"language": "vn", "value": v.name}], "child_attribute_list": []}
                                 for v in attribute.values],
        "attribute_info": {"input_type": INPUT_TYPES[attribute.input], "input_validation_type": 2 if attribute.input == "text" else 0,
                           "format_type": 1, "date_format_type": 0, "attribute_unit_list": [],
                           "max_value_count": len(attribute.values) if attribute.input == "multi_select" else 1,
                           "introduction": "", "is_oem": False, "support_search_value": False},
    }


def _language(request: Request, accepted: tuple[str, ...]) -> str:
    language = request.arg("language") or "en"
    if language not in accepted:
        raise PlatformError("error_invalid_language", f"language {language!r} must be one of {', '.join(accepted)}.")
    return language


def _stock_info(item: Item) -> dict[str, Any]:
    return {"summary_info": {"total_reserved_stock": 0, "total_available_stock": item.stock},
            "seller_stock": [{"location_id": "VNZ", "stock": item.stock}]}


def _stock_of(value: Any) -> int:
    entries = value if isinstance(value, list) else None
    stock = whole_number(entries[0].get("stock")) if entries and isinstance(entries[0], dict) else None
    if stock is None or stock < 0:
        raise PlatformError("error_param", f"seller_stock {value!r} must be [{{\"stock\": <non-negative integer>}}].")
    return stock


def _gtin(value: Any) -> str | None:
    if value in (None, "", "00"):
        return None
    code = str(value)
    if not is_valid_gtin(code):
        raise PlatformError("error_param_validate", f"gtin_code {code!r} is not a valid GTIN (8 to 14 digits with a check digit).")
    return code


def _dimension(value: Any) -> tuple[float, float, float]:
    parts = [whole_number(value.get(k)) if isinstance(value, dict) else None
             for k in ("package_length", "package_width", "package_height")]
    if any(p is None or p <= 0 for p in parts):
        raise PlatformError("error_param", "dimension needs package_length, package_width and package_height as positive whole cm.")
    return (float(parts[0]), float(parts[1]), float(parts[2]))


def _dimension_out(package_cm: tuple[float, float, float] | None) -> dict[str, int]:
    if package_cm is None:
        return {}
    length, width, height = package_cm
    return {"package_length": int(length), "package_width": int(width), "package_height": int(height)}


def _logistics(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not any(isinstance(e, dict) and e.get("enabled") for e in value):
        raise PlatformError("error_param", "logistic_info must enable at least one logistics channel.")
    return value


def _paging(request: Request, *, required: bool) -> tuple[int, int]:
    offset, page_size = request.arg("offset") or "0", request.arg("page_size")
    if page_size is None and not required:
        page_size = str(MAX_PAGE)
    if page_size is None or not page_size.isdigit() or not 1 <= int(page_size) <= MAX_PAGE:
        raise PlatformError("error_param", f"page_size must be an integer from 1 to {MAX_PAGE}.")
    if not offset.isdigit():
        raise PlatformError("error_param", "offset must be a non-negative integer.")
    return int(offset), int(page_size)


def _statuses(request: Request) -> tuple[str, ...]:
    raw = [part for value in request.query.get("item_status", []) for part in value.split(",") if part]
    unknown = [s for s in raw if s not in STATUSES]
    if unknown:
        raise PlatformError("error_param", f"item_status {unknown[0]!r} is not one of {', '.join(STATUSES)}.")
    return tuple(raw) or ("NORMAL", "BANNED", "UNLIST", "REVIEWING")


def _id_list(request: Request) -> list[int]:
    raw = [part.strip() for value in request.query.get("item_id_list", []) for part in value.strip("[]").split(",")]
    ids = [whole_number(part) for part in raw if part]
    if not ids or any(i is None for i in ids):
        raise PlatformError("error_param", "item_id_list must hold item ids, e.g. item_id_list=1,2.")
    if len(ids) > MAX_IDS:
        raise PlatformError("error_param", f"item_id_list holds {len(ids)} ids; at most {MAX_IDS} are allowed.")
    return ids


def _int_arg(request: Request, name: str) -> int | None:
    value = request.arg(name)
    if value is None:
        return None
    if not value.isdigit():
        raise PlatformError("error_param", f"{name} must be a Unix timestamp in seconds.")
    return int(value)
