"""TikTok Shop Partner API (versioned paths, 202309): signing, envelope, error codes and product mapping.

The signature covers the path, the sorted query parameters (but `sign` and `access_token`) and the
raw JSON body, wrapped in the app secret on both sides, HMAC-SHA256 keyed with the app secret, hex
lower case. The body is therefore serialised once, here, and those exact bytes are sent.

Category attributes go in `product_attributes` (a listed value by its id, any other by its name;
only attributes the category defines); the documents the category's rules ask for in
`certifications`, each uploaded once as a CERTIFICATION_IMAGE; `brand_id` only for a brand the
category's brand list holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import uuid
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
    AttributeValue,
    Brand,
    Category,
    CategoryAttribute,
    CategoryRules,
    CategoryTree,
    CertificationRequirement,
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
from connectors.types import (
    CertificateDocument,
    CreateResult,
    ListingContent,
    ListingStatus,
    RemoteListing,
)
from ocop.channels import Channel

PRODUCTS = "/product/202309/products"
CATEGORIES = "/product/202309/categories"
PAGE_SIZE = 100
UNSIGNED = {"sign", "access_token"}
# Calls for the seller rather than one shop carry no shop_cipher (the OpenAPI specification marks
# them so, and the platform refuses one on an image upload).
SHOPLESS_PATHS = re.compile(r"^/(authorization/\d{6}/|product/\d{6}/(images|files)/upload$)")
IDEMPOTENCY_NAMESPACE = uuid.UUID("5b0f8a54-2f1e-4c1b-9a57-0c6f0d3e7a11")
AUTH_ERRORS = {"106001", "36009004", "106013"}
EXPIRED_TOKEN_ERRORS = {"105002", "105001"}      # expired; invalid (e.g. replaced)
GRANT_REFUSALS = {"36004001", "36004005"}        # "rt has expired", "can not find related auth record"
TOKEN_API = "/api/v2/token/"
SERVICES_HOST = "https://services.tiktokshop.com"   # the seller authorisation page (outside the US)
AUTH_HOST = "https://auth.tiktok-shops.com"
RATE_LIMIT_ERRORS = {"36009002"}
NOT_FOUND_ERRORS = {"12052032"}


def sign(app_secret: str, path: str, query: Mapping[str, str], body: str = "") -> str:
    text = path + "".join(f"{key}{query[key]}" for key in sorted(query) if key not in UNSIGNED) + body
    wrapped = f"{app_secret}{text}{app_secret}"
    return hmac.new(app_secret.encode(), wrapped.encode(), hashlib.sha256).hexdigest()


class TikTokConnector(HttpConnector):
    """`warehouse_id`: where inventory is counted; when not given, the shop's default warehouse is
    read once from logistics/202309/warehouses."""

    channel = Channel.TIKTOK
    default_auth_base_url = AUTH_HOST

    def __init__(self, shop, *, warehouse_id: str | None = None, category_refresh_s: float = DEFAULT_REFRESH_S,
                 **options: Any) -> None:
        super().__init__(shop, **options)
        self._warehouse_id = warehouse_id
        self.category_cache = category_cache_for(shop.key, category_refresh_s)
        self._documents: dict[str, str] = {}      # sha256 of a certificate document -> its uploaded uri

    # ---- hooks -------------------------------------------------------------------------------

    def prepare(self, call: ApiCall, timestamp: float) -> PreparedCall:
        if call.path.startswith(TOKEN_API):
            # The auth host's token calls are unsigned: app key and secret travel in the query.
            return PreparedCall(call.method, (call.base_url or self.base_url) + call.path,
                                params={key: str(value) for key, value in call.query.items()})
        credentials = self.credentials()
        query = {"app_key": credentials.app_key, "timestamp": str(int(timestamp))}
        if not SHOPLESS_PATHS.match(call.path):
            query["shop_cipher"] = credentials.shop_id or ""
        query |= {key: str(value) for key, value in call.query.items()}
        headers = {"x-tts-access-token": credentials.access_token.get_secret_value()}
        body = ""
        if call.body is not None and not call.files:
            body = json.dumps(call.body, ensure_ascii=False, separators=(",", ":"))
            headers["Content-Type"] = "application/json"
        query["sign"] = sign(credentials.app_secret.get_secret_value(), call.path, query, body)
        prepared = PreparedCall(call.method, self.base_url + call.path, params=query, headers=headers)
        if call.files:
            prepared.files, prepared.data = call.files, call.body
        elif body:
            prepared.data = body.encode()
        return prepared

    def read_envelope(self, response: requests.Response) -> Envelope | PlatformFailure:
        body = json_body(response)
        if body is None:
            return PlatformFailure(response.status_code, f"http_{response.status_code}",
                                   response.reason or "answer is not JSON")
        code = body.get("code")
        if code == 0 and response.status_code < 400:
            return Envelope(body.get("data") or {}, body.get("request_id"))
        return PlatformFailure(response.status_code, str(code if code is not None else f"http_{response.status_code}"),
                               str(body.get("message") or ""), body.get("request_id"), retry_after_header(response))

    def classify_error(self, failure: PlatformFailure) -> ConnectorError:
        args = {"code": failure.code, "request_id": failure.request_id}
        message = failure.message.lower()
        if failure.code in RATE_LIMIT_ERRORS or failure.http_status == 429:
            return self._rate_limited(failure)
        if failure.code in EXPIRED_TOKEN_ERRORS:
            return TokenExpired(failure.message, **args)
        if failure.code in GRANT_REFUSALS:
            return ReauthorisationNeeded(failure.message, **args)
        if failure.code in AUTH_ERRORS or failure.http_status == 401:
            return AuthError(failure.message, **args)
        if failure.http_status >= 500:
            return TransientError(failure.message, **args)
        if failure.code in NOT_FOUND_ERRORS or failure.http_status == 404 or "not exist" in message:
            return NotFound(failure.message, **args)
        return Rejected(failure.message, **args)

    def is_duplicate_sku(self, error: Rejected) -> bool:
        message = error.message.lower()
        return "seller_sku" in message and "already" in message

    # ---- connecting a shop --------------------------------------------------------------------

    def authorization_url(self, redirect_uri: str, state: str) -> str:
        """The seller's authorisation page; the platform sends the seller to the app's registered
        redirect (`redirect_uri` is only read by the sandbox). With the app's service id (shops file
        `service_id`), the link TikTok Shop's Partner Center gives today (services.tiktokshop.com);
        without it, the older link on the auth host by app key, which it may no longer honour."""
        if self.shop.service_id:
            query = {"service_id": self.shop.service_id, "state": state, "redirect_uri": redirect_uri}
            return f"{(self.shop.auth_base_url or SERVICES_HOST).rstrip('/')}/open/authorize?{urlencode(query)}"
        query = {"app_key": self.shop.credentials.app_key, "state": state, "redirect_uri": redirect_uri}
        return f"{self.auth_base_url}/oauth/authorize?{urlencode(query)}"

    def exchange_code(self, code: str, shop_id: str | None = None) -> TokenSet:
        """The tokens, then the shop's cipher from the authorised shops (the configured one, or the
        only one)."""
        tokens = self._token_call("get", auth_code=code, grant_type="authorized_code")
        shops = self.with_access_token(tokens).request(ApiCall("GET", "/authorization/202309/shops")).data
        wanted = shop_id or self.shop.credentials.shop_id
        ciphers = [str(shop.get("cipher")) for shop in shops.get("shops") or []]
        cipher = wanted if wanted in ciphers else (ciphers[0] if len(ciphers) == 1 else None)
        if cipher is None:
            raise Rejected(f"the seller authorised shops {ciphers}; name the one to use (--shop-id)",
                           code="which_shop")
        return replace(tokens, shop_id=cipher)

    def refresh_tokens(self, tokens: TokenSet) -> TokenSet:
        return self._token_call("refresh", refresh_token=tokens.refresh_token.get_secret_value(),
                                grant_type="refresh_token")

    def _token_call(self, name: str, **query: str) -> TokenSet:
        credentials = self.shop.credentials
        query |= {"app_key": credentials.app_key, "app_secret": credentials.app_secret.get_secret_value()}
        data = self.request(ApiCall("GET", TOKEN_API + name, query=query, base_url=self.auth_base_url,
                                    idempotent=False)).data
        # The expiries are Unix times, not durations.
        return TokenSet(access_token=SecretStr(str(data["access_token"])), issued_at=self._clock(),
                        access_expires_at=float(data["access_token_expire_in"]),
                        refresh_token=SecretStr(str(data["refresh_token"])),
                        refresh_expires_at=float(data["refresh_token_expire_in"]),
                        seller=str(data.get("seller_name") or ""))

    # ---- operations --------------------------------------------------------------------------

    def upload_image(self, content: bytes, filename: str) -> str:
        envelope = self.request(ApiCall("POST", "/product/202309/images/upload", body={"use_case": "MAIN_IMAGE"},
                                        files={"data": (filename, content)}))
        return str(envelope.data["uri"])

    def create_call(self, content: ListingContent) -> ApiCall:
        body = self._product_body(content, sku_id=None)
        body["idempotency_key"] = idempotency_key(content.seller_sku, body)
        return ApiCall("POST", PRODUCTS, body=body, idempotent=False)

    def read_create_result(self, envelope: Envelope) -> CreateResult:
        skus = envelope.data.get("skus") or [{}]
        sku_id = skus[0].get("id")
        return CreateResult(str(envelope.data["product_id"]), None if sku_id is None else str(sku_id),
                            envelope.request_id)

    def update(self, remote_id: str, content: ListingContent, *, remote_sku_id: str | None = None) -> None:
        # A full edit replaces the SKU list: naming the existing SKU id keeps it the same SKU.
        body = self._product_body(content, sku_id=remote_sku_id or self.get(remote_id).remote_sku_id)
        self.request(ApiCall("PUT", f"{PRODUCTS}/{remote_id}", body=body))

    def update_price_stock(self, remote_id: str, price_vnd: int, stock: int, *, seller_sku: str,
                           remote_sku_id: str | None = None) -> None:
        sku_id = remote_sku_id or self.get(remote_id).remote_sku_id
        self.request(ApiCall("POST", f"{PRODUCTS}/{remote_id}/prices/update", body={
            "skus": [{"id": sku_id, "price": _price(price_vnd)}]}))
        self.request(ApiCall("POST", f"{PRODUCTS}/{remote_id}/inventory/update", body={
            "skus": [{"id": sku_id, "inventory": self._inventory(stock)}]}))

    def get(self, remote_id: str) -> RemoteListing:
        envelope = self.request(ApiCall("GET", f"{PRODUCTS}/{remote_id}"))
        if not envelope.data:
            raise NotFound(f"product {remote_id} is not in shop {self.shop.key}", code="product_not_found",
                           request_id=envelope.request_id)
        return self._remote_listing(envelope.data)

    def iter_listings(self) -> Iterator[RemoteListing]:
        """Every product that is not deleted, following next_page_token."""
        yield from self._search({})

    def find_by_seller_sku(self, seller_sku: str) -> RemoteListing | None:
        matches = self._search({"seller_skus": [seller_sku]})
        return next((item for item in matches if item.seller_sku == seller_sku), None)

    def unlist(self, remote_id: str) -> None:
        self._bulk("POST", f"{PRODUCTS}/deactivate", remote_id)

    def relist(self, remote_id: str) -> None:
        self._bulk("POST", f"{PRODUCTS}/activate", remote_id)

    def delete(self, remote_id: str) -> None:
        self._bulk("DELETE", PRODUCTS, remote_id)

    # ---- categories, attributes, rules, brands -------------------------------------------------

    def category_tree(self) -> CategoryTree:
        def read() -> CategoryTree:
            data = self.request(ApiCall("GET", CATEGORIES)).data
            return CategoryTree(tuple(
                Category(str(c["id"]), None if str(c.get("parent_id") or "0") == "0" else str(c["parent_id"]),
                         c.get("local_name") or c.get("name") or "", bool(c.get("is_leaf")))
                for c in data.get("categories") or []))
        return self.category_cache.get(("tree",), read)

    def category_attributes(self, category_id: str) -> tuple[CategoryAttribute, ...]:
        def read() -> tuple[CategoryAttribute, ...]:
            data = self.request(ApiCall("GET", f"{CATEGORIES}/{category_id}/attributes")).data
            return tuple(_attribute(a) for a in data.get("attributes") or [] if a.get("type") != "SALES_PROPERTY")
        return self.category_cache.get(("attributes", str(category_id)), read)

    def category_rules(self, category_id: str) -> CategoryRules:
        def read() -> CategoryRules:
            data = self.request(ApiCall("GET", f"{CATEGORIES}/{category_id}/rules")).data
            certifications = tuple(CertificationRequirement(str(c["id"]), c.get("name") or "", bool(c.get("is_required")))
                                   for c in data.get("product_certifications") or [])
            return CategoryRules(certifications, bool((data.get("package_dimension") or {}).get("is_required")))
        return self.category_cache.get(("rules", str(category_id)), read)

    def category_brands(self, category_id: str) -> tuple[Brand, ...]:
        """The brands a product of the category may name (available ones)."""
        def read() -> tuple[Brand, ...]:
            brands, token = [], ""
            while True:
                query = {"category_id": str(category_id), "page_size": PAGE_SIZE} | ({"page_token": token} if token else {})
                data = self.request(ApiCall("GET", "/product/202309/brands", query=query)).data
                brands += [Brand(str(b["id"]), b.get("name") or "") for b in data.get("brands") or []
                           if b.get("brand_status", "AVAILABLE") == "AVAILABLE"]
                token = data.get("next_page_token") or ""
                if not token:
                    return tuple(brands)
        return self.category_cache.get(("brands", str(category_id)), read)

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

    def warehouse_id(self) -> str:
        if self._warehouse_id is None:
            envelope = self.request(ApiCall("GET", "/logistics/202309/warehouses"))
            warehouses = envelope.data.get("warehouses") or []
            chosen = next((w for w in warehouses if w.get("is_default")), warehouses[0] if warehouses else None)
            if chosen is None:
                raise Rejected(f"shop {self.shop.key} has no warehouse to hold inventory", code="no_warehouse")
            self._warehouse_id = str(chosen["id"])
        return self._warehouse_id

    def _inventory(self, stock: int) -> list[dict[str, Any]]:
        return [{"warehouse_id": self.warehouse_id(), "quantity": stock}]

    def _product_body(self, content: ListingContent, *, sku_id: str | None) -> dict[str, Any]:
        length, width, height = content.package_cm
        sku: dict[str, Any] = {
            "seller_sku": content.seller_sku,
            "price": _price(content.price_vnd),
            "inventory": self._inventory(content.stock),
        }
        if sku_id is not None:
            sku["id"] = sku_id
        if content.gtin:
            sku["identifier_code"] = {"code": content.gtin, "type": content.gtin_type or "GTIN"}
        body: dict[str, Any] = {
            "title": content.title,
            "description": content.description,
            "category_id": content.category_id,
            "main_images": [{"uri": uri} for uri in content.image_refs],
            "package_weight": {"value": f"{content.weight_kg:g}", "unit": "KILOGRAM"},
            "package_dimensions": {"length": str(length), "width": str(width), "height": str(height),
                                   "unit": "CENTIMETER"},
            "skus": [sku],
        }
        brand = self._listed_brand(content)
        if brand:
            body["brand_id"] = brand.id
        if content.attributes:
            body["product_attributes"] = self._product_attributes(content)
        if content.certificates:
            body["certifications"] = [{"id": document.certification_id, "images": [{"uri": self._document_uri(document)}]}
                                      for document in content.certificates]
        return body

    def _product_attributes(self, content: ListingContent) -> list[dict[str, Any]]:
        """Only the category's attributes; a listed value by its id, any other by its name."""
        sent = []
        for attribute in self.category_attributes(content.category_id):
            value = content.attributes.get(attribute.key)
            if value:
                known = attribute.value_named(value)
                sent.append({"id": attribute.key, "values": [{"id": known.id} if known else {"name": value}]})
        return sent

    def _document_uri(self, document: CertificateDocument) -> str:
        """Uploaded once per connector: an update sends the same uri again."""
        digest = hashlib.sha256(document.content).hexdigest()
        if digest not in self._documents:
            envelope = self.request(ApiCall("POST", "/product/202309/images/upload", body={"use_case": "CERTIFICATION_IMAGE"},
                                            files={"data": (document.filename, document.content)}))
            self._documents[digest] = str(envelope.data["uri"])
        return self._documents[digest]

    def _search(self, filters: dict[str, Any]) -> Iterator[RemoteListing]:
        page_token = ""
        while True:
            query: dict[str, Any] = {"page_size": PAGE_SIZE}
            if page_token:
                query["page_token"] = page_token
            envelope = self.request(ApiCall("POST", f"{PRODUCTS}/search", query=query, body=filters))
            for product in envelope.data.get("products") or []:
                listing = self._remote_listing(product)
                if listing.status != ListingStatus.DELETED:
                    yield listing
            page_token = envelope.data.get("next_page_token") or ""
            if not page_token:
                return

    def _bulk(self, method: str, path: str, remote_id: str) -> None:
        envelope = self.request(ApiCall(method, path, body={"product_ids": [remote_id]}))
        errors = envelope.data.get("errors") or []
        if errors:
            error = errors[0]
            failure = PlatformFailure(200, str(error.get("code", "")), str(error.get("message") or ""),
                                      envelope.request_id)
            raise self.classify_error(failure)

    def _remote_listing(self, product: dict[str, Any]) -> RemoteListing:
        sku = (product.get("skus") or [{}])[0]
        raw_status = str(product.get("status") or "")
        identifier = sku.get("identifier_code") or {}
        price_info = sku.get("price") or {}
        # Reads answer tax_exclusive_price / sale_price; `amount` is what writes send.
        price = price_info.get("tax_exclusive_price") or price_info.get("sale_price") or price_info.get("amount")
        stock = sum(int(entry.get("quantity", 0)) for entry in sku.get("inventory") or [])
        reasons = [reason for failed in product.get("audit_failed_reasons") or [] for reason in failed.get("reasons") or []]
        return RemoteListing(
            remote_id=str(product["id"]),
            seller_sku=sku.get("seller_sku"),
            status=map_status(raw_status, self.channel),
            platform_status=raw_status,
            title=product.get("title"),
            description=product.get("description"),
            price_vnd=None if price in (None, "") else int(round(float(price))),
            stock=stock if sku.get("inventory") is not None else None,
            gtin=identifier.get("code") or None,
            remote_sku_id=None if sku.get("id") is None else str(sku["id"]),
            reject_reason="; ".join(reasons) or None,
            updated_at=None if not product.get("update_time")
            else dt.datetime.fromtimestamp(int(product["update_time"]), tz=dt.timezone.utc),
        )


def _attribute(entry: dict[str, Any]) -> CategoryAttribute:
    # The reference spells it is_requried; some answers say is_required.
    required = entry.get("is_requried", entry.get("is_required"))
    return CategoryAttribute(
        key=str(entry["id"]), name=entry.get("name") or "", mandatory=bool(required),
        values=tuple(AttributeValue(str(v["id"]), v.get("name") or "") for v in entry.get("values") or []),
        custom_allowed=bool(entry.get("is_customizable")), multiple=bool(entry.get("is_multiple_selection")))


def idempotency_key(seller_sku: str, body: dict[str, Any]) -> str:
    """The same UUID for every resend of one intended create (same seller SKU, same content), in any
    process, so the platform answers a resend with the product the first one made; new content is a
    new key."""
    content = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{seller_sku}\n{content}"))


def _price(price_vnd: int) -> dict[str, str]:
    return {"amount": str(price_vnd), "currency": "VND"}
