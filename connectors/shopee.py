"""Shopee Open Platform API v2: signing, common parameters, envelope, error codes and item mapping.

Common parameters travel in the query string of every call, POST included; the signature is an
HMAC-SHA256 (partner key) over partner_id + api_path + timestamp + access_token + shop_id, hex lower.

Category attributes go in `attribute_list`: a value the attribute lists by name is sent by its
`value_id`; any other as `value_id` 0 with `original_value_name` (free text, or a custom value of a
combo box). Only attributes the category defines are sent. The brand is the category's brand of
that name (`get_brand_list`), else `brand_id` 0, "No Brand".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import replace
from typing import Any, Iterator, Sequence
from urllib.parse import urlencode

import requests
from pydantic import SecretStr

from connectors.base import (
    ApiCall,
    Envelope,
    HttpConnector,
    PlatformFailure,
    PreparedCall,
    json_body,
    map_status,
    retry_after_header,
)
from connectors.categories import (
    DEFAULT_REFRESH_S,
    NO_BRAND,
    AttributeValue,
    Brand,
    Category,
    CategoryAttribute,
    CategoryRules,
    CategoryTree,
    category_cache_for,
    find_brand,
    is_no_brand,
)
from connectors.errors import (
    AuthError,
    ConnectorError,
    NotFound,
    ReauthorisationNeeded,
    Rejected,
    TokenExpired,
    TransientError,
)
from connectors.tokens import TokenSet
from connectors.types import CreateResult, ListingContent, ListingStatus, RemoteListing
from ocop.channels import Channel

API = "/api/v2"
# Signed without access_token and shop_id. media_space is app-level: its documentation lists only
# partner_id, timestamp and sign as common parameters.
PUBLIC_PREFIXES = (f"{API}/auth/", f"{API}/public/", f"{API}/push/", f"{API}/media_space/")
PAGE_SIZE = 100            # get_item_list maximum
BASE_INFO_BATCH = 50       # get_item_base_info maximum
NO_GTIN = "00"             # Shopee's "this product has no GTIN"
PICK_ONLY_INPUTS = {1, 4}  # SINGLE_DROP_DOWN, MULTI_DROP_DOWN: values from the list only
MULTIPLE_INPUTS = {4, 5}   # MULTI_DROP_DOWN, MULTI_COMBO_BOX
REFRESH_TOKEN_SECONDS = 30 * 86_400   # not in the answer; the documented 30 days
LISTED_STATUSES = ("NORMAL", "REVIEWING", "UNLIST", "BANNED")
AUTH_ERRORS = {"error_sign", "error_auth", "error_permission", "error_invalid_partner"}
# "invalid_acceess_token" is how the platform spells it; public clients refresh on it.
EXPIRED_TOKEN_ERRORS = {"invalid_acceess_token", "invalid_access_token"}
TRANSIENT_ERRORS = {"error_server", "error_inner", "error_network", "error_busy"}
# error_param covers both our payload and the common parameters; the latter mean a broken shop setup.
COMMON_PARAMETER_WORDS = ("timestamp", "partner_id", "shop_id", "access_token")


def sign(partner_key: str, base_string: str) -> str:
    return hmac.new(partner_key.encode(), base_string.encode(), hashlib.sha256).hexdigest()


class ShopeeConnector(HttpConnector):
    channel = Channel.SHOPEE

    def __init__(self, shop, *, logistic_ids: Sequence[int] = (), category_refresh_s: float = DEFAULT_REFRESH_S,
                 **options: Any) -> None:
        """`logistic_ids`: the shop's enabled logistics channels for new items (add_item requires
        at least one); when empty they are read once from logistics/get_channel_list.
        `category_refresh_s`: how long the shop's categories, attributes and brands are kept."""
        super().__init__(shop, **options)
        self._logistic_ids = list(logistic_ids)
        self.category_cache = category_cache_for(shop.key, category_refresh_s)

    # ---- hooks -------------------------------------------------------------------------------

    def prepare(self, call: ApiCall, timestamp: float) -> PreparedCall:
        public = call.path.startswith(PUBLIC_PREFIXES)
        credentials = self.shop.credentials if public else self.credentials()
        ts = str(int(timestamp))
        common = {"partner_id": credentials.app_key, "timestamp": ts}
        base_string = f"{credentials.app_key}{call.path}{ts}"
        if not public:
            token = credentials.access_token.get_secret_value()
            common |= {"access_token": token, "shop_id": credentials.shop_id or ""}
            base_string += f"{token}{credentials.shop_id or ''}"
        common["sign"] = sign(credentials.app_secret.get_secret_value(), base_string)
        prepared = PreparedCall(call.method, self.base_url + call.path, params=common | call.query)
        if call.files:
            prepared.files = call.files
        elif call.body is not None:
            prepared.data = json.dumps(call.body, ensure_ascii=False).encode()
            prepared.headers["Content-Type"] = "application/json"
        return prepared

    def read_envelope(self, response: requests.Response) -> Envelope | PlatformFailure:
        body = json_body(response)
        if body is None:
            return PlatformFailure(response.status_code, f"http_{response.status_code}",
                                   response.reason or "answer is not JSON")
        error = body.get("error") or ""
        if error or response.status_code >= 400:
            return PlatformFailure(response.status_code, error or f"http_{response.status_code}",
                                   body.get("message") or "", body.get("request_id"), retry_after_header(response))
        # The token calls answer at the top level, beside the envelope's fields.
        return Envelope(body["response"] if "response" in body else body, body.get("request_id"))

    def classify_error(self, failure: PlatformFailure) -> ConnectorError:
        name = failure.code.rsplit(".", 1)[-1]        # some answers prefix the module: product.error_x
        message = failure.message.lower()
        args = {"code": failure.code, "request_id": failure.request_id}
        if failure.http_status == 429 or "too many request" in message:
            return self._rate_limited(failure)
        if name in EXPIRED_TOKEN_ERRORS or (name == "error_auth" and "access_token" in message):
            return TokenExpired(failure.message, **args)
        if name in ("error_param", "error_auth") and ("refresh_token" in message or "invalid code" in message):
            return ReauthorisationNeeded(failure.message, **args)
        if name in AUTH_ERRORS or (name == "error_param" and _names_common_parameter(message)):
            return AuthError(failure.message, **args)
        if name in TRANSIENT_ERRORS or failure.http_status >= 500:
            return TransientError(failure.message, **args)
        if "not_found" in name or "not found" in message or "not exist" in message:
            return NotFound(failure.message, **args)
        if name.startswith("error_"):
            return Rejected(failure.message, **args)
        return super().classify_error(failure)

    # ---- connecting a shop --------------------------------------------------------------------

    def authorization_url(self, redirect_uri: str, state: str) -> str:
        """Shopee's redirect carries `code` and `shop_id`; it has no state parameter, so the state
        rides in the redirect URL itself."""
        credentials, ts = self.shop.credentials, str(int(self._clock()))
        path = f"{API}/shop/auth_partner"
        signature = sign(credentials.app_secret.get_secret_value(), f"{credentials.app_key}{path}{ts}")
        back = f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode({'state': state})}"
        query = {"partner_id": credentials.app_key, "timestamp": ts, "sign": signature, "redirect": back}
        return f"{self.base_url}{path}?{urlencode(query)}"

    def exchange_code(self, code: str, shop_id: str | None = None) -> TokenSet:
        if not shop_id:
            raise ValueError("Shopee names the shop in the redirect (shop_id=...): give it with the code")
        return self._token_call(f"{API}/auth/token/get", {"code": code, "shop_id": int(shop_id)}, shop_id)

    def refresh_tokens(self, tokens: TokenSet) -> TokenSet:
        """The refresh token works once: the answer's one replaces it, and must be kept."""
        shop_id = tokens.shop_id or self.shop.credentials.shop_id or ""
        body = {"refresh_token": tokens.refresh_token.get_secret_value(), "shop_id": int(shop_id)}
        return self._token_call(f"{API}/auth/access_token/get", body, shop_id)

    def _token_call(self, path: str, body: dict[str, Any], shop_id: str) -> TokenSet:
        # Not resent on a lost answer: the code or refresh token may already be spent.
        envelope = self.request(ApiCall("POST", path, body=body | {"partner_id": int(self.shop.credentials.app_key)},
                                        idempotent=False))
        now = self._clock()
        data = envelope.data
        return TokenSet(access_token=SecretStr(str(data["access_token"])), issued_at=now,
                        access_expires_at=now + float(data["expire_in"]),
                        refresh_token=SecretStr(str(data["refresh_token"])),
                        refresh_expires_at=now + REFRESH_TOKEN_SECONDS, shop_id=str(shop_id))

    # ---- operations --------------------------------------------------------------------------

    def upload_image(self, content: bytes, filename: str) -> str:
        envelope = self.request(ApiCall("POST", f"{API}/media_space/upload_image",
                                        files={"image": (filename, content)}))
        info = envelope.data.get("image_info") or envelope.data
        return str(info["image_id"])

    def create_call(self, content: ListingContent) -> ApiCall:
        body = self._item_body(content) | {
            "original_price": content.price_vnd,
            "seller_stock": [{"stock": content.stock}],
            "item_status": "NORMAL",
            "logistic_info": [{"logistic_id": i, "enabled": True} for i in self.logistic_ids()],
        }
        return ApiCall("POST", f"{API}/product/add_item", body=body, idempotent=False)

    def read_create_result(self, envelope: Envelope) -> CreateResult:
        return CreateResult(str(envelope.data["item_id"]), None, envelope.request_id)

    def update(self, remote_id: str, content: ListingContent, *, remote_sku_id: str | None = None) -> None:
        # An item without variations has one model, model_id 0: there is no SKU id to name here or below.
        body = {"item_id": int(remote_id)} | self._item_body(content)
        self.request(ApiCall("POST", f"{API}/product/update_item", body=body))

    def update_price_stock(self, remote_id: str, price_vnd: int, stock: int, *, seller_sku: str,
                           remote_sku_id: str | None = None) -> None:
        item_id = int(remote_id)
        price = self.request(ApiCall("POST", f"{API}/product/update_price", body={
            "item_id": item_id, "price_list": [{"model_id": 0, "original_price": price_vnd}]}))
        _raise_on_failure_list(price, remote_id)
        stock_answer = self.request(ApiCall("POST", f"{API}/product/update_stock", body={
            "item_id": item_id, "stock_list": [{"model_id": 0, "seller_stock": [{"stock": stock}]}]}))
        _raise_on_failure_list(stock_answer, remote_id)

    def get(self, remote_id: str) -> RemoteListing:
        items = self._base_info([remote_id])
        if not items:
            raise NotFound(f"item {remote_id} is not in shop {self.shop.key}", code="item_not_found")
        return items[0]

    def iter_listings(self) -> Iterator[RemoteListing]:
        """Every item that is not deleted: get_item_list pages ids, get_item_base_info reads them."""
        for ids in self._item_id_pages():
            for start in range(0, len(ids), BASE_INFO_BATCH):
                yield from self._base_info(ids[start:start + BASE_INFO_BATCH])

    def find_by_seller_sku(self, seller_sku: str) -> RemoteListing | None:
        """search_item matches SKUs by substring; the exact one is picked from what it finds."""
        for ids in self._search_pages(seller_sku):
            for start in range(0, len(ids), BASE_INFO_BATCH):
                for item in self._base_info(ids[start:start + BASE_INFO_BATCH]):
                    if item.seller_sku == seller_sku and item.status != ListingStatus.DELETED:
                        return item
        return None

    def is_duplicate_sku(self, error: Rejected) -> bool:
        # Shopee documents no SKU uniqueness; where a shop enforces it the refusal names item_sku.
        message = error.message.lower()
        return "item_sku" in message and ("already" in message or "duplicate" in message)

    def unlist(self, remote_id: str) -> None:
        self._set_unlisted(remote_id, True)

    def relist(self, remote_id: str) -> None:
        self._set_unlisted(remote_id, False)

    def delete(self, remote_id: str) -> None:
        self.request(ApiCall("POST", f"{API}/product/delete_item", body={"item_id": int(remote_id)}))

    # ---- categories, attributes, brands ---------------------------------------------------------

    def category_tree(self) -> CategoryTree:
        def read() -> CategoryTree:
            envelope = self.request(ApiCall("GET", f"{API}/product/get_category", query={"language": "vi"}))
            return CategoryTree(tuple(
                Category(str(c["category_id"]), str(c["parent_category_id"]) if c.get("parent_category_id") else None,
                         c.get("display_category_name") or c.get("original_category_name") or "", not c.get("has_children"))
                for c in envelope.data.get("category_list") or []))
        return self.category_cache.get(("tree",), read)

    def category_attributes(self, category_id: str) -> tuple[CategoryAttribute, ...]:
        def read() -> tuple[CategoryAttribute, ...]:
            envelope = self.request(ApiCall("GET", f"{API}/product/get_attribute_tree",
                                            query={"category_id_list": str(category_id), "language": "vn"}))
            entries = envelope.data.get("list") or [{}]
            return tuple(_attribute(node) for node in entries[0].get("attribute_tree") or [])
        return self.category_cache.get(("attributes", str(category_id)), read)

    def category_brands(self, category_id: str) -> tuple[Brand, ...]:
        def read() -> tuple[Brand, ...]:
            brands, offset = [], 0
            while True:
                page = self.request(ApiCall("GET", f"{API}/product/get_brand_list", query={
                    "category_id": str(category_id), "offset": offset, "page_size": PAGE_SIZE, "status": 1})).data
                brands += [Brand(str(b["brand_id"]), b.get("original_brand_name") or "") for b in page.get("brand_list") or []]
                if not page.get("has_next_page"):
                    return tuple(brands)
                offset = int(page["next_offset"])
        return self.category_cache.get(("brands", str(category_id)), read)

    def category_rules(self, category_id: str) -> CategoryRules:
        """Shopee has no category-rule call: what a category needs is in its attributes."""
        return CategoryRules()

    def _listed_brand(self, content: ListingContent) -> Brand | None:
        """The category's brand the listing names; None for No brand, for a name the list lacks, and
        when the platform gives no list for the category (the create then says what is wrong with it)."""
        if is_no_brand(content.brand):
            return None
        try:
            return find_brand(self.category_brands(content.category_id), content.brand)
        except Rejected:
            return None

    # ---- mapping and helpers -----------------------------------------------------------------

    def logistic_ids(self) -> list[int]:
        if not self._logistic_ids:
            envelope = self.request(ApiCall("GET", f"{API}/logistics/get_channel_list"))
            channels = envelope.data.get("logistics_channel_list") or []
            self._logistic_ids = [c["logistics_channel_id"] for c in channels if c.get("enabled")]
        return self._logistic_ids

    def _item_body(self, content: ListingContent) -> dict[str, Any]:
        length, width, height = content.package_cm
        body = {
            "item_name": content.title,
            "description": content.description,
            "weight": content.weight_kg,
            "category_id": int(content.category_id),
            "image": {"image_id_list": list(content.image_refs)},
            "item_sku": content.seller_sku,
            "gtin_code": content.gtin or NO_GTIN,
            "brand": self._brand(content),
            "dimension": {"package_length": length, "package_width": width, "package_height": height},
        }
        if content.attributes:
            body["attribute_list"] = self._attribute_list(content)
        return body

    def _brand(self, content: ListingContent) -> dict[str, Any]:
        brand = self._listed_brand(content)
        return {"brand_id": int(brand.id), "original_brand_name": brand.name} if brand else \
            {"brand_id": 0, "original_brand_name": NO_BRAND}

    def _attribute_list(self, content: ListingContent) -> list[dict[str, Any]]:
        entries = []
        for attribute in self.category_attributes(content.category_id):
            value = content.attributes.get(attribute.key)
            if value:
                known = attribute.value_named(value)
                entries.append({"attribute_id": int(attribute.key), "attribute_value_list": [
                    {"value_id": int(known.id)} if known else {"value_id": 0, "original_value_name": value}]})
        return entries

    def _item_id_pages(self) -> Iterator[list[str]]:
        offset = 0
        while True:
            envelope = self.request(ApiCall("GET", f"{API}/product/get_item_list", query={
                "offset": offset, "page_size": PAGE_SIZE, "item_status": list(LISTED_STATUSES)}))
            page = envelope.data
            ids = [str(item["item_id"]) for item in page.get("item") or []]
            if ids:
                yield ids
            if not page.get("has_next_page") or not ids:
                return
            offset = page.get("next_offset", offset + len(ids))

    def _search_pages(self, seller_sku: str) -> Iterator[list[str]]:
        offset = 0
        while True:
            envelope = self.request(ApiCall("GET", f"{API}/product/search_item", query={
                "item_sku": seller_sku, "offset": offset, "page_size": PAGE_SIZE,
                "item_status": list(LISTED_STATUSES)}))
            ids = [str(item_id) for item_id in envelope.data.get("item_id_list") or []]
            if ids:
                yield ids
            next_offset = envelope.data.get("next_offset")
            if not ids or not next_offset:
                return
            offset = int(next_offset)

    def _base_info(self, item_ids: list[str]) -> list[RemoteListing]:
        envelope = self.request(ApiCall("GET", f"{API}/product/get_item_base_info",
                                        query={"item_id_list": ",".join(item_ids)}))
        listings = [self._remote_listing(item) for item in envelope.data.get("item_list") or []]
        banned = [listing.remote_id for listing in listings if listing.platform_status == "BANNED"]
        if not banned:
            return listings
        reasons = self._violation_reasons(banned)
        return [replace(listing, reject_reason=reasons.get(listing.remote_id)) for listing in listings]

    def _violation_reasons(self, item_ids: list[str]) -> dict[str, str]:
        """Why banned items are banned: the reasons the producer report shows."""
        envelope = self.request(ApiCall("GET", f"{API}/product/get_item_violation_info",
                                        query={"item_id_list": ",".join(item_ids)}))
        reasons = {}
        for item in envelope.data.get("item_list") or []:
            details = [d.get("violation_reason") for d in item.get("item_status_details") or []]
            if any(details):
                reasons[str(item["item_id"])] = "; ".join(d for d in details if d)
        return reasons

    def _remote_listing(self, item: dict[str, Any]) -> RemoteListing:
        raw_status = item.get("item_status") or ""
        prices = item.get("price_info") or [{}]
        gtin = item.get("gtin_code")
        return RemoteListing(
            remote_id=str(item["item_id"]),
            seller_sku=item.get("item_sku") or None,
            status=map_status(raw_status, self.channel),
            platform_status=raw_status,
            title=item.get("item_name"),
            description=item.get("description"),
            price_vnd=_whole(prices[0].get("original_price")),
            stock=_stock(item),
            gtin=None if gtin in (None, "", NO_GTIN) else str(gtin),
            updated_at=_from_unix(item.get("update_time")),
        )

    def _set_unlisted(self, remote_id: str, unlist: bool) -> None:
        envelope = self.request(ApiCall("POST", f"{API}/product/unlist_item", body={
            "item_list": [{"item_id": int(remote_id), "unlist": unlist}]}))
        _raise_on_failure_list(envelope, remote_id)


def _attribute(node: dict[str, Any]) -> CategoryAttribute:
    info = node.get("attribute_info") or {}
    input_type = int(info.get("input_type") or 0)
    label = next((entry.get("value") for entry in node.get("multi_lang") or [] if entry.get("value")), None)
    return CategoryAttribute(
        key=str(node["attribute_id"]), name=label or node.get("name") or "", mandatory=bool(node.get("mandatory")),
        values=tuple(AttributeValue(str(v["value_id"]), v.get("name") or "") for v in node.get("attribute_value_list") or []),
        custom_allowed=input_type not in PICK_ONLY_INPUTS, multiple=input_type in MULTIPLE_INPUTS)


def _names_common_parameter(message: str) -> bool:
    return any(word in message for word in COMMON_PARAMETER_WORDS) and "item" not in message


def _raise_on_failure_list(envelope: Envelope, remote_id: str) -> None:
    """Batch endpoints answer success with a per-item failure_list; a failure there is ours to raise."""
    failures = envelope.data.get("failure_list") or []
    if failures:
        reason = str(failures[0].get("failed_reason") or failures[0].get("message") or "failed")
        error = NotFound if "not found" in reason.lower() or "not exist" in reason.lower() else Rejected
        raise error(f"item {remote_id}: {reason}", code="failure_list", request_id=envelope.request_id)


def _stock(item: dict[str, Any]) -> int | None:
    stock_info = item.get("stock_info_v2") or {}
    seller_stock = stock_info.get("seller_stock") or []
    if seller_stock:
        return int(sum(entry.get("stock", 0) for entry in seller_stock))
    summary = stock_info.get("summary_info") or {}
    return _whole(summary.get("total_available_stock"))


def _whole(value: Any) -> int | None:
    return None if value is None else int(round(float(value)))


def _from_unix(value: Any) -> dt.datetime | None:
    return None if not value else dt.datetime.fromtimestamp(int(value), tz=dt.timezone.utc)
