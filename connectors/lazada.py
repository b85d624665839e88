"""Lazada Open Platform (Open API): signing, system parameters, envelope, error codes and product mapping.

Every parameter (system and business, not files) is signed: sorted by name, name+value concatenated,
prefixed with the API name, HMAC-SHA256 with the app secret, hex upper case. As the official client
does, POST sends everything (sign included) form-encoded, GET in the query string.

Of the listing's attributes only those the category defines (`/category/attributes/get`) go into
`Attributes`, under their names, a listed option by its name; the brand is one GetBrandByPages lists
(name and brand_id), else "No Brand".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import replace
from typing import Any, Iterator, Mapping
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

PAGE_SIZE = 50     # /products/get maximum
BRAND_PAGE_SIZE = 200     # GetBrandByPages maximum
PICK_ONLY_INPUTS = {"singleSelect", "multiSelect"}
# Asked of every category and sent from the listing's own fields, not from its attributes.
BASIC_ATTRIBUTES = {"name", "description", "short_description", "brand", "brand_id", "model", "warranty_type"}
AUTH_ERRORS = {"IncompleteSignature"}
EXPIRED_TOKEN = "IllegalAccessToken"      # "invalid or expired": one code for both
GRANT_REFUSALS = {"InvalidCode", "IllegalRefreshToken", "AUTH_TYPE_UNSUPPORTED"}
AUTH_API = "/auth/"
AUTH_HOST = "https://auth.lazada.com"     # the page at /oauth/authorize, the token API under /rest
RATE_LIMIT_ERRORS = {"ApiCallLimit"}
TRANSIENT_ERRORS = {"InternalError"}
NOT_FOUND_ERRORS = {"ITEM_NOT_FOUND"}
# InvalidParameter / MissingParameter about a system parameter mean a broken shop setup or clock.
SYSTEM_PARAMETERS = ("timestamp", "app_key", "access_token", "sign_method")
DUPLICATE_SKU = "4105"
BAN_SECONDS = re.compile(r"last\s+(\d+(?:\.\d+)?)\s+second", re.IGNORECASE)


def sign(app_secret: str, api_name: str, params: Mapping[str, str]) -> str:
    text = api_name + "".join(f"{name}{params[name]}" for name in sorted(params) if name != "sign")
    return hmac.new(app_secret.encode(), text.encode(), hashlib.sha256).hexdigest().upper()


class LazadaConnector(HttpConnector):
    """Lazada has no GTIN field: the barcode travels in a SKU attribute (`gtin_sku_attribute`, our
    choice, the public documentation names none) and in the description, where buyers see it."""

    channel = Channel.LAZADA
    default_auth_base_url = AUTH_HOST

    def __init__(self, shop, *, gtin_sku_attribute: str = "barcode", category_refresh_s: float = DEFAULT_REFRESH_S,
                 **options: Any) -> None:
        super().__init__(shop, **options)
        self.gtin_sku_attribute = gtin_sku_attribute
        self.category_cache = category_cache_for(shop.key, category_refresh_s)

    # ---- hooks -------------------------------------------------------------------------------

    def prepare(self, call: ApiCall, timestamp: float) -> PreparedCall:
        token_call = call.path.startswith(AUTH_API)     # signed like any call, without a token
        credentials = self.shop.credentials if token_call else self.credentials()
        params = {"app_key": credentials.app_key, "timestamp": str(int(timestamp * 1000)), "sign_method": "sha256"}
        if not token_call:
            params["access_token"] = credentials.access_token.get_secret_value()
        params |= {name: _text(value) for name, value in (call.query | (call.body or {})).items()}
        params["sign"] = sign(credentials.app_secret.get_secret_value(), call.path, params)
        url = (call.base_url or self.base_url) + call.path
        if call.method == "GET":
            return PreparedCall("GET", url, params=params)
        return PreparedCall(call.method, url, data=params, files=call.files)

    def read_envelope(self, response: requests.Response) -> Envelope | PlatformFailure:
        body = json_body(response)
        if body is None:
            return PlatformFailure(response.status_code, f"http_{response.status_code}",
                                   response.reason or "answer is not JSON")
        code = str(body.get("code", ""))
        if code == "0" and response.status_code < 400:
            # The token calls answer at the top level, beside `code`.
            return Envelope(body["data"] if "data" in body else body, body.get("request_id"))
        message = str(body.get("message") or "")
        retry_after = retry_after_header(response)
        ban = BAN_SECONDS.search(message)
        if retry_after is None and ban:
            retry_after = float(ban.group(1))
        return PlatformFailure(response.status_code, code or f"http_{response.status_code}", message,
                               body.get("request_id"), retry_after, kind=body.get("type"))

    def classify_error(self, failure: PlatformFailure) -> ConnectorError:
        args = {"code": failure.code, "request_id": failure.request_id}
        message = failure.message.lower()
        if failure.code in RATE_LIMIT_ERRORS or failure.http_status == 429:
            return self._rate_limited(failure)
        if failure.code == EXPIRED_TOKEN:
            return TokenExpired(failure.message, **args)
        if failure.code in GRANT_REFUSALS:
            return ReauthorisationNeeded(failure.message, **args)
        if failure.code in AUTH_ERRORS or (failure.code in ("InvalidParameter", "MissingParameter")
                                           and any(name in message for name in SYSTEM_PARAMETERS)):
            return AuthError(failure.message, **args)
        if failure.code in TRANSIENT_ERRORS or failure.http_status >= 500 or failure.kind == "SYSTEM":
            return TransientError(failure.message, **args)
        if failure.code in NOT_FOUND_ERRORS or "not found" in message or "not exist" in message:
            return NotFound(failure.message, **args)
        return Rejected(failure.message, **args)

    def is_duplicate_sku(self, error: Rejected) -> bool:
        return error.code == DUPLICATE_SKU

    # ---- connecting a shop --------------------------------------------------------------------

    def authorization_url(self, redirect_uri: str, state: str) -> str:
        query = {"response_type": "code", "force_auth": "true", "redirect_uri": redirect_uri,
                 "client_id": self.shop.credentials.app_key, "state": state}
        return f"{self.auth_base_url}/oauth/authorize?{urlencode(query)}"

    def exchange_code(self, code: str, shop_id: str | None = None) -> TokenSet:
        return self._token_call("/auth/token/create", {"code": code})

    def refresh_tokens(self, tokens: TokenSet) -> TokenSet:
        """The refresh token's own expiry does not move; the answer says how long it has left."""
        return self._token_call("/auth/token/refresh", {"refresh_token": tokens.refresh_token.get_secret_value()})

    def _token_call(self, path: str, body: dict[str, str]) -> TokenSet:
        envelope = self.request(ApiCall("POST", path, body=body, base_url=self.auth_base_url + "/rest",
                                        idempotent=False))
        now, data = self._clock(), envelope.data
        users = data.get("country_user_info") or data.get("country_user_info_list") or [{}]
        seller_id = users[0].get("seller_id") if isinstance(users, list) else None
        refresh_left = data.get("refresh_expires_in")
        return TokenSet(access_token=SecretStr(str(data["access_token"])), issued_at=now,
                        access_expires_at=now + float(data["expires_in"]),
                        refresh_token=SecretStr(str(data["refresh_token"])),
                        refresh_expires_at=None if refresh_left in (None, "") else now + float(refresh_left),
                        shop_id=None if seller_id is None else str(seller_id), seller=str(data.get("account") or ""))

    # ---- operations --------------------------------------------------------------------------

    def upload_image(self, content: bytes, filename: str) -> str:
        envelope = self.request(ApiCall("POST", "/image/upload", files={"image": (filename, content)}))
        image = envelope.data.get("image") or envelope.data
        return str(image["url"])

    def create_call(self, content: ListingContent) -> ApiCall:
        sku = self._sku(content) | {"quantity": content.stock, "price": content.price_vnd}
        product = self._product(content, sku)
        return ApiCall("POST", "/product/create", body={"payload": _payload(product)}, idempotent=False)

    def read_create_result(self, envelope: Envelope) -> CreateResult:
        skus = envelope.data.get("sku_list") or [{}]
        sku_id = skus[0].get("sku_id")
        return CreateResult(str(envelope.data["item_id"]), None if sku_id is None else str(sku_id),
                            envelope.request_id)

    def update(self, remote_id: str, content: ListingContent, *, remote_sku_id: str | None = None) -> None:
        # Price and quantity sync through price_quantity/update; leaving them out keeps them untouched.
        sku = self._sku(content) | {"SkuId": remote_sku_id or self.get(remote_id).remote_sku_id}
        product = self._product(content, sku) | {"ItemId": remote_id}
        self.request(ApiCall("POST", "/product/update", body={"payload": _payload(product)}))

    def update_price_stock(self, remote_id: str, price_vnd: int, stock: int, *, seller_sku: str,
                           remote_sku_id: str | None = None) -> None:
        # Addressed by seller SKU: the SKU id is not needed.
        sku = {"ItemId": remote_id, "SellerSku": seller_sku, "Price": price_vnd, "Quantity": stock}
        self.request(ApiCall("POST", "/product/price_quantity/update",
                             body={"payload": _payload({"Skus": {"Sku": [sku]}})}))

    def get(self, remote_id: str) -> RemoteListing:
        envelope = self.request(ApiCall("GET", "/product/item/get", query={"item_id": remote_id}))
        if not envelope.data:
            raise NotFound(f"item {remote_id} is not in shop {self.shop.key}", code="item_not_found",
                           request_id=envelope.request_id)
        return self._with_reject_reasons([self._remote_listing(envelope.data)])[0]

    def iter_listings(self) -> Iterator[RemoteListing]:
        """Every product that is not deleted, 50 a page."""
        yield from self._products({"filter": "all"})

    def find_by_seller_sku(self, seller_sku: str) -> RemoteListing | None:
        matches = self._products({"filter": "all", "sku_seller_list": json.dumps([seller_sku])})
        return next((item for item in matches if item.seller_sku == seller_sku), None)

    def unlist(self, remote_id: str) -> None:
        current = self.get(remote_id)
        request_body = {"Request": {"Product": {"ItemId": remote_id, "Skus": {"SellerSku": [current.seller_sku]}}}}
        self.request(ApiCall("POST", "/product/deactivate", body={"apiRequestBody": json.dumps(request_body)}))

    def relist(self, remote_id: str) -> None:
        # The Open API has no activate call: a SKU is switched back on through /product/update.
        current = self.get(remote_id)
        sku = {"SkuId": current.remote_sku_id, "SellerSku": current.seller_sku, "Status": "active"}
        product = {"ItemId": remote_id, "Skus": {"Sku": [sku]}}
        self.request(ApiCall("POST", "/product/update", body={"payload": _payload(product)}))

    def delete(self, remote_id: str) -> None:
        current = self.get(remote_id)
        self.request(ApiCall("POST", "/product/remove",
                             body={"seller_sku_list": json.dumps([current.seller_sku])}))

    # ---- categories, attributes, brands ---------------------------------------------------------

    def category_tree(self) -> CategoryTree:
        def read() -> CategoryTree:
            nodes = self.request(ApiCall("GET", "/category/tree/get", query={"language_code": "vi_VN"})).data or []
            return CategoryTree(tuple(_flattened(nodes, None)))
        return self.category_cache.get(("tree",), read)

    def category_attributes(self, category_id: str) -> tuple[CategoryAttribute, ...]:
        """The category's own attributes (product level); the basic ones are the listing's fields."""
        def read() -> tuple[CategoryAttribute, ...]:
            entries = self.request(ApiCall("GET", "/category/attributes/get",
                                           query={"primary_category_id": str(category_id)})).data or []
            return tuple(_attribute(e) for e in entries
                         if e.get("attribute_type") == "normal" and e.get("name") not in BASIC_ATTRIBUTES)
        return self.category_cache.get(("attributes", str(category_id)), read)

    def category_brands(self, category_id: str) -> tuple[Brand, ...]:
        """Lazada's brands are the country's, not a category's."""
        def read() -> tuple[Brand, ...]:
            brands, start = [], 0
            while True:
                page = self.request(ApiCall("GET", "/category/brands/query",
                                            query={"startRow": start, "pageSize": BRAND_PAGE_SIZE})).data or {}
                found = page.get("module") or []
                brands += [Brand(str(b["brand_id"]), b.get("name") or "") for b in found]
                start += len(found)
                if not found or start >= int(page.get("total_record") or 0):
                    return tuple(brands)
        return self.category_cache.get(("brands",), read)

    def category_rules(self, category_id: str) -> CategoryRules:
        """Lazada has no category-rule call: its package fields are always mandatory SKU attributes."""
        return CategoryRules(package_dimensions_required=True)

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

    def _product(self, content: ListingContent, sku: dict[str, Any]) -> dict[str, Any]:
        attributes = {"name": content.title, "description": _with_barcode(content.description, content.gtin),
                      **self._brand(content), **self._category_attributes(content)}
        return {
            "PrimaryCategory": content.category_id,
            "Images": {"Image": list(content.image_refs)},
            "Attributes": attributes,
            "Skus": {"Sku": [sku]},
        }

    def _brand(self, content: ListingContent) -> dict[str, Any]:
        brand = self._listed_brand(content)
        return {"brand": brand.name, "brand_id": brand.id} if brand else {"brand": NO_BRAND}

    def _category_attributes(self, content: ListingContent) -> dict[str, str]:
        if not content.attributes:
            return {}
        sent = {}
        for attribute in self.category_attributes(content.category_id):
            value = content.attributes.get(attribute.key)
            if value:
                known = attribute.value_named(value)
                sent[attribute.key] = known.name if known else value
        return sent

    def _sku(self, content: ListingContent) -> dict[str, Any]:
        length, width, height = content.package_cm
        sku = {
            "SellerSku": content.seller_sku,
            "package_length": length, "package_width": width, "package_height": height,
            "package_weight": content.weight_kg,
            "Images": {"Image": list(content.image_refs)},
        }
        if content.gtin:
            sku[self.gtin_sku_attribute] = content.gtin
        return sku

    def _products(self, query: dict[str, Any]) -> Iterator[RemoteListing]:
        offset = 0
        while True:
            envelope = self.request(ApiCall("GET", "/products/get", query=query | {"offset": offset, "limit": PAGE_SIZE}))
            products = envelope.data.get("products") or []
            listings = [self._remote_listing(product) for product in products]
            yield from self._with_reject_reasons([l for l in listings if l.status != ListingStatus.DELETED])
            offset += len(products)
            total = int(envelope.data.get("total_products") or 0)
            if not products or offset >= total:
                return

    def _with_reject_reasons(self, listings: list[RemoteListing]) -> list[RemoteListing]:
        """QC's reasons for rejected products, from /product/qc/status/get: what the producer must fix."""
        rejected = [listing.seller_sku for listing in listings if listing.status == ListingStatus.REJECTED]
        if not rejected:
            return listings
        envelope = self.request(ApiCall("GET", "/product/qc/status/get", query={"seller_skus": json.dumps(rejected)}))
        reasons = {entry.get("seller_sku"): entry.get("reason") for entry in envelope.data or []}
        return [replace(listing, reject_reason=reasons.get(listing.seller_sku) or listing.reject_reason)
                for listing in listings]

    def _remote_listing(self, product: dict[str, Any]) -> RemoteListing:
        skus = product.get("skus") or [{}]
        sku = skus[0]
        attributes = product.get("attributes") or {}
        raw_status = str(product.get("status") or sku.get("Status") or "")
        return RemoteListing(
            remote_id=str(product["item_id"]),
            seller_sku=sku.get("SellerSku"),
            status=map_status(raw_status, self.channel),
            platform_status=raw_status,
            title=attributes.get("name"),
            description=attributes.get("description"),
            price_vnd=_whole(sku.get("price")),
            stock=_whole(sku.get("quantity")),
            gtin=sku.get(self.gtin_sku_attribute) or None,
            remote_sku_id=None if sku.get("SkuId") is None else str(sku["SkuId"]),
            reject_reason=product.get("reject_reason") or None,
            updated_at=_from_millis(product.get("updated_time")),
        )


def _flattened(nodes: list[dict[str, Any]], parent_id: str | None) -> Iterator[Category]:
    for node in nodes:
        children = node.get("children") or []
        yield Category(str(node["category_id"]), parent_id, node.get("name") or "", bool(node.get("leaf", not children)))
        yield from _flattened(children, str(node["category_id"]))


def _attribute(entry: dict[str, Any]) -> CategoryAttribute:
    input_type = str(entry.get("input_type") or "")
    return CategoryAttribute(
        key=str(entry["name"]), name=entry.get("label") or entry["name"], mandatory=str(entry.get("is_mandatory")) == "1",
        values=tuple(AttributeValue(str(o.get("id", "")), o.get("en_name") or o.get("name") or "")
                     for o in entry.get("options") or []),
        custom_allowed=input_type not in PICK_ONLY_INPUTS, multiple=input_type.startswith("multi"))


def _payload(product: dict[str, Any]) -> str:
    return json.dumps({"Request": {"Product": product}}, ensure_ascii=False)


def _with_barcode(description: str, gtin: str | None) -> str:
    if not gtin or gtin in description:
        return description
    return f"{description}<p>Mã vạch (GTIN): {gtin}</p>"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _whole(value: Any) -> int | None:
    return None if value in (None, "") else int(round(float(value)))


def _from_millis(value: Any) -> dt.datetime | None:
    return None if not value else dt.datetime.fromtimestamp(int(value) / 1000, tz=dt.timezone.utc)
