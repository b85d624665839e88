"""TikTok Shop Partner API (versioned paths, 202309 and later), as a local sandbox.

Query parameters `app_key`, `timestamp` (seconds; 5 minutes before to 30 seconds after server
time), `sign` and, for shop calls, `shop_cipher`; the token in the `x-tts-access-token` header.
The sign: query parameters except `sign` and `access_token`, sorted, as `key + value`, prefixed
with the path, followed by the raw body (unless multipart), wrapped in the app secret on both
sides, HMAC-SHA256 keyed with the app secret, hex lower case. Envelope
`{"code": 0, "message": "Success", "request_id", "data"}` with an integer code.

Choices where the public documentation is silent (marketplaces.md "not confirmed"):
- gateway failures answer non-200 (sign 401 `106001`, app key/timestamp/token 401 `36009004`,
  shop_cipher 400 `106013`, rate limit 429 `36009002`); business failures answer 200 with their code:
  `12052051` title length, `12052032` unknown product, `12052557` SKU not in product, and
  `12052910` for every other invalid parameter (a duplicate seller_sku included, the message names
  the product that holds it);
- one SKU per product; `inventory[].warehouse_id` must be the shop's warehouse from
  `GET /logistics/202309/warehouses`; search filters on update time, not create time;
- seller-level calls (`/authorization/202309/shops`, `POST /product/202309/images/upload`) take the
  token but no `shop_cipher`; one sent there is refused (400 `106013`, the code is our choice);
- a create's `idempotency_key` (at most 128 characters) seen before in the shop answers the first
  successful create's result again, whatever the body; refused creates are not remembered, and
  keys are kept as long as the sandbox's state;
- a product without a brand has no `brand` field (never `"brand": null`); one with a brand has
  `{"id"}`;
- categories, attributes, rules and brands are the sandbox's catalogue (`sandboxes/catalogue.py`).
  Attributes answer both `is_requried` (the reference's spelling) and `is_required`. A category
  that is not a leaf answers `12052024` "Category is not final category" (on create and on the
  attribute and rule reads); an unknown one `12052910`. Missing required product attributes,
  values outside a non-customisable attribute's list, a required certification without an
  uploaded image or file, and package_dimensions missing where the rules require them answer
  `12052910` naming every one (the reference's codes for these are not public); an unknown
  `brand_id` is cleared with a warning, as the reference says the platform does;
- the auth host is served by the same server: `/oauth/authorize` grants at once and redirects to
  `redirect_uri` (a sandbox extension: the platform uses the app's registered one) with `code` and
  `state`; `/api/v2/token/get` and `/api/v2/token/refresh` take `app_key` and `app_secret` in the
  query, unsigned, and answer expiries as Unix times. A refresh gives a new access token and the same
  refresh token. An expired access token answers 401 `105002`; a refresh token that expired
  `36004001`, one unknown or revoked `36004005`. Lifetimes: `[tiktok.tokens]`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import replace
from typing import Any, Mapping

from ocop.channels import Channel, declaration
from sandboxes.catalogue import (
    CategoryCatalogue,
    Chosen,
    SandboxAttribute,
    SandboxCategory,
    attribute_problems,
)
from sandboxes.checks import decimal_of, is_valid_gtin, whole_number
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
from sandboxes.grants import GrantRefused
from sandboxes.review import StatusWords, needs_review_after_edit, start_review
from sandboxes.state import Item, ItemQuery, StoredImage, content_changed, touched

PRODUCTS = "/product/{version}/products"
TIMESTAMP_BEFORE, TIMESTAMP_AFTER = 300, 30
MAX_PAGE = 100
MAX_BATCH = 20
MAX_SELLER_SKUS = 10
IDEMPOTENCY_KEY_MAX = 128
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MIN_PX, IMAGE_MAX_PX = 100, 20000
STATUSES = tuple(declaration(Channel.TIKTOK).statuses)
IDENTIFIER_TYPES = ("GTIN", "EAN", "UPC", "ISBN")
POUND_KG = 0.45359237
INCH_CM = 2.54
CATEGORIES = "/product/202309/categories"
NOT_FINAL_CATEGORY = 12052024


def sign(app_secret: str, path: str, query: Mapping[str, str], body: bytes = b"") -> str:
    """TikTok Shop sign; pass `body` only for non-multipart requests."""
    pairs = "".join(f"{key}{query[key]}" for key in sorted(query) if key not in ("sign", "access_token"))
    text = f"{app_secret}{path}{pairs}".encode("utf-8") + body + app_secret.encode("utf-8")
    return hmac.new(app_secret.encode("utf-8"), text, hashlib.sha256).hexdigest()


def warehouse_id(shop_cipher: str) -> str:
    """The one sales warehouse of a sandbox shop, stable across restarts."""
    return str(7_300_000_000_000_000_000 + int(hashlib.sha256(shop_cipher.encode()).hexdigest()[:12], 16))


class TikTokSandbox(Sandbox):
    words = StatusWords(reviewing="PENDING", live="ACTIVATE", rejected="FAILED", inactive="SELLER_DEACTIVATED",
                        deleted="DELETED")
    item_id_start = 1_729_000_000_000_000_001
    sku_id_start = 1_729_500_000_000_000_001

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = CategoryCatalogue.for_channel(self.channel)

    def build_routes(self) -> list[Route]:
        one = PRODUCTS + "/{product_id}"
        return [
            route("GET", "/oauth/authorize", self.authorize, scope="open"),
            route("GET", "/open/authorize", self.authorize_service, scope="open"),
            route("GET", "/api/v2/token/get", self.token_get, scope="open"),
            route("GET", "/api/v2/token/refresh", self.token_refresh, scope="open"),
            route("GET", "/authorization/202309/shops", self.authorized_shops, scope="token"),
            route("GET", "/logistics/202309/warehouses", self.warehouses),
            route("POST", "/product/202309/images/upload", self.upload_image, write=True, scope="token"),
            route("GET", CATEGORIES, self.categories),
            route("GET", CATEGORIES + "/{category_id}/attributes", self.category_attributes),
            route("GET", CATEGORIES + "/{category_id}/rules", self.category_rules),
            route("GET", "/product/202309/brands", self.brands),
            route("POST", PRODUCTS + "/search", self.search_products),
            route("POST", PRODUCTS + "/deactivate", self.deactivate_products, write=True),
            route("POST", PRODUCTS + "/activate", self.activate_products, write=True),
            route("POST", PRODUCTS, self.create_product, write=True),
            route("DELETE", PRODUCTS, self.delete_products, write=True),
            route("GET", one, self.get_product),
            route("PUT", one, self.edit_product, write=True),
            route("POST", one + "/prices/update", self.update_prices, write=True),
            route("POST", one + "/inventory/update", self.update_inventory, write=True),
        ]

    # -- gateway ---------------------------------------------------------------------------------

    def authenticate(self, request: Request, matched: Route, now: float) -> Caller:
        query = {name: values[0] for name, values in request.query.items() if values}
        app_shops = [shop for shop in self.shops if shop.app_key == query.get("app_key")]
        if not app_shops:
            raise PlatformError(36009004, "Invalid app_key.", status=401)
        timestamp = query.get("timestamp", "")
        if not timestamp.isdigit() or not now - TIMESTAMP_BEFORE <= int(timestamp) <= now + TIMESTAMP_AFTER:
            raise PlatformError(36009004, "Invalid timestamp: it must be Unix seconds within 5 minutes before and "
                                "30 seconds after server time.", status=401)
        body = b"" if request.is_multipart else request.body
        expected = sign(app_shops[0].app_secret, request.path, query, body)
        if not hmac.compare_digest(expected, query.get("sign", "").lower()):
            raise PlatformError(106001, "Invalid credentials: the sign does not match.", status=401)
        try:
            shop = self.token_owner(app_shops, request.headers.get("x-tts-access-token", ""), now)
        except GrantRefused:
            raise PlatformError(105002, "access token is expired, please refresh it", status=401) from None
        if shop is None:
            raise PlatformError(36009004, "Invalid access token: send a valid x-tts-access-token header.", status=401)
        _check_cipher(query.get("shop_cipher"), shop.shop_id, shop_scoped=matched.scope == "shop")
        return Caller(app_key=shop.app_key, shop=shop)

    def error_reply(self, error: PlatformError, request_id: str) -> Reply:
        payload: dict[str, Any] = {"code": int(error.code), "message": error.message, "request_id": request_id}
        if "data" in error.extra:
            payload["data"] = error.extra["data"]
        headers = (("Retry-After", "1"),) if error.status == 429 else ()
        return Reply(error.status, payload, headers, code=str(error.code))

    def rate_limited(self, request_id: str) -> PlatformError:
        return PlatformError(36009002, "Too many requests: the rate limit of this API for the shop is exceeded.",
                             status=429)

    def internal_error(self) -> PlatformError:
        return PlatformError(12052900, "Internal system error, please try again later.", status=500)

    def unknown_path(self, request: Request) -> PlatformError:
        return PlatformError(36009003, f"API {request.method} {request.path} does not exist.", status=404)

    @staticmethod
    def ok(call: Call, data: Any) -> Reply:
        return Reply(200, {"code": 0, "message": "Success", "request_id": call.request_id, "data": data})

    # -- authorisation (the auth host) ----------------------------------------------------------

    def authorize(self, call: Call) -> Reply:
        """The seller's authorisation page, granted at once. The platform sends the seller to the
        app's registered redirect; here `redirect_uri` (a sandbox extension) says where that is, and
        `seller` (another) picks one of the app's shops by key."""
        request = call.request
        shops = self.app_shops(request.arg("app_key") or "")
        shop = next((s for s in shops if s.key == (request.arg("seller") or (shops[0].key if shops else ""))), None)
        if shop is None or not request.arg("redirect_uri"):
            raise PlatformError(36009004, "app_key and redirect_uri are required.", status=400)
        extra = {"state": request.arg("state")} if request.arg("state") else {}
        return redirect(request.arg("redirect_uri"), code=self.grants.new_code(shop.key, call.now), **extra)

    def authorize_service(self, call: Call) -> Reply:
        """The newer authorisation page, by the app's service id; the sandbox names each app's
        service id after its app key (a real app's is another number, from Partner Center)."""
        service_id = call.request.arg("service_id") or ""
        if not self.app_shops(service_id):
            raise PlatformError(36009004, "service_id is not a known service.", status=400)
        by_app_key = replace(call.request, query={**call.request.query, "app_key": [service_id]})
        return self.authorize(replace(call, request=by_app_key))

    def token_get(self, call: Call) -> Reply:
        self._check_app(call.request, "authorized_code")
        return self._tokens(call, lambda: self.grants.redeem_code(call.request.arg("auth_code") or "", call.now))

    def token_refresh(self, call: Call) -> Reply:
        """A refresh gives a new access token; the refresh token and its expiry stay as they were."""
        self._check_app(call.request, "refresh_token")
        return self._tokens(call, lambda: self.grants.refresh(call.request.arg("refresh_token") or "", call.now,
                                                              rotate=False))

    def _check_app(self, request: Request, grant_type: str) -> None:
        shops = self.app_shops(request.arg("app_key") or "")
        secret = request.arg("app_secret") or ""
        if not shops or not hmac.compare_digest(shops[0].app_secret, secret):
            raise PlatformError(36009004, "Invalid app_key or app_secret.", status=401)
        if request.arg("grant_type") != grant_type:
            raise PlatformError(36009003, f"grant_type must be {grant_type}.", status=400)

    def _tokens(self, call: Call, redeem) -> Reply:
        try:
            issued = redeem()
        except GrantRefused as refused:
            if refused.reason == "expired":
                raise PlatformError(36004001, "rt has expired") from None
            raise PlatformError(36004005, "can not find related auth record") from None
        shop = next(s for s in self.shops if s.key == issued.shop)
        if shop.app_key != call.request.arg("app_key"):
            raise PlatformError(36004005, "can not find related auth record")
        return self.ok(call, {
            "access_token": issued.access_token, "access_token_expire_in": int(issued.access_expires_at),
            "refresh_token": issued.refresh_token, "refresh_token_expire_in": int(issued.refresh_expires_at),
            "open_id": hashlib.sha256(shop.key.encode()).hexdigest()[:16], "seller_name": shop.name or shop.key,
            "seller_base_region": "VN", "user_type": 0, "granted_scopes": ["seller.product.basic"],
        })

    # -- shop, warehouse, images -----------------------------------------------------------------

    def authorized_shops(self, call: Call) -> Reply:
        shop = call.shop
        return self.ok(call, {"shops": [{"id": shop.shop_id, "name": shop.name or shop.key, "region": "VN",
                                         "seller_type": "LOCAL", "cipher": shop.shop_id, "code": shop.key}]})

    def warehouses(self, call: Call) -> Reply:
        return self.ok(call, {"warehouses": [{
            "id": warehouse_id(call.shop.shop_id), "name": f"{call.shop.name or call.shop.key} warehouse",
            "effect_status": "ENABLED", "type": "SALES_WAREHOUSE", "sub_type": "DOMESTIC_WAREHOUSE",
            "is_default": True, "address": {"region_code": "VN"},
        }]})

    def upload_image(self, call: Call) -> Reply:
        fields, files = call.request.form()
        upload = files.get("data")
        if upload is None:
            raise _invalid("data: the image file is required (multipart field 'data').")
        facts = inspect_image(upload.content)
        if facts is None or facts.format not in ("JPEG", "PNG"):
            raise _invalid("data: the image must be JPG, JPEG or PNG.")
        if len(upload.content) > IMAGE_MAX_BYTES:
            raise _invalid("data: the image is larger than 5 MB.")
        if not (IMAGE_MIN_PX <= min(facts.width, facts.height) and max(facts.width, facts.height) <= IMAGE_MAX_PX):
            raise _invalid(f"data: the image is {facts.width}x{facts.height}; allowed 100x100 to 20000x20000 pixels.")
        digest = hashlib.sha256(upload.content).hexdigest()
        uri = f"tos-maliva-i-o3syd03w52-us/{digest[:24]}{self.state.next_id('image', 1):08x}"
        url = f"https://p16-oec-va.ibyteimg.com/{uri}~tplv-o3syd03w52-origin-jpeg.jpeg"
        self.state.add_image(StoredImage(uri, call.shop.key, url, digest, facts.width, facts.height,
                                         len(upload.content), call.now))
        use_case = (fields.get("use_case") or ["MAIN_IMAGE"])[0]
        return self.ok(call, {"uri": uri, "url": url, "width": facts.width, "height": facts.height,
                              "use_case": use_case})

    # -- categories, attributes, rules, brands ---------------------------------------------------

    def categories(self, call: Call) -> Reply:
        keyword = (call.request.arg("keyword") or "").casefold()
        found = [c for c in self.catalogue.categories() if keyword in c.name.casefold()]
        return self.ok(call, {"categories": [{
            "id": c.id, "parent_id": c.parent_id, "local_name": c.name, "is_leaf": self.catalogue.is_leaf(c.id),
            "permission_statuses": ["AVAILABLE"]} for c in found]})

    def category_attributes(self, call: Call) -> Reply:
        leaf = self._leaf(call.params["category_id"])
        return self.ok(call, {"attributes": [_attribute_entry(a) for a in leaf.attributes]})

    def category_rules(self, call: Call) -> Reply:
        rules = self._leaf(call.params["category_id"]).rules
        return self.ok(call, {
            "product_certifications": [{"id": c.id, "name": c.name, "is_required": c.required, "sample_image_url": "",
                                        "requirement_conditions": [], "expiration_date": {"is_required": False}}
                                       for c in rules.certifications],
            "size_chart": {"is_supported": False, "is_required": False}, "cod": {"is_supported": True},
            "package_dimension": {"is_required": rules.package_dimension_required},
            "epr": {"is_required": False}, "responsible_person": {"is_required": False},
            "manufacturer": {"is_required": False},
        })

    def brands(self, call: Call) -> Reply:
        page_size = whole_number(call.request.arg("page_size"))
        if page_size is None or not 1 <= page_size <= MAX_PAGE:
            raise _invalid(f"page_size must be 1 to {MAX_PAGE}.")
        category = call.request.arg("category_id")
        prefix = (call.request.arg("brand_name") or "").casefold()
        found = [b for b in self.catalogue.brands(category) if b.name.casefold().startswith(prefix)]
        offset = _offset_of(call.request.arg("page_token"))
        page = found[offset:offset + page_size]
        following = offset + len(page)
        token = base64.urlsafe_b64encode(json.dumps({"offset": following}).encode()).decode() if following < len(found) else ""
        return self.ok(call, {"brands": [{"id": b.id, "name": b.name, "authorized_status": "UNAUTHORIZED",
                                          "brand_status": "AVAILABLE", "is_t1_brand": False} for b in page],
                              "total_count": len(found), "next_page_token": token})

    def _leaf(self, category_id: Any) -> SandboxCategory:
        if self.catalogue.category(category_id) is None:
            raise _invalid(f"category_id {category_id!r} does not exist.")
        leaf = self.catalogue.leaf(category_id)
        if leaf is None:
            raise PlatformError(NOT_FINAL_CATEGORY, "Category is not final category")
        return leaf

    # -- writes ----------------------------------------------------------------------------------

    def create_product(self, call: Call) -> Reply:
        body = _json_object(call.request)
        key = _idempotency_key(body)
        first = self.state.remembered_answer(call.shop.key, key) if key else None
        if first is not None:
            return self.ok(call, first)
        warnings: list[str] = []
        content = self._content(body, call, current=None, warnings=warnings)
        item_id, sku_id = self.allocate_ids()
        item = Item(item_id=item_id, shop=call.shop.key, status="", sku_id=sku_id, created_at=call.now,
                    updated_at=call.now, **content)
        item = self.state.put(start_review(item, self.settings.review, self.words, call.now))
        answer = {"product_id": str(item.item_id), "skus": [_sku_ref(item)],
                  "warnings": [{"message": w} for w in warnings]}
        if key:
            self.state.remember_answer(call.shop.key, key, answer, call.now)
        return self.ok(call, answer)

    def edit_product(self, call: Call) -> Reply:
        item = self._owned(call, call.params["product_id"])
        warnings: list[str] = []
        content = self._content(_json_object(call.request), call, current=item, warnings=warnings)
        updated = touched(item, call.now, **content)
        if content_changed(item, updated) and needs_review_after_edit(item, self.settings.review, self.words):
            updated = start_review(updated, self.settings.review, self.words, call.now)
        self.state.put(updated)
        return self.ok(call, {"product_id": str(updated.item_id), "skus": [_sku_ref(updated)],
                              "warnings": [{"message": w} for w in warnings]})

    def update_prices(self, call: Call) -> Reply:
        item = self._owned(call, call.params["product_id"])
        sku = self._sku_entry(_json_object(call.request), item)
        price = _price(sku.get("price"), self.settings.limits.price_min, self.settings.limits.price_max)
        self.state.put(touched(item, call.now, price=price))
        return self.ok(call, {})

    def update_inventory(self, call: Call) -> Reply:
        item = self._owned(call, call.params["product_id"])
        sku = self._sku_entry(_json_object(call.request), item)
        stock = self._inventory(sku.get("inventory"), call, require_warehouse=False)
        self.state.put(touched(item, call.now, stock=stock))
        return self.ok(call, {})

    def deactivate_products(self, call: Call) -> Reply:
        return self._batch(call, lambda item: self._switched(item, active=False, now=call.now))

    def activate_products(self, call: Call) -> Reply:
        return self._batch(call, lambda item: self._switched(item, active=True, now=call.now))

    def delete_products(self, call: Call) -> Reply:
        return self._batch(call, lambda item: touched(item, call.now, status=self.words.deleted, review_due_at=None))

    def _batch(self, call: Call, change) -> Reply:
        ids = _json_object(call.request).get("product_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_BATCH:
            raise _invalid(f"product_ids must hold 1 to {MAX_BATCH} product ids.")
        errors = []
        for product_id in ids:
            try:
                self.state.put(change(self._owned(call, product_id)))
            except PlatformError as error:
                errors.append({"code": int(error.code), "message": error.message,
                               "detail": {"product_id": str(product_id)}})
        return self.ok(call, {"errors": errors})

    # -- reads -----------------------------------------------------------------------------------

    def get_product(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        number = whole_number(call.params["product_id"])
        item = self.state.get(number, call.shop.key) if number is not None else None
        if item is None:
            raise PlatformError(12052032, f"Product {call.params['product_id']} does not exist.")
        return self.ok(call, self._detail(item))

    def search_products(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        page_size = whole_number(call.request.arg("page_size"))
        if page_size is None or not 1 <= page_size <= MAX_PAGE:
            raise _invalid(f"page_size must be 1 to {MAX_PAGE}.")
        offset = _offset_of(call.request.arg("page_token"))
        body = _json_object(call.request) if call.request.body else {}
        status = body.get("status", "ALL")
        if status != "ALL" and status not in STATUSES:
            raise _invalid(f"status {status!r} must be ALL or one of {', '.join(STATUSES)}.")
        seller_skus = body.get("seller_skus")
        if seller_skus is not None and (not isinstance(seller_skus, list) or len(seller_skus) > MAX_SELLER_SKUS):
            raise _invalid(f"seller_skus must be a list of at most {MAX_SELLER_SKUS} seller SKUs.")
        query = ItemQuery(
            shop=call.shop.key, offset=offset, limit=page_size,
            statuses=tuple(s for s in STATUSES if s != "DELETED") if status == "ALL" else (status,),
            seller_skus=tuple(str(s) for s in seller_skus) if seller_skus is not None else None,
            updated_from=_seconds(body, "update_time_ge"), updated_to=_seconds(body, "update_time_le"),
        )
        items, total = self.state.query(query)
        following = offset + len(items)
        token = base64.urlsafe_b64encode(json.dumps({"offset": following}).encode()).decode() if following < total else ""
        return self.ok(call, {"products": [self._summary(item) for item in items], "next_page_token": token,
                              "total_count": total})

    # -- helpers ---------------------------------------------------------------------------------

    def _owned(self, call: Call, product_id: Any) -> Item:
        number = whole_number(product_id)
        if number is None:
            raise PlatformError(12052031, f"Invalid product id {product_id!r}.")
        item = self.state.get(number, call.shop.key)
        if item is None or item.status == self.words.deleted:
            raise PlatformError(12052032, f"Product {product_id} does not exist.")
        return item

    def _switched(self, item: Item, *, active: bool, now: float) -> Item:
        words = self.words
        if item.status not in (words.live, words.inactive):
            raise _invalid(f"Product {item.item_id} is {item.status}; only ACTIVATE and SELLER_DEACTIVATED "
                           "products can be activated or deactivated.")
        target = words.live if active else words.inactive
        return item if item.status == target else touched(item, now, status=target)

    def _content(self, body: dict[str, Any], call: Call, current: Item | None, warnings: list[str]) -> dict[str, Any]:
        """Create and edit both send the whole product."""
        limits = self.settings.limits
        title = body.get("title")
        if not isinstance(title, str) or not limits.title_min <= len(title) <= limits.title_max:
            raise PlatformError(12052051, f"The product title must be {limits.title_min} to {limits.title_max} "
                                f"characters; got {len(title) if isinstance(title, str) else 'none'}.")
        description = body.get("description")
        if not isinstance(description, str) or not limits.description_min <= len(description) <= limits.description_max:
            raise _invalid(f"description must be {limits.description_min} to {limits.description_max} characters.")
        skus = body.get("skus")
        if not isinstance(skus, list) or len(skus) != 1 or not isinstance(skus[0], dict):
            raise _invalid("skus must hold exactly one SKU (this sandbox models one SKU per product).")
        sku = skus[0]
        if current is not None and sku.get("id") not in (None, "", str(current.sku_id)):
            raise PlatformError(12052557, f"SKU {sku.get('id')} does not belong to product {current.item_id}.")
        code, code_type = _identifier(sku.get("identifier_code"))
        category = self._category(body.get("category_id"))
        package_cm = _dimensions(body.get("package_dimensions"))
        problems = self._category_problems(body, category, package_cm)
        if problems:
            raise _invalid("; ".join(problems) + ".")
        brand = self.catalogue.brand(category.id, brand_id=str(body["brand_id"])) if body.get("brand_id") else None
        if body.get("brand_id") and brand is None:
            warnings.append(f"The [brand_id]:{body['brand_id']} field is incorrect and has been automatically cleared.")
        return {
            "title": title, "description": description, "category_id": category.id,
            "images": self._images(body.get("main_images")), "weight_kg": _weight(body.get("package_weight")),
            "package_cm": package_cm, "brand": brand.id if brand else "",
            "seller_sku": self._seller_sku(sku.get("seller_sku"), call.shop.key, current),
            "price": _price(sku.get("price"), limits.price_min, limits.price_max),
            "stock": self._inventory(sku.get("inventory"), call, require_warehouse=True),
            "gtin": code, "extra": {**(current.extra if current else {}), "identifier_type": code_type,
                                    "product_attributes": body.get("product_attributes") or [],
                                    "certifications": body.get("certifications") or []},
        }

    def _category(self, value: Any) -> SandboxCategory:
        number = whole_number(value)
        if number is None or number <= 0 or (self.settings.categories and str(number) not in self.settings.categories):
            raise _invalid(f"category_id {value!r} is not a valid leaf category.")
        return self._leaf(str(number))

    def _category_problems(self, body: dict[str, Any], category: SandboxCategory,
                           package_cm: tuple[float, float, float] | None) -> list[str]:
        """Everything the category's attributes and rules find wrong with a product, not the first only."""
        attributes = body.get("product_attributes") or []
        if not isinstance(attributes, list) or not all(isinstance(a, dict) and isinstance(a.get("values"), list)
                                                       for a in attributes):
            return ["product_attributes must be a list of {id, values: [{id or name}]}"]
        chosen = [Chosen(str(a.get("id")), tuple((str(v["id"]) if isinstance(v, dict) and v.get("id") else None,
                                                  v.get("name") if isinstance(v, dict) else None)
                                                 for v in a["values"])) for a in attributes]
        problems, missing = attribute_problems(category, chosen)
        problems += [f"product_attributes: the required attribute {a.id} ({a.label}) is missing" for a in missing]
        sent = {str(c.get("id")): c for c in body.get("certifications") or [] if isinstance(c, dict)}
        for rule in category.rules.certifications:
            document = sent.get(rule.id)
            uris = [i.get("uri") for i in (document or {}).get("images") or [] if isinstance(i, dict)]
            if rule.required and not any(self.state.image(u) for u in uris) and not (document or {}).get("files"):
                problems.append(f"certifications: the category requires certification {rule.id} ({rule.name}) "
                                "with an uploaded image or file")
        if category.rules.package_dimension_required and package_cm is None:
            problems.append("package_dimensions is required by the category's rules")
        return problems

    def _images(self, value: Any) -> tuple[str, ...]:
        limits = self.settings.limits
        if not isinstance(value, list) or not limits.images_min <= len(value) <= limits.images_max:
            raise _invalid(f"main_images must hold {limits.images_min} to {limits.images_max} images.")
        uris = [entry.get("uri") if isinstance(entry, dict) else None for entry in value]
        for uri in uris:
            if not isinstance(uri, str) or self.state.image(uri) is None:
                raise _invalid(f"main_images uri {uri!r} is unknown: upload it with /product/202309/images/upload.")
        return tuple(uris)

    def _seller_sku(self, value: Any, shop: str, current: Item | None) -> str:
        longest = self.settings.limits.seller_sku_max
        if not isinstance(value, str) or not 1 <= len(value) <= longest or any(c.isspace() for c in value):
            raise _invalid(f"seller_sku {value!r} must be 1 to {longest} characters without spaces.")
        holder = self.sku_holder(shop, value, other_than=current.item_id if current else None)
        if holder is not None:
            raise _invalid(f"seller_sku {value} already exists in this shop (product {holder.item_id}).")
        return value

    def _inventory(self, value: Any, call: Call, *, require_warehouse: bool) -> int:
        if not isinstance(value, list) or not value or not isinstance(value[0], dict):
            raise _invalid("inventory must be a list of {warehouse_id, quantity}.")
        entry = value[0]
        wanted = warehouse_id(call.shop.shop_id)
        if (require_warehouse or "warehouse_id" in entry) and entry.get("warehouse_id") != wanted:
            raise _invalid(f"warehouse_id {entry.get('warehouse_id')!r} is not a warehouse of this shop.")
        quantity = whole_number(entry.get("quantity"))
        if quantity is None or quantity < 0:
            raise _invalid(f"quantity {entry.get('quantity')!r} must be a non-negative whole number.")
        return quantity

    def _sku_entry(self, body: dict[str, Any], item: Item) -> dict[str, Any]:
        skus = body.get("skus")
        if not isinstance(skus, list) or len(skus) != 1 or not isinstance(skus[0], dict):
            raise _invalid("skus must hold exactly one SKU.")
        if str(skus[0].get("id")) != str(item.sku_id):
            raise PlatformError(12052557, f"SKU {skus[0].get('id')} does not belong to product {item.item_id}.")
        return skus[0]

    def _detail(self, item: Item) -> dict[str, Any]:
        length, width, height = item.package_cm or (0.0, 0.0, 0.0)
        reasons = [{"position": "product", "reasons": [item.reject_reason],
                    "suggestions": ["Edit the product to fix the reason above; the edit resubmits it for review."]}
                   ] if item.reject_reason else []
        detail = {
            **self._summary(item), "description": item.description,
            "category_chains": [{"id": item.category_id, "parent_id": "0", "local_name": "", "is_leaf": True}],
            "main_images": [self._image_out(uri) for uri in item.images],
            "package_weight": {"value": f"{item.weight_kg:g}", "unit": "KILOGRAM"},
            "package_dimensions": {"length": f"{length:g}", "width": f"{width:g}", "height": f"{height:g}",
                                   "unit": "CENTIMETER"},
            "audit_failed_reasons": reasons, "is_cod_allowed": True,
            "product_attributes": item.extra.get("product_attributes", []),
            "certifications": item.extra.get("certifications", []),
        }
        if item.brand:
            # The platform omits `brand` for a product without one; typed clients refuse a null object.
            detail["brand"] = {"id": item.brand}
        return detail

    def _summary(self, item: Item) -> dict[str, Any]:
        sku: dict[str, Any] = {
            "id": str(item.sku_id), "seller_sku": item.seller_sku,
            "price": {"currency": "VND", "tax_exclusive_price": str(item.price), "sale_price": str(item.price)},
            "inventory": [{"warehouse_id": warehouse_id(self._cipher(item.shop)), "quantity": item.stock}],
        }
        if item.gtin:
            sku["identifier_code"] = {"code": item.gtin, "type": item.extra.get("identifier_type") or "GTIN"}
        return {"id": str(item.item_id), "title": item.title, "status": item.status, "skus": [sku],
                "sales_regions": ["VN"], "create_time": int(item.created_at), "update_time": int(item.updated_at)}

    def _image_out(self, uri: str) -> dict[str, Any]:
        image = self.state.image(uri)
        url = image.url if image else ""
        return {"uri": uri, "urls": [url], "thumb_urls": [url], "width": image.width if image else 0,
                "height": image.height if image else 0}

    def _cipher(self, shop_key: str) -> str:
        return next((s.shop_id for s in self.shops if s.key == shop_key), shop_key)


def _attribute_entry(attribute: SandboxAttribute) -> dict[str, Any]:
    return {"id": attribute.id, "name": attribute.label, "type": "PRODUCT_PROPERTY",
            "is_requried": attribute.mandatory, "is_required": attribute.mandatory,
            "values": [{"id": v.id, "name": v.name} for v in attribute.values],
            "is_multiple_selection": attribute.input == "multi_select", "is_customizable": attribute.custom_allowed,
            "requirement_conditions": []}


def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = request.json()
    except ValueError:
        raise _invalid("the request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise _invalid("the request body must be a JSON object.")
    return body


def _check_cipher(cipher: str | None, shop_cipher: str | None, *, shop_scoped: bool) -> None:
    """Shop calls name the shop; calls made for the seller (authorisation, image upload) must not:
    the platform refuses a shop_cipher there, as clients that strip it report."""
    if not shop_scoped:
        if cipher:
            raise PlatformError(106013, "shop_cipher is not allowed for this API.", status=400)
        return
    if not cipher:
        raise PlatformError(106013, "shop_cipher is required for this API.", status=400)
    if cipher != shop_cipher:
        raise PlatformError(106013, "shop_cipher does not belong to the shop of this access token.", status=400)


def _idempotency_key(body: dict[str, Any]) -> str | None:
    key = body.get("idempotency_key")
    if key is None:
        return None
    if not isinstance(key, str) or not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX:
        raise _invalid(f"idempotency_key must be a string of 1 to {IDEMPOTENCY_KEY_MAX} characters.")
    return key


def _invalid(message: str) -> PlatformError:
    return PlatformError(12052910, f"Invalid parameters: {message}")


def _offset_of(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError):
        raise _invalid("page_token is not a token this API returned.") from None
    return int(offset)


def _price(value: Any, minimum: int, maximum: int) -> int:
    amount = value.get("amount") if isinstance(value, dict) else None
    currency = value.get("currency") if isinstance(value, dict) else None
    number = whole_number(amount) if isinstance(amount, str) else None
    if number is None or currency != "VND" or not minimum <= number <= maximum:
        raise _invalid(f"price must be {{amount: a whole-number string from {minimum} to {maximum}, currency: VND}}; "
                       f"got {value!r}.")
    return number


def _identifier(value: Any) -> tuple[str | None, str | None]:
    if value in (None, {}):
        return None, None
    code = value.get("code") if isinstance(value, dict) else None
    kind = value.get("type") if isinstance(value, dict) else None
    if kind not in IDENTIFIER_TYPES or not isinstance(code, str) or not is_valid_gtin(code, kind):
        raise _invalid(f"identifier_code {value!r} is not a valid {kind or 'GTIN'} (type one of GTIN, EAN, UPC, ISBN).")
    return code, kind


def _weight(value: Any) -> float:
    number = decimal_of(value.get("value")) if isinstance(value, dict) else None
    unit = value.get("unit") if isinstance(value, dict) else None
    if number is None or number <= 0 or unit not in ("KILOGRAM", "POUND"):
        raise _invalid("package_weight must be {value: a positive number as a string, unit: KILOGRAM or POUND}.")
    return float(number) * (POUND_KG if unit == "POUND" else 1.0)


def _dimensions(value: Any) -> tuple[float, float, float] | None:
    if value is None:
        return None
    unit = value.get("unit") if isinstance(value, dict) else None
    parts = [decimal_of(value.get(k)) if isinstance(value, dict) else None for k in ("length", "width", "height")]
    if unit not in ("CENTIMETER", "INCH") or any(p is None or p <= 0 for p in parts):
        raise _invalid("package_dimensions must be {length, width, height: positive numbers, unit: CENTIMETER or INCH}.")
    factor = INCH_CM if unit == "INCH" else 1.0
    return (float(parts[0]) * factor, float(parts[1]) * factor, float(parts[2]) * factor)


def _seconds(body: dict[str, Any], name: str) -> float | None:
    if body.get(name) is None:
        return None
    number = whole_number(body[name])
    if number is None:
        raise _invalid(f"{name} must be a Unix timestamp in seconds.")
    return float(number)


def _sku_ref(item: Item) -> dict[str, Any]:
    return {"id": str(item.sku_id), "seller_sku": item.seller_sku, "sales_attributes": []}
