"""Tiki Open API (seller, v2 / v2.1), as a local sandbox.

`Authorization: Bearer <token>` on every call; tokens from `POST /sc/oauth2/token` (form; the client
authenticates with HTTP Basic or `client_id` / `client_secret` in the form): `client_credentials`
(no refresh token), `authorization_code` (from `GET /sc/oauth2/auth`, which grants at once and
redirects with `code` and `state`) and `refresh_token` (a new access and refresh token; the old
refresh token stops working). OAuth failures answer RFC 6749 bodies (`{"error",
"error_description"}`: 401 `invalid_client`, 400 `invalid_grant`); API failures `{"errors": [...]}`
with the HTTP status saying what kind (400 bad parameters, 401 token, 404, 429, 5xx).

A new product is a request: `POST /integration/v2.1/requests` answers `{"track_id", "state":
"queuing"}`; its review is due after `[tiki.review] delay_seconds` and decided on the next read;
`GET /integration/v2/tracking/{track_id}` then says `approved` with the `product_id`, or `rejected`
with the `reason`. Approved with `meta_data.is_auto_turn_on`, the product is active, else inactive.

Choices where the public documentation is silent (docs/platforms.md, Tiki):
- one variant per request (one product per request); `original_sku` unique per shop among products
  and requests under review (400 "original_sku ... already exists");
- the request list (`GET /integration/v2/requests`) names each request's `track_id` and
  `original_sku`, and filters on `original_sku`; pages hold at most 50 (`page`, `limit`);
- a content update (`POST /integration/v2/requests/updateProductInfo`) is approved at once;
- the GTIN is the `gtin` attribute; pictures must be URLs of this sandbox's image host
  (`POST /sandbox/images`, multipart `file`, answers `{"url"}`; a stand-in for wherever the
  province publishes pictures), at least 500x500 pixels;
- seller warehouses at `GET /integration/v2/sellers/me/warehouses` (one per shop); deleting a
  product, which the seller centre does, at `DELETE /integration/v2/products/{product_id}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
from typing import Any
from urllib.parse import parse_qs

from sandboxes.checks import is_valid_gtin, whole_number
from sandboxes.gateway import (
    Call,
    Caller,
    PlatformError,
    Reply,
    Request,
    Route,
    Sandbox,
    redirect,
    route,
)
from sandboxes.grants import GrantRefused
from sandboxes.image_host import IMAGE_HOST, host_image, hosted_picture
from sandboxes.review import StatusWords, start_review
from sandboxes.state import Item, touched

IMAGE_MIN_PX = 500
MAX_PAGE = 50


def warehouse_id(shop_key: str) -> int:
    """The one warehouse of a sandbox shop, stable across restarts."""
    return 100_000 + int(hashlib.sha256(shop_key.encode()).hexdigest()[:6], 16) % 900_000


class TikiSandbox(Sandbox):
    words = StatusWords(reviewing="queuing", live="active", rejected="rejected", inactive="inactive",
                        deleted="deleted")
    item_id_start = 270_000_001
    sku_id_start = 5_100_000_001

    def build_routes(self) -> list[Route]:
        return [
            route("POST", "/sc/oauth2/token", self.token, scope="open"),
            route("GET", "/sc/oauth2/auth", self.authorize, scope="open"),
            route("POST", IMAGE_HOST, self.host_image, write=True, scope="open"),
            route("GET", "/integration/v2/sellers/me", self.seller),
            route("GET", "/integration/v2/sellers/me/warehouses", self.warehouses),
            route("POST", "/integration/v2.1/requests", self.create_request, write=True),
            route("GET", "/integration/v2/tracking/{track_id}", self.tracking),
            route("GET", "/integration/v2/requests", self.list_requests),
            route("POST", "/integration/v2/requests/updateProductInfo", self.update_info, write=True),
            route("DELETE", "/integration/v2/requests/{request_id}", self.delete_request, write=True),
            route("GET", "/integration/v2/products/findBy", self.find_by),
            route("GET", "/integration/v2/products", self.list_products),
            route("PUT", "/integration/v2/products/updateSku", self.update_sku, write=True),
            route("DELETE", "/integration/v2/products/{product_id}", self.delete_product, write=True),
            route("GET", "/integration/v2.1/products/{product_id}", self.get_product),
        ]

    # -- gateway ---------------------------------------------------------------------------------

    def authenticate(self, request: Request, matched: Route, now: float) -> Caller:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        try:
            shop = self.token_owner(list(self.shops), token, now)
        except GrantRefused:
            raise PlatformError(401, "The access token expired.", status=401) from None
        if shop is None:
            raise PlatformError(401, "Missing or invalid access token.", status=401)
        return Caller(app_key=shop.app_key, shop=shop)

    def error_reply(self, error: PlatformError, request_id: str) -> Reply:
        headers = (("X-Request-Id", request_id),) + ((("Retry-After", "1"),) if error.status == 429 else ())
        if isinstance(error.code, str) and not error.code.isdigit():
            payload = {"error": error.code, "error_description": error.message}
        else:
            payload = {"errors": [error.message]}
        return Reply(error.status, payload, headers, code=str(error.code))

    def rate_limited(self, request_id: str) -> PlatformError:
        return PlatformError(429, "Too many requests: at most 200 requests per second per seller.", status=429)

    def internal_error(self) -> PlatformError:
        return PlatformError(500, "Internal server error.", status=500)

    def unknown_path(self, request: Request) -> PlatformError:
        return PlatformError(404, f"{request.method} {request.path} not found.", status=404)

    @staticmethod
    def ok(call: Call, data: Any) -> Reply:
        return Reply(200, data, (("X-Request-Id", call.request_id),))

    # -- OAuth 2 ---------------------------------------------------------------------------------

    def authorize(self, call: Call) -> Reply:
        request = call.request
        shops = self.app_shops(request.arg("client_id") or "")
        state = request.arg("state") or ""
        if not shops or request.arg("response_type") != "code" or not request.arg("redirect_uri") or len(state) < 8:
            raise PlatformError("invalid_request", "response_type=code, a known client_id, redirect_uri and a "
                                "state of at least 8 characters are required.", status=400)
        return redirect(request.arg("redirect_uri"), code=self.grants.new_code(shops[0].key, call.now), state=state,
                        scope=request.arg("scope") or "")

    def token(self, call: Call) -> Reply:
        form = {name: values[0] for name, values in parse_qs(call.request.body.decode("utf-8")).items()}
        shop = self._client(call.request, form)
        grant = form.get("grant_type")
        try:
            if grant == "client_credentials":
                issued = self.grants.redeem_code(self.grants.new_code(shop.key, call.now), call.now)
                return self.ok(call, {"access_token": issued.access_token, "token_type": "bearer",
                                      "expires_in": int(issued.access_expires_at - call.now),
                                      "scope": form.get("scope") or "product inventory"})
            if grant == "authorization_code":
                issued = self.grants.redeem_code(form.get("code") or "", call.now)
            elif grant == "refresh_token":
                issued = self.grants.refresh(form.get("refresh_token") or "", call.now, rotate=True)
            else:
                raise PlatformError("unsupported_grant_type", f"grant_type {grant!r} is not supported.", status=400)
        except GrantRefused as refused:
            raise PlatformError("invalid_grant", f"The code or refresh token is {refused.reason}.", status=400) from None
        if issued.shop != shop.key:
            raise PlatformError("invalid_grant", "The grant was issued to another client.", status=400)
        return self.ok(call, {"access_token": issued.access_token, "token_type": "bearer",
                              "expires_in": int(issued.access_expires_at - call.now),
                              "refresh_token": issued.refresh_token, "scope": "product inventory offline"})

    def _client(self, request: Request, form: dict[str, str]):
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        header = request.headers.get("authorization", "")
        if header[:6].lower() == "basic ":
            try:
                client_id, _, secret = base64.b64decode(header[6:]).decode("utf-8").partition(":")
            except ValueError:
                client_id = ""
        shops = self.app_shops(client_id)
        if not shops or not hmac.compare_digest(shops[0].app_secret, secret):
            raise PlatformError("invalid_client", "Client authentication failed.", status=401)
        return shops[0]

    # -- the image host, seller, warehouses -----------------------------------------------------

    def host_image(self, call: Call) -> Reply:
        return self.ok(call, {"url": host_image(self.state, call, "https://uat.tikicdn.com/sandbox")})

    def seller(self, call: Call) -> Reply:
        shop = call.shop
        return self.ok(call, {"id": int(shop.shop_id) if (shop.shop_id or "").isdigit() else warehouse_id(shop.key),
                              "name": shop.name or shop.key, "active": 1, "operation_models": ["dropship"],
                              "can_update_product": 1, "registration_status": "completed"})

    def warehouses(self, call: Call) -> Reply:
        shop = call.shop
        return self.ok(call, {"data": [{"id": warehouse_id(shop.key), "name": f"{shop.name or shop.key} kho",
                                        "status": 1, "is_primary": True, "type": "withdrawal"}]})

    # -- requests --------------------------------------------------------------------------------

    def create_request(self, call: Call) -> Reply:
        body = _json_object(call.request)
        variants = body.get("variants")
        if not isinstance(variants, list) or len(variants) != 1 or not isinstance(variants[0], dict):
            raise _invalid("variants must hold exactly one variant (this sandbox makes one product per request).")
        variant = variants[0]
        seller_sku = self._seller_sku(variant.get("sku"), call.shop.key)
        content = self._content(body, current=None)
        price = self._price(variant.get("price"))
        stock = self._stock(variant.get("warehouse_stocks"), call, camel=True)
        item_id, sku_id = self.allocate_ids()
        meta = body.get("meta_data") if isinstance(body.get("meta_data"), dict) else {}
        track_id = secrets.token_hex(16)
        item = Item(item_id=item_id, shop=call.shop.key, seller_sku=seller_sku, status="", price=price, stock=stock,
                    sku_id=sku_id, created_at=call.now, updated_at=call.now, **content,
                    extra={"track_id": track_id, "request_id": self.state.next_id("request", 9_000_001),
                           "requested_inactive": not meta.get("is_auto_turn_on", False)})
        self.state.put(start_review(item, self.settings.review, self.words, call.now))
        return self.ok(call, {"track_id": track_id, "state": "queuing"})

    def tracking(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        item = self._by_track(call.shop.key, call.params["track_id"])
        return self.ok(call, self._request_out(item))

    def list_requests(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        items = self.state.all_items(call.shop.key)
        wanted = call.request.arg("original_sku")
        if wanted:
            items = [item for item in items if item.seller_sku == wanted]
        items.sort(key=lambda item: item.created_at, reverse=True)
        return self.ok(call, self._page(call, [self._request_out(item) for item in items]))

    def delete_request(self, call: Call) -> Reply:
        number = whole_number(call.params["request_id"])
        item = next((i for i in self.state.all_items(call.shop.key) if i.extra.get("request_id") == number), None)
        if item is None:
            raise PlatformError(404, f"Request {call.params['request_id']} not found.", status=404)
        if item.status in (self.words.live, self.words.inactive):
            raise _invalid(f"Request {number} is approved: its product {item.item_id} stays.")
        self.state.put(touched(item, call.now, status=self.words.deleted, review_due_at=None))
        return self.ok(call, {"request_id": number, "state": "deleted"})

    def update_info(self, call: Call) -> Reply:
        body = _json_object(call.request)
        item = self._product_item(call, body.get("product_id"))
        content = self._content(body, current=item)
        self.state.put(touched(item, call.now, **content))
        return self.ok(call, {"track_id": secrets.token_hex(16), "state": "approved"})

    # -- products --------------------------------------------------------------------------------

    def find_by(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        wanted = call.request.arg("original_sku") or ""
        item = next((i for i in self.state.by_sku(call.shop.key, wanted) if self._is_product(i)), None)
        if item is None:
            raise PlatformError(404, f"No product with original_sku {wanted}.", status=404)
        return self.ok(call, self._product_out(item))

    def list_products(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        items = [item for item in self.state.all_items(call.shop.key) if self._is_product(item)]
        active = call.request.arg("active")
        if active in ("0", "1"):
            items = [item for item in items if (item.status == self.words.live) == (active == "1")]
        return self.ok(call, self._page(call, [self._product_out(item) for item in items]))

    def get_product(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        return self.ok(call, self._product_out(self._product_item(call, call.params["product_id"])))

    def update_sku(self, call: Call) -> Reply:
        body = _json_object(call.request)
        if body.get("product_id") is not None:
            item = self._product_item(call, body["product_id"])
        else:
            found = [i for i in self.state.by_sku(call.shop.key, str(body.get("original_sku"))) if self._is_product(i)]
            if not found:
                raise PlatformError(404, f"No product with original_sku {body.get('original_sku')}.", status=404)
            item = found[0]
        changes: dict[str, Any] = {}
        if "price" in body:
            changes["price"] = self._price(body["price"])
        if "warehouse_quantities" in body:
            changes["stock"] = self._stock(body["warehouse_quantities"], call, camel=False)
        if "active" in body:
            if body["active"] not in (0, 1):
                raise _invalid("active must be 1 or 0.")
            changes["status"] = self.words.live if body["active"] == 1 else self.words.inactive
        self.state.put(touched(item, call.now, **changes))
        return self.ok(call, {"state": "approved"})

    def delete_product(self, call: Call) -> Reply:
        item = self._product_item(call, call.params["product_id"])
        self.state.put(touched(item, call.now, status=self.words.deleted,
                               extra={**item.extra, "product_deleted": True}))
        return self.ok(call, {})

    # -- helpers ---------------------------------------------------------------------------------

    def _is_product(self, item: Item) -> bool:
        return item.status in (self.words.live, self.words.inactive)

    def _by_track(self, shop: str, track_id: str) -> Item:
        item = next((i for i in self.state.all_items(shop) if i.extra.get("track_id") == track_id), None)
        if item is None:
            raise PlatformError(404, f"Tracking id {track_id} not found.", status=404)
        return item

    def _product_item(self, call: Call, product_id: Any) -> Item:
        number = whole_number(product_id)
        item = self.state.get(number, call.shop.key) if number is not None else None
        if item is None or not self._is_product(item):
            raise PlatformError(404, f"Product {product_id} not found.", status=404)
        return item

    def _seller_sku(self, value: Any, shop: str) -> str:
        limits = self.settings.limits
        if not isinstance(value, str) or not 1 <= len(value) <= limits.seller_sku_max or any(c.isspace() for c in value):
            raise _invalid(f"variants[0].sku {value!r} must be 1 to {limits.seller_sku_max} characters without spaces.")
        for held in self.state.by_sku(shop, value):
            if held.status not in (self.words.rejected, self.words.deleted):
                what = f"product {held.item_id}" if self._is_product(held) else f"request {held.extra['track_id']}"
                raise _invalid(f"original_sku {value} already exists in this shop ({what}).")
        return value

    def _content(self, body: dict[str, Any], current: Item | None) -> dict[str, Any]:
        """What a create request sets, or what an update changes (only the fields it sends)."""
        limits = self.settings.limits
        content: dict[str, Any] = {}
        if current is None or "name" in body:
            name = body.get("name")
            if not isinstance(name, str) or not limits.title_min <= len(name) <= limits.title_max:
                raise _invalid(f"name must be {limits.title_min} to {limits.title_max} characters.")
            content["title"] = name
        if current is None or "description" in body:
            text = body.get("description")
            if not isinstance(text, str) or not limits.description_min <= len(text) <= limits.description_max:
                raise _invalid(f"description must be {limits.description_min} to {limits.description_max} characters.")
            content["description"] = text
        if current is None:
            number = whole_number(body.get("category_id"))
            if number is None or number <= 0 or (self.settings.categories and str(number) not in self.settings.categories):
                raise _invalid(f"category_id {body.get('category_id')!r} is not a category of Tiki's.")
            content["category_id"] = str(number)
        if current is None or "image" in body:
            content["images"] = self._images(body.get("image"), body.get("images") or [])
        if current is None or "attributes" in body:
            content |= _attributes(body.get("attributes"))
        return content

    def _images(self, cover: Any, others: Any) -> tuple[str, ...]:
        limits = self.settings.limits
        urls = [cover, *others] if isinstance(others, list) else [cover]
        if not limits.images_min <= len(urls) <= limits.images_max:
            raise _invalid(f"image and images must hold {limits.images_min} to {limits.images_max} pictures.")
        for url in urls:
            problem = hosted_picture(self.state, url, IMAGE_MIN_PX)
            if problem:
                raise _invalid(problem)
        return tuple(urls)

    def _price(self, value: Any) -> int:
        limits = self.settings.limits
        number = whole_number(value)
        if number is None or not limits.price_min <= number <= limits.price_max:
            raise _invalid(f"price {value!r} must be a whole number of VND from {limits.price_min} to {limits.price_max}.")
        return number

    def _stock(self, value: Any, call: Call, *, camel: bool) -> int:
        key_id, key_qty = ("warehouseId", "qtyAvailable") if camel else ("warehouse_id", "qty_available")
        entries = value if isinstance(value, list) and value else None
        if entries is None or not all(isinstance(e, dict) for e in entries):
            raise _invalid(f"stocks must be a list of {{{key_id}, {key_qty}}}.")
        total = 0
        for entry in entries:
            if whole_number(entry.get(key_id)) != warehouse_id(call.shop.key):
                raise _invalid(f"{key_id} {entry.get(key_id)!r} is not a warehouse of this seller.")
            quantity = whole_number(entry.get(key_qty))
            if quantity is None or quantity < 0:
                raise _invalid(f"{key_qty} {entry.get(key_qty)!r} must be a whole number of 0 or more.")
            total += quantity
        return total

    def _page(self, call: Call, rows: list[dict[str, Any]]) -> dict[str, Any]:
        page, limit = whole_number(call.request.arg("page") or 1), whole_number(call.request.arg("limit") or 20)
        if page is None or page < 1 or limit is None or not 1 <= limit <= MAX_PAGE:
            raise _invalid(f"page must be 1 or more and limit 1 to {MAX_PAGE}.")
        start = (page - 1) * limit
        shown = rows[start : start + limit]
        return {"data": shown, "paging": {"total": len(rows), "current_page": page, "per_page": limit,
                                          "from": start + 1 if shown else None, "to": start + len(shown) if shown else None,
                                          "last_page": max(1, math.ceil(len(rows) / limit))}}

    def _request_out(self, item: Item) -> dict[str, Any]:
        approved = self._is_product(item) or bool(item.extra.get("product_deleted"))
        return {
            "track_id": item.extra["track_id"], "request_id": item.extra["request_id"],
            "state": "approved" if approved else item.status, "kind": "create_product",
            "created_at": int(item.created_at), "original_sku": item.seller_sku,
            "reason": item.reject_reason, "reasons": [item.reject_reason] if item.reject_reason else None,
            "product_id": item.item_id if approved else None,
            "products": [self._product_out(item)] if self._is_product(item) else [],
        }

    def _product_out(self, item: Item) -> dict[str, Any]:
        length, width, height = item.package_cm or (0.0, 0.0, 0.0)
        attributes = {"brand": item.brand, "origin": "Việt Nam", "product_weight_kg": item.weight_kg,
                      "product_length": length, "product_width": width, "product_height": height}
        if item.gtin:
            attributes["gtin"] = item.gtin
        return {
            "id": item.item_id, "product_id": item.item_id, "sku": str(item.sku_id), "original_sku": item.seller_sku,
            "name": item.title, "description": item.description,
            "active": 1 if item.status == self.words.live else 0, "type": "simple", "entity_type": "seller_simple",
            "price": item.price, "market_price": item.price, "created_at": int(item.created_at),
            "updated_at": int(item.updated_at), "thumbnail": item.images[0] if item.images else None,
            "images": [{"url": url} for url in item.images], "categories": [{"id": int(item.category_id)}],
            "attributes": attributes,
            "inventory": {"inventory_type": "dropship", "warehouse_quantities": [
                {"warehouse_id": warehouse_id(item.shop), "qty_available": item.stock}]},
        }


def _attributes(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid("attributes must be an object keyed by attribute code.")
    gtin = value.get("gtin")
    if gtin is not None and (not isinstance(gtin, str) or not is_valid_gtin(gtin)):
        raise _invalid(f"attributes.gtin {gtin!r} is not a valid GTIN-8/12/13/14.")
    weight = value.get("product_weight_kg")
    if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight <= 0:
        raise _invalid("attributes.product_weight_kg must be a positive number.")
    sides = [value.get(name) for name in ("product_length", "product_width", "product_height")]
    package = tuple(float(side) for side in sides) if all(isinstance(s, (int, float)) and s > 0 for s in sides) else None
    return {"brand": str(value.get("brand") or ""), "gtin": gtin, "weight_kg": float(weight), "package_cm": package}


def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = request.json()
    except ValueError:
        raise _invalid("the request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise _invalid("the request body must be a JSON object.")
    return body


def _invalid(message: str) -> PlatformError:
    return PlatformError(400, message, status=400)

