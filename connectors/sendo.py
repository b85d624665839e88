"""Sendo's seller API ("Kết nối API", https://open.sendo.vn): login, one create-or-update endpoint,
products by id or seller SKU, search with page tokens.

The connector logs in with the shop's key and secret (`POST /login`: the credentials' `app_key` and
`app_secret` are Sendo's `shop_key` and `secret_key`) and again when the token runs out: Sendo has no
refresh token and no seller authorisation page (`connectors.tokens.SignedInTokens`). A shop whose
credentials carry a token uses it as given. Every call carries `Authorization: bearer <token>`.

A create is `POST /api/partner/product` with `id` 0, sent once; an unknown outcome is resolved by
the seller SKU (`GET /api/partner/product?sku=`) before it is sent again. Content, price and stock,
and taking a product off sale (`stock_availability` false, which Sendo requires at stock 0) go
through the partial update by field mask, so no change reads or resets what it does not name. A
product that is selling but off sale reads as `OFF_SALE`, unlisted. Pictures travel by URL:
`upload_image` publishes them to the shop's `image_host_url`. The GTIN rides in the custom attribute
`barcode` (and the description). Open points: docs/platforms.md, Sendo.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any, Iterator

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
    Rejected,
    TokenExpired,
    TransientError,
)
from connectors.image_host import publish_picture
from connectors.tokens import SignedInTokens, TokenSet
from connectors.types import CreateResult, ListingContent, RemoteListing, ShopConfig
from ocop.channels import SENDO_OFF_SALE, Channel

LOGIN_PATH = "/login"
PRODUCT = "/api/partner/product"
SEARCH = f"{PRODUCT}/search"
FIELD_MASK = f"{PRODUCT}/update-by-field-mask"
PAGE_SIZE = 50
TOKEN_HOURS = 8            # the login's token lasts 8 hours (Sendo's help), when `expires` is unreadable
DELETED = {"5", "6"}       # the reference says 5, a public client 6
LOGIN_REFUSED = "login_refused"
UNIT_PIECE = 1             # unit_id 1 "Cái": the product's own unit is in its name and description
CONTENT_MASK = ["name", "description", "cat_4_id", "avatar", "pictures", "attributes", "weight", "length",
                "width", "height"]


class SendoConnector(HttpConnector):
    channel = Channel.SENDO

    def __init__(self, shop: ShopConfig, **options: Any) -> None:
        super().__init__(shop, **options)
        if shop.tokens is None and not shop.credentials.access_token.get_secret_value():
            self.shop = replace(shop, tokens=SignedInTokens(self._login, clock=self._clock))

    # ---- hooks -------------------------------------------------------------------------------

    def prepare(self, call: ApiCall, timestamp: float) -> PreparedCall:
        url = (call.base_url or self.base_url) + call.path
        params = {key: str(value) for key, value in call.query.items()}
        if call.files:      # the image host: not Sendo's, no token of Sendo's goes there
            return PreparedCall(call.method, url, params=params, files=call.files)
        headers = {"Content-Type": "application/json"}
        if call.path != LOGIN_PATH:
            headers["Authorization"] = "bearer " + self.credentials().access_token.get_secret_value()
        prepared = PreparedCall(call.method, url, params=params, headers=headers)
        if call.body is not None:
            prepared.data = json.dumps(call.body, ensure_ascii=False, separators=(",", ":")).encode()
        return prepared

    def read_envelope(self, response: requests.Response) -> Envelope | PlatformFailure:
        body = json_body(response)
        if body is not None and response.status_code < 300:
            if body.get("success") is True:
                return Envelope(body.get("result"), None)
            if "success" not in body:      # the image host's own answer, not Sendo's envelope
                return Envelope(body, None)
        body = body or {}
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        message = str(error.get("message") or response.reason or "no message")
        status = body.get("statusCode") or response.status_code
        code = str(status)
        if response.request is not None and response.request.path_url == LOGIN_PATH and status in (400, 401, 403):
            code = LOGIN_REFUSED       # the keys themselves, not a token: signing in again cannot help
        return PlatformFailure(response.status_code, code, message, None, retry_after_header(response))

    def classify_error(self, failure: PlatformFailure) -> ConnectorError:
        args = {"code": failure.code, "request_id": failure.request_id}
        if failure.code == LOGIN_REFUSED or failure.http_status == 403:
            return AuthError(failure.message, **args)
        if failure.http_status == 401:
            return TokenExpired(failure.message, **args)
        if failure.http_status >= 500:
            return TransientError(failure.message, **args)
        return super().classify_error(failure)

    def is_duplicate_sku(self, error: Rejected) -> bool:
        message = error.message.lower()
        return "sku" in message and ("already exists" in message or "đã tồn tại" in message)

    # ---- signing in --------------------------------------------------------------------------

    def authorization_url(self, redirect_uri: str, state: str) -> str:
        raise AuthError("Sendo has no seller authorisation page: a shop signs in with its shop_key and "
                        "secret_key (app_key and app_secret in its credentials)", code="no_authorisation_page")

    def _login(self) -> TokenSet:
        credentials = self.shop.credentials
        body = {"shop_key": credentials.app_key, "secret_key": credentials.app_secret.get_secret_value()}
        result = self.request(ApiCall("POST", LOGIN_PATH, body=body)).data
        now = self._clock()
        return TokenSet(access_token=SecretStr(str(result["token"])), issued_at=now,
                        access_expires_at=_expiry(result.get("expires"), now),
                        refresh_token=SecretStr(""), refresh_expires_at=None)

    # ---- operations --------------------------------------------------------------------------

    def upload_image(self, content: bytes, filename: str) -> str:
        return publish_picture(self, content, filename)

    def create_call(self, content: ListingContent) -> ApiCall:
        body = {"id": 0, "sku": content.seller_sku, "price": content.price_vnd, "stock_quantity": content.stock,
                "stock_availability": content.stock > 0, "unit_id": UNIT_PIECE, "brand_id": 0,
                **self._content_fields(content)}
        return ApiCall("POST", PRODUCT, body=body, idempotent=False)

    def read_create_result(self, envelope: Envelope) -> CreateResult:
        return CreateResult(str(envelope.data), None, envelope.request_id)

    def update(self, remote_id: str, content: ListingContent, *, remote_sku_id: str | None = None) -> None:
        self._mask(remote_id, CONTENT_MASK, self._content_fields(content))

    def update_price_stock(self, remote_id: str, price_vnd: int, stock: int, *, seller_sku: str,
                           remote_sku_id: str | None = None) -> None:
        fields: dict[str, Any] = {"price": price_vnd, "stock_quantity": stock}
        if stock <= 0:
            fields["stock_availability"] = False       # Sendo refuses a product on sale with no stock
        self._mask(remote_id, list(fields), fields)

    def get(self, remote_id: str) -> RemoteListing:
        return self._listing(self.request(ApiCall("GET", PRODUCT, query={"id": remote_id})).data)

    def iter_listings(self) -> Iterator[RemoteListing]:
        token = None
        while True:
            body = {"page_size": PAGE_SIZE, "token": token} if token else {"page_size": PAGE_SIZE, "status": None}
            page = self.request(ApiCall("POST", SEARCH, body=body)).data or {}
            for product in page.get("data") or []:
                if str(product.get("status")) not in DELETED:
                    yield self._listing(product)
            token = page.get("next_token")
            if not token or not page.get("data"):
                return

    def find_by_seller_sku(self, seller_sku: str) -> RemoteListing | None:
        try:
            product = self.request(ApiCall("GET", PRODUCT, query={"sku": seller_sku})).data
        except NotFound:
            return None
        if not product or product.get("sku") != seller_sku or str(product.get("status")) in DELETED:
            return None
        return self._listing(product)

    def unlist(self, remote_id: str) -> None:
        self._mask(remote_id, ["stock_availability"], {"stock_availability": False})

    def relist(self, remote_id: str) -> None:
        self._mask(remote_id, ["stock_availability"], {"stock_availability": True})

    def delete(self, remote_id: str) -> None:
        self.request(ApiCall("DELETE", PRODUCT, query={"id": remote_id}))

    # ---- mapping and helpers -----------------------------------------------------------------

    def _mask(self, remote_id: str, mask: list[str], fields: dict[str, Any]) -> None:
        answers = self.request(ApiCall("POST", FIELD_MASK, body=[{"id": int(remote_id), "field_mask": mask,
                                                                  **fields}])).data or []
        refused = [answer for answer in answers if not answer.get("success")]
        if refused or not answers:
            reason = refused[0].get("error") if refused else "no answer for the product"
            raise Rejected(f"product {remote_id}: {reason}", code="field_mask")

    def _content_fields(self, content: ListingContent) -> dict[str, Any]:
        length, width, height = content.package_cm
        attributes = [{"attribute_id": int(key) if key.isdigit() else 0, "attribute_code": key,
                       "attribute_is_custom": not key.isdigit(),
                       "attribute_values": [{"value": value, "is_selected": True, "is_custom": True}]}
                      for key, value in content.attributes.items() if key != "barcode"]
        if content.gtin:
            attributes.append({"attribute_id": 0, "attribute_code": "barcode", "attribute_is_custom": True,
                               "attribute_values": [{"value": content.gtin, "is_selected": True, "is_custom": True}]})
        return {
            "name": content.title,
            "description": content.description,
            "cat_4_id": int(content.category_id),
            "avatar": {"picture_url": content.image_refs[0]},
            "pictures": [{"picture_url": url} for url in content.image_refs],
            "attributes": attributes,
            "weight": round(content.weight_kg * 1000),      # grams
            "length": length, "width": width, "height": height,
        }

    def _listing(self, product: dict[str, Any]) -> RemoteListing:
        raw_status = str(product.get("status"))
        if raw_status == "2" and product.get("stock_availability") is False:
            raw_status = SENDO_OFF_SALE
        barcode = next((attribute for attribute in product.get("attributes") or []
                        if attribute.get("attribute_code") == "barcode"), None)
        updated = product.get("updated_at_timestamp")
        return RemoteListing(
            remote_id=str(product["id"]),
            seller_sku=product.get("sku"),
            status=map_status(raw_status, self.channel),
            platform_status=raw_status,
            title=product.get("name"),
            description=product.get("description"),
            price_vnd=None if product.get("price") is None else int(product["price"]),
            stock=None if product.get("stock_quantity") is None else int(product["stock_quantity"]),
            gtin=(barcode["attribute_values"][0].get("value") if barcode and barcode.get("attribute_values") else None),
            reject_reason=product.get("reject_reason") or None,
            updated_at=None if updated is None else dt.datetime.fromtimestamp(int(updated), dt.timezone.utc),
        )


def _expiry(expires: Any, now: float) -> float:
    """When the login's token runs out: its `expires` date, or 8 hours on."""
    try:
        moment = dt.datetime.fromisoformat(str(expires).replace("Z", "+00:00"))
    except ValueError:
        return now + TOKEN_HOURS * 3600
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))     # Vietnam time
    return moment.timestamp()
