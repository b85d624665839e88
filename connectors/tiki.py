"""Tiki Open API (seller, v2 / v2.1): bearer tokens, product requests, tracking, products.

A new listing is a *product request* that Tiki reviews before it becomes a product: `create` submits
it (`POST /integration/v2.1/requests`, answered with a `track_id`) and tracks it once; reviewed at
once, the listing is the product (its id), else it is the request, addressed by its track id
(`RemoteListing.tracking_id`) until `get` finds it approved (the product) or rejected (with the
reasons); the caller keeps that track id (the ledger's binding does) and changes the listing only
once it is a product. An unknown outcome is resolved by the seller SKU (`original_sku`): the products first,
then the requests still under review, before anything is sent again.

Tokens: a shop connected by the authorization code flow (`offline` scope for a refresh token) has
them in the token store; a shop whose credentials carry an access token uses it as given; one whose
credentials carry none signs in with the client credentials grant (client id and secret), again when
the token runs out. Pictures travel by URL: `upload_image` publishes them to the shop's
`image_host_url`. The GTIN rides in the `gtin` attribute. Open points: docs/platforms.md.
"""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any, Iterator
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
from connectors.errors import (
    AuthError,
    ConnectorError,
    NotFound,
    RateLimited,
    ReauthorisationNeeded,
    Rejected,
    TokenExpired,
    TransientError,
    UnknownOutcome,
)
from connectors.image_host import publish_picture
from connectors.tokens import SignedInTokens, TokenSet
from connectors.types import CreateResult, ListingContent, ListingStatus, RemoteListing, ShopConfig
from ocop.channels import Channel, declaration

TOKEN_PATH = "/sc/oauth2/token"
AUTHORIZE_PATH = "/sc/oauth2/auth"
REQUESTS = "/integration/v2.1/requests"
TRACKING = "/integration/v2/tracking"
REQUEST_LIST = "/integration/v2/requests"
PRODUCTS = "/integration/v2/products"
PRODUCT_DETAIL = "/integration/v2.1/products"
UPDATE_SKU = "/integration/v2/products/updateSku"
UPDATE_INFO = "/integration/v2/requests/updateProductInfo"
WAREHOUSES = "/integration/v2/sellers/me/warehouses"
SCOPES = "product inventory offline"
PAGE_SIZE = 50
PENDING_STATES = frozenset(word for word, status in declaration(Channel.TIKI).statuses.items()
                           if status is ListingStatus.UNDER_REVIEW)
GRANT_REFUSALS = {"invalid_grant"}
CLIENT_REFUSALS = {"invalid_client", "unauthorized_client", "unsupported_grant_type", "invalid_scope"}


TRACK_ID_LENGTH = 32


def is_track_id(remote_id: str) -> bool:
    """Product ids are short numbers; a request is addressed by its track id (32 hex characters)."""
    return len(remote_id) == TRACK_ID_LENGTH or not remote_id.isdigit()


class TikiConnector(HttpConnector):
    """`warehouse_id`: the seller warehouse that holds the stock; when not given, the primary one is
    read once from the seller's warehouses."""

    channel = Channel.TIKI

    def __init__(self, shop: ShopConfig, *, warehouse_id: str | None = None, **options: Any) -> None:
        super().__init__(shop, **options)
        self._warehouse_id = warehouse_id
        if shop.tokens is None and not shop.credentials.access_token.get_secret_value():
            self.shop = replace(shop, tokens=SignedInTokens(self._client_credentials, clock=self._clock))

    # ---- hooks -------------------------------------------------------------------------------

    def prepare(self, call: ApiCall, timestamp: float) -> PreparedCall:
        url = (call.base_url or self.base_url) + call.path
        params = {key: str(value) for key, value in call.query.items()}
        if call.path == TOKEN_PATH:
            # client_secret_basic: the client id and secret in the Basic header, the grant in a form.
            credentials = self.shop.credentials
            pair = f"{credentials.app_key}:{credentials.app_secret.get_secret_value()}".encode()
            headers = {"Authorization": "Basic " + base64.b64encode(pair).decode()}
            return PreparedCall(call.method, url, params=params, data=call.body, headers=headers)
        if call.files:      # the image host: not Tiki's, no token of Tiki's goes there
            return PreparedCall(call.method, url, params=params, files=call.files)
        token = self.credentials().access_token.get_secret_value()
        prepared = PreparedCall(call.method, url, params=params, headers={"Authorization": f"Bearer {token}"})
        if call.body is not None:
            prepared.data = json.dumps(call.body, ensure_ascii=False, separators=(",", ":")).encode()
            prepared.headers["Content-Type"] = "application/json"
        return prepared

    def read_envelope(self, response: requests.Response) -> Envelope | PlatformFailure:
        body = json_body(response)
        request_id = response.headers.get("X-Request-Id")
        if response.status_code < 300:
            return Envelope(body if body is not None else {}, request_id)
        body = body or {}
        if body.get("error"):       # the OAuth endpoints' RFC 6749 errors
            return PlatformFailure(response.status_code, str(body["error"]),
                                   str(body.get("error_description") or body["error"]), request_id)
        messages = body.get("errors") or [body.get("message") or response.reason or "no message"]
        return PlatformFailure(response.status_code, str(response.status_code), "; ".join(map(str, messages)),
                               request_id, retry_after_header(response))

    def classify_error(self, failure: PlatformFailure) -> ConnectorError:
        args = {"code": failure.code, "request_id": failure.request_id}
        if failure.code in GRANT_REFUSALS:
            return ReauthorisationNeeded(failure.message, **args)
        if failure.code in CLIENT_REFUSALS or failure.http_status == 403:
            return AuthError(failure.message, **args)
        if failure.http_status == 401:
            return TokenExpired(failure.message, **args)
        if failure.http_status == 429:
            return self._rate_limited(failure)
        if failure.http_status >= 500:
            return TransientError(failure.message, **args)
        return super().classify_error(failure)

    def is_duplicate_sku(self, error: Rejected) -> bool:
        message = error.message.lower()
        return "original_sku" in message and "already" in message

    # ---- connecting a shop --------------------------------------------------------------------

    def authorization_url(self, redirect_uri: str, state: str) -> str:
        query = {"response_type": "code", "client_id": self.shop.credentials.app_key, "redirect_uri": redirect_uri,
                 "scope": SCOPES, "state": state}
        return f"{self.auth_base_url}{AUTHORIZE_PATH}?{urlencode(query)}"

    def exchange_code(self, code: str, shop_id: str | None = None) -> TokenSet:
        tokens = self._token_call(grant_type="authorization_code", code=code)
        seller = self.with_access_token(tokens).request(ApiCall("GET", "/integration/v2/sellers/me")).data
        return replace(tokens, shop_id=str(seller.get("id") or shop_id or ""), seller=str(seller.get("name") or ""))

    def refresh_tokens(self, tokens: TokenSet) -> TokenSet:
        return self._token_call(grant_type="refresh_token", refresh_token=tokens.refresh_token.get_secret_value())

    def _client_credentials(self) -> TokenSet:
        return self._token_call(grant_type="client_credentials", scope="product inventory")

    def _token_call(self, **form: str) -> TokenSet:
        data = self.request(ApiCall("POST", TOKEN_PATH, body=form, base_url=self.auth_base_url,
                                    idempotent=False)).data
        now = self._clock()
        return TokenSet(access_token=SecretStr(str(data["access_token"])), issued_at=now,
                        access_expires_at=now + float(data["expires_in"]),
                        refresh_token=SecretStr(str(data.get("refresh_token") or "")), refresh_expires_at=None)

    # ---- operations --------------------------------------------------------------------------

    def upload_image(self, content: bytes, filename: str) -> str:
        return publish_picture(self, content, filename)

    def create_call(self, content: ListingContent) -> ApiCall:
        return ApiCall("POST", REQUESTS, body=self._request_body(content), idempotent=False)

    def read_create_result(self, envelope: Envelope) -> CreateResult:
        track_id = str(envelope.data["track_id"])
        return CreateResult(track_id, None, envelope.request_id, tracking_id=track_id)

    def create(self, content: ListingContent) -> CreateResult:
        """Submit the request (never twice: see the module docstring), then track it once; if that read
        fails, the request is the answer: it is submitted, and the caller tracks it later."""
        submitted = super().create(content)
        if submitted.tracking_id is None:
            return submitted
        try:
            listing = self.get(submitted.tracking_id)
        except (TransientError, UnknownOutcome, RateLimited):
            return submitted
        return CreateResult(listing.remote_id, listing.remote_sku_id, submitted.request_id,
                            tracking_id=listing.tracking_id)

    def update(self, remote_id: str, content: ListingContent, *, remote_sku_id: str | None = None) -> None:
        body = {"product_id": int(remote_id), "name": content.title, "description": content.description,
                "image": content.image_refs[0], "images": list(content.image_refs[1:]),
                "attributes": self._attributes(content)}
        self.request(ApiCall("POST", UPDATE_INFO, body=body))

    def update_price_stock(self, remote_id: str, price_vnd: int, stock: int, *, seller_sku: str,
                           remote_sku_id: str | None = None) -> None:
        self._update_sku(remote_id, price=price_vnd,
                         warehouse_quantities=[{"warehouse_id": int(self.warehouse_id()), "qty_available": stock}])

    def get(self, remote_id: str) -> RemoteListing:
        if not is_track_id(remote_id):
            return self._product(remote_id)
        tracked = self.request(ApiCall("GET", f"{TRACKING}/{remote_id}")).data
        if tracked.get("state") == "approved" and tracked.get("product_id"):
            return self._product(str(tracked["product_id"]))
        return self._request_listing(tracked)

    def iter_listings(self) -> Iterator[RemoteListing]:
        """The products, then the requests not yet products (under review or rejected): of a seller
        SKU, only its latest request, and none once a product holds it (a rejected request that a
        later one replaced is history, not a second listing)."""
        products = set()
        for product in self._pages(PRODUCTS, {"include": "inventory,attributes"}):
            listing = self._listing(product)
            products.add(listing.seller_sku)
            yield listing
        latest: dict[str, dict[str, Any]] = {}
        for request in self._pages(REQUEST_LIST, {}):
            key = request.get("original_sku") or str(request["track_id"])
            held = latest.get(key)
            if key not in products and (held is None or _created(request) > _created(held)):
                latest[key] = request
        for request in latest.values():
            if request.get("state") in PENDING_STATES or request.get("state") == "rejected":
                yield self._request_listing(request)

    def find_by_seller_sku(self, seller_sku: str) -> RemoteListing | None:
        try:
            product = self.request(ApiCall("GET", f"{PRODUCTS}/findBy", query={"original_sku": seller_sku})).data
        except NotFound:
            product = None
        if product and product.get("original_sku") == seller_sku:
            return self._listing(product)
        for request in self._pages(REQUEST_LIST, {"original_sku": seller_sku}):
            if request.get("original_sku") == seller_sku and request.get("state") in PENDING_STATES:
                return self._request_listing(request)
        return None

    def unlist(self, remote_id: str) -> None:
        self._update_sku(remote_id, active=0)

    def relist(self, remote_id: str) -> None:
        self._update_sku(remote_id, active=1)

    def delete(self, remote_id: str) -> None:
        if is_track_id(remote_id):
            tracked = self.request(ApiCall("GET", f"{TRACKING}/{remote_id}")).data
            self.request(ApiCall("DELETE", f"{REQUEST_LIST}/{tracked['request_id']}"))
        else:
            self.request(ApiCall("DELETE", f"{PRODUCTS}/{remote_id}"))

    # ---- mapping and helpers -----------------------------------------------------------------

    def warehouse_id(self) -> str:
        if self._warehouse_id is None:
            warehouses = self.request(ApiCall("GET", WAREHOUSES)).data.get("data") or []
            active = [w for w in warehouses if w.get("status") == 1]
            chosen = next((w for w in active if w.get("is_primary")), active[0] if active else None)
            if chosen is None:
                raise Rejected(f"shop {self.shop.key} has no active warehouse to hold stock", code="no_warehouse")
            self._warehouse_id = str(chosen["id"])
        return self._warehouse_id

    def _update_sku(self, remote_id: str, **changes: Any) -> None:
        self.request(ApiCall("PUT", UPDATE_SKU, body={"product_id": int(remote_id), **changes}))

    def _attributes(self, content: ListingContent) -> dict[str, Any]:
        length, width, height = content.package_cm
        attributes: dict[str, Any] = {
            "brand": content.brand, "origin": "Việt Nam", "product_weight_kg": content.weight_kg,
            "product_length": length, "product_width": width, "product_height": height,
            **{key: value for key, value in content.attributes.items() if key not in ("brand", "origin")},
        }
        if content.gtin:
            attributes["gtin"] = content.gtin
        return attributes

    def _request_body(self, content: ListingContent) -> dict[str, Any]:
        return {
            "category_id": int(content.category_id),
            "name": content.title,
            "description": content.description,
            "market_price": content.price_vnd,
            "attributes": self._attributes(content),
            "image": content.image_refs[0],
            "images": list(content.image_refs[1:]),
            "option_attributes": [],
            "variants": [{
                "sku": content.seller_sku,
                "price": content.price_vnd,
                "market_price": content.price_vnd,
                "inventory_type": "dropship",
                "seller_warehouse": self.warehouse_id(),
                "warehouse_stocks": [{"warehouseId": int(self.warehouse_id()), "qtyAvailable": content.stock}],
                "image": content.image_refs[0],
                "images": list(content.image_refs[1:]),
            }],
            # Approved, the product goes on sale at once rather than waiting to be switched on.
            "meta_data": {"is_auto_turn_on": True},
        }

    def _pages(self, path: str, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            data = self.request(ApiCall("GET", path, query={**query, "page": page, "limit": PAGE_SIZE})).data
            yield from data.get("data") or []
            paging = data.get("paging") or {}
            if not data.get("data") or page >= int(paging.get("last_page") or page):
                return
            page += 1

    def _product(self, product_id: str) -> RemoteListing:
        data = self.request(ApiCall("GET", f"{PRODUCT_DETAIL}/{product_id}",
                                    query={"includes": "attributes,inventory,images"})).data
        return self._listing(data)

    def _listing(self, product: dict[str, Any]) -> RemoteListing:
        raw_status = "active" if int(product.get("active") or 0) == 1 else "inactive"
        inventory = product.get("inventory") or {}
        quantities = inventory.get("warehouse_quantities")
        attributes = product.get("attributes") or {}
        return RemoteListing(
            remote_id=str(product.get("product_id") or product["id"]),
            seller_sku=product.get("original_sku"),
            status=map_status(raw_status, self.channel),
            platform_status=raw_status,
            title=product.get("name"),
            description=product.get("description"),
            price_vnd=None if product.get("price") is None else int(product["price"]),
            stock=None if quantities is None else sum(int(q.get("qty_available", 0)) for q in quantities),
            gtin=attributes.get("gtin") or None,
        )

    def _request_listing(self, request: dict[str, Any]) -> RemoteListing:
        state = str(request.get("state") or "")
        reasons = request.get("reasons") or ([request["reason"]] if request.get("reason") else [])
        track_id = str(request["track_id"])
        return RemoteListing(
            remote_id=track_id, seller_sku=request.get("original_sku"), status=map_status(state, self.channel),
            platform_status=state, reject_reason="; ".join(map(str, reasons)) or None, tracking_id=track_id,
        )


def _created(request: dict[str, Any]) -> int:
    return int(request.get("created_at") or 0)
