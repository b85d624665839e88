"""Sendo's seller API ("Kết nối API", open.sendo.vn), as a local sandbox.

`POST /login` with JSON `{"shop_key", "secret_key"}` answers a token (`result.token`) and when it
expires (`result.expires`, ISO 8601, Vietnam time), `[sendo.tokens] access_seconds` after the login
(8 hours by default). Logins are limited to `LOGINS_PER_SECOND` per client IP address. Every other
call carries `Authorization: bearer <token>` (any case). Answers are the envelope
`{"success", "statusCode", "result", "error": {"message"}}`.

Products: `POST /api/partner/product` creates when `id` is 0 (answering the new id as `result`) and
updates the whole product otherwise; `GET /api/partner/product?id=` or `?sku=` (id wins);
`POST /api/partner/product/search` pages with `next_token` (`page_size` at most 50). A new or
re-submitted product is pending review (1) until `[sendo.review] delay_seconds` have passed; the
review is decided on the shop's next call, to selling (2) or rejected (3, with `reject_reason`).

Choices where the public documentation is silent (docs/platforms.md, Sendo):
- HTTP statuses: 400 invalid parameters, 401 an unknown or expired token and a refused login, 404 an
  unknown product, 429 too many requests (with `Retry-After`), 500; `statusCode` repeats the status;
- statuses 0 draft, 1 pending review, 2 selling, 3 rejected, 4 cancelled, 5 deleted (the reference's
  number; a public client says 6); products in 1, 4 or 5 take no update (400);
- the seller SKU (`sku`) is unique per shop among products not deleted (400 naming the holder);
- a partial update at `POST /api/partner/product/update-by-field-mask`: a list of
  `{"id", "field_mask": [...], <the masked fields>}`, answered per product
  (`result: [{"id", "success", "error"}]`); `DELETE /api/partner/product?id=`;
- off sale without cancelling: `stock_availability` false (required when `stock_quantity` is 0);
- pictures by URL (`avatar.picture_url`, `pictures[].picture_url`) published to this sandbox's image
  host (`sandboxes/image_host.py`), at least 500x500; the GTIN as the attribute coded `barcode`;
  `weight` in grams, `length`, `width`, `height` in cm.
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import hmac
import json
import threading
from typing import Any

from sandboxes.checks import is_valid_gtin, whole_number
from sandboxes.gateway import (
    Call,
    Caller,
    PlatformError,
    Reply,
    Request,
    Route,
    Sandbox,
    route,
)
from sandboxes.grants import GrantRefused
from sandboxes.image_host import IMAGE_HOST, host_image, hosted_picture
from sandboxes.review import StatusWords, needs_review_after_edit, start_review
from sandboxes.state import Item, ItemQuery, touched

LOGINS_PER_SECOND = 5
MAX_PAGE = 50
IMAGE_MIN_PX = 500
PENDING, SELLING, REJECTED, CANCELLED, DELETED = "1", "2", "3", "4", "5"
NOT_UPDATABLE = {PENDING: "pending review", CANCELLED: "cancelled", DELETED: "deleted"}
VIETNAM = dt.timezone(dt.timedelta(hours=7))
PRODUCT = "/api/partner/product"
# What a field mask may name, and the product fields each one sets.
MASKABLE = ("name", "description", "cat_4_id", "avatar", "pictures", "attributes", "weight", "length", "width",
            "height", "price", "stock_quantity", "stock_availability")


class SendoSandbox(Sandbox):
    words = StatusWords(reviewing=PENDING, live=SELLING, rejected=REJECTED, inactive=CANCELLED, deleted=DELETED)
    item_id_start = 31_000_001
    sku_id_start = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._logins: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._logins_lock = threading.Lock()

    def build_routes(self) -> list[Route]:
        return [
            route("POST", "/login", self.login, scope="open"),
            route("POST", IMAGE_HOST, self.host_image, write=True, scope="open"),
            route("POST", PRODUCT, self.create_or_update, write=True),
            route("GET", PRODUCT, self.get_product),
            route("DELETE", PRODUCT, self.delete_product, write=True),
            route("POST", f"{PRODUCT}/search", self.search),
            route("POST", f"{PRODUCT}/update-by-field-mask", self.update_by_field_mask, write=True),
        ]

    # -- gateway ---------------------------------------------------------------------------------

    def authenticate(self, request: Request, matched: Route, now: float) -> Caller:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        try:
            shop = self.token_owner(list(self.shops), token, now)
        except GrantRefused:
            raise PlatformError(401, "Token đã hết hạn (token expired): log in again.", status=401) from None
        if shop is None:
            raise PlatformError(401, "Token không hợp lệ (missing or invalid token).", status=401)
        return Caller(app_key=shop.app_key, shop=shop)

    def error_reply(self, error: PlatformError, request_id: str) -> Reply:
        headers = (("Retry-After", "1"),) if error.status == 429 else ()
        payload = {"success": False, "statusCode": error.status, "result": None, "error": {"message": error.message}}
        return Reply(error.status, payload, headers, code=str(error.code))

    def rate_limited(self, request_id: str) -> PlatformError:
        return PlatformError(429, "Too many requests.", status=429)

    def internal_error(self) -> PlatformError:
        return PlatformError(500, "Internal server error.", status=500)

    def unknown_path(self, request: Request) -> PlatformError:
        return PlatformError(404, f"{request.method} {request.path} not found.", status=404)

    @staticmethod
    def ok(result: Any) -> Reply:
        return Reply(200, {"success": True, "statusCode": 200, "result": result, "error": None})

    # -- login and the image host ----------------------------------------------------------------

    def login(self, call: Call) -> Reply:
        if not self._admit_login(call.request.client, call.now):
            raise PlatformError(429, f"Too many logins: at most {LOGINS_PER_SECOND} per second per IP.", status=429)
        body = _json(call.request)
        shops = self.app_shops(str(body.get("shop_key") or "")) if isinstance(body, dict) else []
        secret = str(body.get("secret_key") or "") if isinstance(body, dict) else ""
        if not shops or not hmac.compare_digest(shops[0].app_secret, secret):
            raise PlatformError(401, "shop_key hoặc secret_key không đúng (wrong shop_key or secret_key).", status=401)
        issued = self.grants.redeem_code(self.grants.new_code(shops[0].key, call.now), call.now)
        expires = dt.datetime.fromtimestamp(issued.access_expires_at, VIETNAM)
        return self.ok({"token": issued.access_token, "expires": expires.isoformat(timespec="seconds")})

    def _admit_login(self, client: str, now: float) -> bool:
        with self._logins_lock:
            recent = self._logins[client]
            while recent and recent[0] <= now - 1.0:
                recent.popleft()
            if len(recent) >= LOGINS_PER_SECOND:
                return False
            recent.append(now)
            return True

    def host_image(self, call: Call) -> Reply:
        return Reply(200, {"url": host_image(self.state, call, "https://media3.scdn.vn/sandbox")})

    # -- products --------------------------------------------------------------------------------

    def create_or_update(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        body = _json_object(call.request)
        number = whole_number(body.get("id", 0))
        if number is None or number < 0:
            raise _invalid(f"id {body.get('id')!r} must be 0 (create) or a product id (update).")
        if number == 0:
            return self.ok(self._create(call, body))
        item = self._updatable(call, number)
        changes = self._fields(body, call.shop.key, item, MASKABLE)
        changes["seller_sku"] = self._seller_sku(body.get("sku"), call.shop.key, other_than=item.item_id)
        self._save_edit(item, changes, call.now)
        return self.ok(item.item_id)

    def _create(self, call: Call, body: dict[str, Any]) -> int:
        seller_sku = self._seller_sku(body.get("sku"), call.shop.key)
        fields = self._fields(body, call.shop.key, None, MASKABLE)
        item_id, sku_id = self.allocate_ids()
        item = Item(item_id=item_id, shop=call.shop.key, seller_sku=seller_sku, status=PENDING, sku_id=sku_id,
                    created_at=call.now, updated_at=call.now, brand="", reject_reason=None,
                    **{name: fields[name] for name in ("title", "description", "category_id", "price", "stock",
                                                       "weight_kg", "package_cm", "images", "gtin")},
                    extra={"stock_availability": fields["stock_availability"]})
        self.state.put(start_review(item, self.settings.review, self.words, call.now))
        return item_id

    def update_by_field_mask(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        entries = _json(call.request)
        if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
            raise _invalid("the body must be a list of {id, field_mask, ...} objects.")
        answers = []
        for entry in entries:
            try:
                item = self._updatable(call, whole_number(entry.get("id")))
                mask = entry.get("field_mask")
                if not isinstance(mask, list) or not mask or not set(mask) <= set(MASKABLE):
                    raise _invalid(f"field_mask {mask!r} must list some of {', '.join(MASKABLE)}.")
                self._save_edit(item, self._fields(entry, call.shop.key, item, tuple(mask)), call.now)
                answers.append({"id": item.item_id, "success": True, "error": None})
            except PlatformError as refused:
                answers.append({"id": entry.get("id"), "success": False, "error": refused.message})
        return self.ok(answers)

    def get_product(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        wanted_id, wanted_sku = call.request.arg("id"), call.request.arg("sku")
        if wanted_id:
            number = whole_number(wanted_id)
            item = self.state.get(number, call.shop.key) if number is not None else None
        elif wanted_sku:
            item = next(iter(self.state.by_sku(call.shop.key, wanted_sku, excluding_status=DELETED)), None)
        else:
            raise _invalid("id or sku is required.")
        if item is None:
            raise PlatformError(404, f"Không tìm thấy sản phẩm (product {wanted_id or wanted_sku} not found).",
                                status=404)
        return self.ok(self._product_out(item))

    def delete_product(self, call: Call) -> Reply:
        item = self._updatable(call, whole_number(call.request.arg("id")), deleting=True)
        self.state.put(touched(item, call.now, status=DELETED, review_due_at=None))
        return self.ok(item.item_id)

    def search(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        body = _json_object(call.request)
        size = whole_number(body.get("page_size") if body.get("page_size") is not None else 10)
        if size is None or not 1 <= size <= MAX_PAGE:
            raise _invalid(f"page_size must be 1 to {MAX_PAGE}.")
        token = body.get("token")
        if token:
            # A token carries the filters of the search that made it: the others are ignored.
            query, offset = _read_token(token, call.shop.key)
        else:
            query, offset = self._search_query(body, call.shop.key), 0
        items, total = self.state.query(ItemQuery(**query, offset=offset, limit=size))
        after = offset + len(items)
        return self.ok({
            "data": [self._product_out(item, summary=True) for item in items],
            "total_records": total,
            "next_token": _token(query, after) if after < total else None,
            "previous_token": _token(query, max(0, offset - size)) if offset else None,
        })

    # -- helpers ---------------------------------------------------------------------------------

    def _search_query(self, body: dict[str, Any], shop: str) -> dict[str, Any]:
        query: dict[str, Any] = {"shop": shop}
        status = body.get("status")
        if status is None:
            query["statuses"] = (PENDING, SELLING, REJECTED, CANCELLED, "0")
        elif str(status) in ("0", PENDING, SELLING, REJECTED, CANCELLED, DELETED):
            query["statuses"] = (str(status),)
        else:
            raise _invalid(f"status {status!r} is not a product status.")
        if body.get("product_name"):
            query["title_contains"] = str(body["product_name"])
        for name, bound in (("date_from", "updated_from"), ("date_to", "updated_to")):
            if body.get(name):
                try:
                    day = dt.date.fromisoformat(str(body[name]))
                except ValueError:
                    raise _invalid(f"{name} {body[name]!r} must be a date, YYYY-MM-DD.") from None
                moment = dt.datetime.combine(day, dt.time.max if name == "date_to" else dt.time.min, VIETNAM)
                query[bound] = moment.timestamp()
        return query

    def _updatable(self, call: Call, number: int | None, *, deleting: bool = False) -> Item:
        item = self.state.get(number, call.shop.key) if number is not None else None
        if item is None or item.status == DELETED:
            raise PlatformError(404, f"Không tìm thấy sản phẩm (product {number} not found).", status=404)
        if item.status in NOT_UPDATABLE and not deleting:
            raise _invalid(f"Product {number} is {NOT_UPDATABLE[item.status]} (status {item.status}): "
                           "it cannot be updated.")
        return item

    def _save_edit(self, item: Item, changes: dict[str, Any], now: float) -> None:
        availability = changes.pop("stock_availability", item.extra.get("stock_availability", True))
        edited = touched(item, now, **changes, extra={**item.extra, "stock_availability": availability})
        if edited.stock <= 0 and availability:
            raise _invalid("stock_availability must be false when stock_quantity is 0 or less.")
        from_content = any(getattr(item, name) != getattr(edited, name)
                           for name in ("title", "description", "category_id", "images", "gtin"))
        if from_content and needs_review_after_edit(item, self.settings.review, self.words):
            edited = start_review(edited, self.settings.review, self.words, now)
        self.state.put(edited)

    def _seller_sku(self, value: Any, shop: str, *, other_than: int | None = None) -> str:
        limits = self.settings.limits
        if not isinstance(value, str) or not 1 <= len(value) <= limits.seller_sku_max or any(c.isspace() for c in value):
            raise _invalid(f"sku {value!r} must be 1 to {limits.seller_sku_max} characters without spaces.")
        holder = self.sku_holder(shop, value, other_than=other_than)
        if holder is not None:
            raise _invalid(f"sku {value} already exists in this shop (product {holder.item_id}).")
        return value

    def _fields(self, body: dict[str, Any], shop: str, current: Item | None, names: tuple[str, ...]) -> dict[str, Any]:
        """What a create sets, or what an update changes: every field of `names` is required."""
        limits = self.settings.limits
        fields: dict[str, Any] = {}
        if "name" in names:
            name = body.get("name")
            if not isinstance(name, str) or not limits.title_min <= len(name) <= limits.title_max:
                raise _invalid(f"name must be {limits.title_min} to {limits.title_max} characters.")
            fields["title"] = name
        if "description" in names:
            text = body.get("description")
            if not isinstance(text, str) or not limits.description_min <= len(text) <= limits.description_max:
                raise _invalid(f"description must be {limits.description_min} to {limits.description_max} characters.")
            if text.lower().count("<img") > 20:
                raise _invalid("description may hold at most 20 <img>.")
            fields["description"] = text
        if "cat_4_id" in names:
            number = whole_number(body.get("cat_4_id"))
            if number is None or number <= 0 or (self.settings.categories and str(number) not in self.settings.categories):
                raise _invalid(f"cat_4_id {body.get('cat_4_id')!r} is not a level-4 category of Sendo's.")
            fields["category_id"] = str(number)
        if "avatar" in names or "pictures" in names:
            fields["images"] = self._pictures(body, current)
        if "attributes" in names:
            fields["gtin"] = _barcode(body.get("attributes"))
        if "weight" in names:
            grams = body.get("weight")
            if not isinstance(grams, (int, float)) or isinstance(grams, bool) or grams <= 0:
                raise _invalid("weight must be a positive number of grams.")
            fields["weight_kg"] = grams / 1000
        sides = [name for name in ("length", "width", "height") if name in names]
        if sides:
            before = current.package_cm if current and current.package_cm else (0.0, 0.0, 0.0)
            package = dict(zip(("length", "width", "height"), before))
            for side in sides:
                value = body.get(side)
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                    raise _invalid(f"{side} must be a positive number of centimetres.")
                package[side] = float(value)
            fields["package_cm"] = (package["length"], package["width"], package["height"])
        if "price" in names:
            price = whole_number(body.get("price"))
            if price is None or not limits.price_min <= price <= limits.price_max:
                raise _invalid(f"price {body.get('price')!r} must be {limits.price_min} to {limits.price_max} VND.")
            fields["price"] = price
        if "stock_quantity" in names:
            stock = whole_number(body.get("stock_quantity"))
            if stock is None or stock < 0:
                raise _invalid(f"stock_quantity {body.get('stock_quantity')!r} must be a whole number of 0 or more.")
            fields["stock"] = stock
        if "stock_availability" in names:
            if not isinstance(body.get("stock_availability"), bool):
                raise _invalid("stock_availability must be true or false.")
            fields["stock_availability"] = body["stock_availability"]
            if current is None and fields["stock_availability"] and fields.get("stock", 0) <= 0:
                raise _invalid("stock_availability must be false when stock_quantity is 0 or less.")
        return fields

    def _pictures(self, body: dict[str, Any], current: Item | None) -> tuple[str, ...]:
        limits = self.settings.limits
        avatar = body.get("avatar") if isinstance(body.get("avatar"), dict) else {}
        pictures = body.get("pictures") if isinstance(body.get("pictures"), list) else []
        cover = avatar.get("picture_url") or (current.images[0] if current and current.images else None)
        others = [p.get("picture_url") for p in pictures if isinstance(p, dict)]
        urls = [cover, *[url for url in others if url != cover]] if cover else others
        if not limits.images_min <= len(urls) <= limits.images_max:
            raise _invalid(f"avatar and pictures must hold {limits.images_min} to {limits.images_max} pictures.")
        for url in urls:
            problem = hosted_picture(self.state, url, IMAGE_MIN_PX)
            if problem:
                raise _invalid(problem)
        return tuple(urls)

    def _product_out(self, item: Item, *, summary: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": item.item_id, "sku": item.seller_sku, "name": item.title, "status": int(item.status),
            "price": item.price, "stock_quantity": item.stock,
            "stock_availability": bool(item.extra.get("stock_availability", True)),
            "cat_4_id": int(item.category_id) if item.category_id.isdigit() else None,
            "updated_at_timestamp": int(item.updated_at), "created_at_timestamp": int(item.created_at),
            "reject_reason": item.reject_reason,
            "avatar": {"picture_url": item.images[0] if item.images else None},
        }
        if summary:
            return out
        length, width, height = item.package_cm or (0.0, 0.0, 0.0)
        attributes = [{"attribute_code": "barcode", "attribute_is_custom": True,
                       "attribute_values": [{"value": item.gtin, "is_selected": True, "is_custom": True}]}] if item.gtin else []
        return out | {
            "description": item.description, "weight": round(item.weight_kg * 1000), "length": length, "width": width,
            "height": height, "pictures": [{"picture_url": url} for url in item.images], "attributes": attributes,
        }


def _barcode(attributes: Any) -> str | None:
    if not isinstance(attributes, list) or not all(isinstance(a, dict) for a in attributes):
        raise _invalid("attributes must be a list of {attribute_id or attribute_code, attribute_values}.")
    for attribute in attributes:
        if attribute.get("attribute_code") != "barcode":
            continue
        values = attribute.get("attribute_values") or [{}]
        gtin = values[0].get("value") if isinstance(values[0], dict) else None
        if not isinstance(gtin, str) or not is_valid_gtin(gtin):
            raise _invalid(f"attribute barcode {gtin!r} is not a valid GTIN-8/12/13/14.")
        return gtin
    return None


def _token(query: dict[str, Any], offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"q": query, "o": offset}).encode()).decode()


def _read_token(token: Any, shop: str) -> tuple[dict[str, Any], int]:
    try:
        state = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        query, offset = state["q"], int(state["o"])
    except (ValueError, KeyError, TypeError):
        raise _invalid("token is not one this search gave.") from None
    if not isinstance(query, dict) or query.get("shop") != shop:
        raise _invalid("token is not one this search gave.")
    if "statuses" in query:
        query["statuses"] = tuple(query["statuses"])
    return query, offset


def _json(request: Request) -> Any:
    try:
        return request.json()
    except ValueError:
        raise _invalid("the request body is not valid JSON.") from None


def _json_object(request: Request) -> dict[str, Any]:
    body = _json(request)
    if not isinstance(body, dict):
        raise _invalid("the request body must be a JSON object.")
    return body


def _invalid(message: str) -> PlatformError:
    return PlatformError(400, message, status=400)
