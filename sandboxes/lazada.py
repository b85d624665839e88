"""Lazada Open Platform (Open API), as a local sandbox.

Parameters may travel in the query or in a form body (urlencoded or multipart), in any order; the
API name is the path after `/rest` (served with and without that prefix). The sign is
HMAC-SHA256 (app secret) over the API name followed by every parameter but `sign` and files,
sorted by name, as `name + value`; hex upper case. The timestamp is in milliseconds, within 7200 s
of UTC. Success: `{"code": "0", "data", "request_id"}`; error: `{"type", "code", "message",
"request_id"}`, always with HTTP 200, as the Lazada gateway answers.

Choices where the public documentation is silent (marketplaces.md "not confirmed"):
- an unknown app_key answers `IncompleteSignature` (the request cannot be verified); a stale
  timestamp `InvalidParameter`; an unknown API path `InvalidApiPath`;
- field-limit violations answer `InvalidParameter` with a `detail` list of `{field, message}`;
  an unknown SKU or item answers `ITEM_NOT_FOUND`;
- the barcode travels in a SKU attribute (`barcode`, `ean_code` or `gtin`; kept under the key sent);
- one SKU per product; reactivating an item is `/product/update` with the SKU's `Status` "active";
- `/product/qc/status/get` answers `data: [{seller_sku, status, reason}]`.
- Categories, attributes and brands are the sandbox's catalogue (`sandboxes/catalogue.py`), served
  by `/category/tree/get`, `/category/attributes/get` and `/category/brands/query` (app-level: no
  access token needed, one accepted). Names are Vietnamese unless `language_code` is `en_US`.
  Attributes list the basic ones every category has (name, description, brand; SKU-level SellerSku,
  price, package_*) before the category's own. A category that is unknown or not a leaf answers
  `201` on create and on `/category/attributes/get`; a missing mandatory category attribute `4110`
  (BIZ_CHECK_CAT_PROP_MANDATORY) and a value outside a single-select's options `4115`
  (CHK_CATPROP_CPV_NOT_ENUM), with a `detail` entry per attribute; a brand the platform does not
  know `500` with the message starting "4142". Attributes the category does not define are ignored,
  as the platform ignores them, and not kept.
- Authorisation: `/oauth/authorize` (no `/rest`) grants at once and redirects with `code` (and
  `state`); `/auth/token/create` and `/auth/token/refresh` are signed without `access_token` and
  answer their tokens at the top level. A refresh gives a new access token and hands the same
  refresh token back, its expiry unchanged. Refusals: `InvalidCode`, `IllegalRefreshToken`; an
  expired access token is `IllegalAccessToken`, as an unknown one is. Lifetimes: `[lazada.tokens]`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from decimal import Decimal
from typing import Any, Mapping

from sandboxes.catalogue import (
    CategoryCatalogue,
    Chosen,
    SandboxAttribute,
    SandboxCategory,
    attribute_problems,
)
from sandboxes.checks import decimal_of, json_string_list, whole_number
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
from sandboxes.pushes import lazada_seller_id
from sandboxes.review import StatusWords, needs_review_after_edit, start_review
from sandboxes.state import Item, ItemQuery, StoredImage, content_changed, touched

TIMESTAMP_WINDOW_MS = 7200 * 1000
MAX_LIMIT = 50
MAX_SKUS = 50
BARCODE_KEYS = ("barcode", "ean_code", "gtin")
PACKAGE_FIELDS = ("package_length", "package_width", "package_height")
IMAGE_HOST = "https://vn-live-01.slatic.net/p/"
FILTERS = {
    "all": None, "live": ("Active",), "inactive": ("InActive",), "deleted": ("Deleted",),
    "pending": ("Pending QC",), "rejected": ("Rejected",), "sold-out": ("Active",),
}
QC_STATUS = {"Active": "approved", "InActive": "approved", "Pending QC": "pending", "Rejected": "rejected"}
SKU_STATUS = {"Active": "active", "Deleted": "deleted"}
MAX_BRAND_PAGE = 200
INPUT_TYPES = {"select": "singleSelect", "select_or_custom": "enumInput", "multi_select": "multiSelect", "text": "text"}
# (name, label, mandatory, attribute_type, input_type): what every category asks besides its own.
BASIC_ATTRIBUTES = (
    ("name", "Tên sản phẩm", True, "normal", "text"), ("description", "Mô tả", False, "normal", "richText"),
    ("brand", "Thương hiệu", True, "normal", "singleSelect"), ("SellerSku", "SellerSku", True, "sku", "text"),
    ("price", "Giá", True, "sku", "numeric"), ("quantity", "Số lượng", False, "sku", "numeric"),
    ("package_weight", "Cân nặng (kg)", True, "sku", "numeric"),
    ("package_length", "Chiều dài (cm)", True, "sku", "numeric"),
    ("package_width", "Chiều rộng (cm)", True, "sku", "numeric"),
    ("package_height", "Chiều cao (cm)", True, "sku", "numeric"),
)


def sign(app_secret: str, api_name: str, params: Mapping[str, str]) -> str:
    """Lazada Open Platform sign over every parameter except `sign` (and files, never passed here)."""
    text = api_name + "".join(f"{name}{params[name]}" for name in sorted(params) if name != "sign")
    return hmac.new(app_secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest().upper()


def api_name(path: str) -> str:
    return path[len("/rest"):] if path.startswith("/rest/") else path


def _r(method: str, name: str, handler, **options) -> Route:
    return route(method, f"(?:/rest)?{name}", handler, **options)


class LazadaSandbox(Sandbox):
    words = StatusWords(reviewing="Pending QC", live="Active", rejected="Rejected", inactive="InActive",
                        deleted="Deleted")
    item_id_start = 2_000_000_001
    sku_id_start = 10_000_000_001

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = CategoryCatalogue.for_channel(self.channel)

    def build_routes(self) -> list[Route]:
        reads = [("/products/get", self.get_products), ("/product/item/get", self.get_product_item),
                 ("/product/qc/status/get", self.get_qc_status)]
        return [
            route("GET", "/oauth/authorize", self.authorize, scope="open"),
            *[_r(method, "/auth/token/create", self.token_create, scope="app") for method in ("GET", "POST")],
            *[_r(method, "/auth/token/refresh", self.token_refresh, scope="app") for method in ("GET", "POST")],
            *[_r(method, name, handler, scope="app") for name, handler in (
                ("/category/tree/get", self.category_tree), ("/category/attributes/get", self.category_attributes),
                ("/category/brands/query", self.brands_query)) for method in ("GET", "POST")],
            _r("POST", "/image/upload", self.upload_image, write=True),
            _r("POST", "/image/migrate", self.migrate_image, write=True),
            _r("POST", "/product/create", self.create_product, write=True),
            _r("POST", "/product/update", self.update_product, write=True),
            _r("POST", "/product/price_quantity/update", self.update_price_quantity, write=True),
            _r("POST", "/product/deactivate", self.deactivate_product, write=True),
            _r("POST", "/product/remove", self.remove_product, write=True),
            *[_r(method, name, handler) for name, handler in reads for method in ("GET", "POST")],
        ]

    # -- gateway ---------------------------------------------------------------------------------

    def authenticate(self, request: Request, matched: Route, now: float) -> Caller:
        params = parameters(request)
        required = ("app_key", "timestamp", "sign_method", "sign") + (("access_token",) if matched.scope == "shop" else ())
        for name in required:
            if not params.get(name):
                raise PlatformError("MissingParameter", f'The input parameter "{name}" that is mandatory for '
                                    "processing this request is not supplied.", type="ISV")
        if params["sign_method"].lower() != "sha256":
            raise PlatformError("InvalidParameter", 'sign_method must be "sha256".', type="ISV")
        app_shops = [shop for shop in self.shops if shop.app_key == params["app_key"]]
        if not app_shops:
            raise PlatformError("IncompleteSignature", f"The app_key {params['app_key']} is not known.", type="ISV")
        timestamp = params["timestamp"]
        if not timestamp.isdigit() or abs(now * 1000 - int(timestamp)) > TIMESTAMP_WINDOW_MS:
            raise PlatformError("InvalidParameter", "Invalid timestamp: it must be in milliseconds, within 7200 "
                                "seconds of UTC.", type="ISV")
        expected = sign(app_shops[0].app_secret, api_name(request.path), params)
        if not hmac.compare_digest(expected, params["sign"].upper()):
            raise PlatformError("IncompleteSignature", "The request signature does not conform to platform standards",
                                type="ISV")
        if matched.scope == "app":
            return Caller(app_key=params["app_key"])
        try:
            shop = self.token_owner(app_shops, params["access_token"], now)
        except GrantRefused:
            shop = None
        if shop is None:     # Lazada answers an unknown and an expired token alike
            raise PlatformError("IllegalAccessToken", "The specified access token is invalid or expired", type="ISV")
        return Caller(app_key=shop.app_key, shop=shop)

    def error_reply(self, error: PlatformError, request_id: str) -> Reply:
        payload = {"type": error.extra.get("type", "ISV"), "code": str(error.code), "message": error.message,
                   "request_id": request_id}
        if error.extra.get("detail"):
            payload["detail"] = error.extra["detail"]
        return Reply(error.status, payload, code=str(error.code))

    def rate_limited(self, request_id: str) -> PlatformError:
        return PlatformError("ApiCallLimit", "The request has exceeded the limit. This ban will last 1 seconds",
                             type="ISP")

    def internal_error(self) -> PlatformError:
        return PlatformError("InternalError", "The request has failed due to an internal error.", type="ISP",
                             status=500)

    def unknown_path(self, request: Request) -> PlatformError:
        return PlatformError("InvalidApiPath", f"The specified API path {api_name(request.path)} is invalid",
                             type="ISV")

    @staticmethod
    def ok(call: Call, data: Any = None) -> Reply:
        payload: dict[str, Any] = {"code": "0", "request_id": call.request_id}
        if data is not None:
            payload["data"] = data
        return Reply(200, payload)

    # -- authorisation ---------------------------------------------------------------------------

    def authorize(self, call: Call) -> Reply:
        """The seller's authorisation page, granted at once: back to `redirect_uri` with a code.
        `seller` (a sandbox extension) picks one of the app's shops by key; else its first."""
        params = parameters(call.request)
        shops = self.app_shops(params.get("client_id", ""))
        shop = next((s for s in shops if s.key == params.get("seller", shops[0].key if shops else "")), None)
        if shop is None or params.get("response_type") != "code" or not params.get("redirect_uri"):
            raise PlatformError("InvalidParameter", "client_id, redirect_uri and response_type=code are required.")
        extra = {"state": params["state"]} if params.get("state") else {}
        return redirect(params["redirect_uri"], code=self.grants.new_code(shop.key, call.now), **extra)

    def token_create(self, call: Call) -> Reply:
        try:
            issued = self.grants.redeem_code(parameters(call.request).get("code", ""), call.now)
        except GrantRefused:
            raise PlatformError("InvalidCode", "Invalid authorization code") from None
        return self._tokens(call, issued, "country_user_info")

    def token_refresh(self, call: Call) -> Reply:
        """A refresh gives a new access token; the refresh token and its expiry stay as they were."""
        try:
            issued = self.grants.refresh(parameters(call.request).get("refresh_token", ""), call.now, rotate=False)
        except GrantRefused:
            raise PlatformError("IllegalRefreshToken", "The specified refresh token is invalid or expired") from None
        return self._tokens(call, issued, "country_user_info_list")

    def _tokens(self, call: Call, issued: IssuedTokens, users_field: str) -> Reply:
        shop = next(s for s in self.shops if s.key == issued.shop)
        if shop.app_key != call.caller.app_key:
            raise PlatformError("InvalidCode", "Invalid authorization code: it was issued to another app")
        seller_id = lazada_seller_id(shop.key)
        return Reply(200, {
            "code": "0", "request_id": call.request_id, "access_token": issued.access_token,
            "refresh_token": issued.refresh_token, "expires_in": int(issued.access_expires_at - call.now),
            "refresh_expires_in": int(issued.refresh_expires_at - call.now), "account": shop.name or shop.key,
            "account_platform": "seller_center", "country": "vn",
            users_field: [{"country": "vn", "seller_id": seller_id, "user_id": seller_id, "short_code": shop.key}],
        })

    # -- categories, attributes, brands ----------------------------------------------------------

    def category_tree(self, call: Call) -> Reply:
        english = parameters(call.request).get("language_code") == "en_US"
        categories = self.catalogue.categories()

        def node(category: SandboxCategory) -> dict[str, Any]:
            children = [node(c) for c in categories if c.parent_id == category.id]
            entry = {"category_id": int(category.id), "name": category.name_en if english else category.name,
                     "leaf": not children, "var": False}
            return entry | ({"children": children} if children else {})

        return self.ok(call, [node(c) for c in categories if c.parent_id == "0"])

    def category_attributes(self, call: Call) -> Reply:
        params = parameters(call.request)
        leaf = self._leaf(params.get("primary_category_id"), "primary_category_id")
        basic = [{"id": 0, "name": name, "label": label, "is_mandatory": int(mandatory), "is_sale_prop": 0,
                  "attribute_type": kind, "input_type": input_type, "options": [], "advanced": {"is_key_prop": 0}}
                 for name, label, mandatory, kind, input_type in BASIC_ATTRIBUTES]
        return self.ok(call, basic + [_attribute_entry(a) for a in leaf.attributes])

    def brands_query(self, call: Call) -> Reply:
        params = parameters(call.request)
        start, size = whole_number(params.get("startRow")), whole_number(params.get("pageSize"))
        if start is None or start < 0 or size is None or not 1 <= size <= MAX_BRAND_PAGE:
            raise PlatformError("InvalidParameter", f"startRow (from 0) and pageSize (1 to {MAX_BRAND_PAGE}) are required.")
        brands = self.catalogue.brands()
        page = brands[start:start + size]
        return self.ok(call, {
            "start_row": start, "page_index": start // size + 1, "total_page": -(-len(brands) // size),
            "page_size": size, "total_record": len(brands), "enable_total": True,
            "module": [{"brand_id": int(b.id), "name": b.name, "name_en": b.name, "global_identifier": b.name.lower()}
                       for b in page],
        })

    def _leaf(self, value: Any, field: str) -> SandboxCategory:
        leaf = self.catalogue.leaf(whole_number(value) if value not in (None, "") else "")
        if leaf is None:
            raise PlatformError("201", f"Invalid {field} {value!r}: not a leaf category.",
                                detail=[{"field": field, "message": "invalid category"}])
        return leaf

    # -- images ----------------------------------------------------------------------------------

    def upload_image(self, call: Call) -> Reply:
        _, files = call.request.form()
        upload = files.get("image")
        if upload is None:
            raise PlatformError("MissingParameter", 'The input parameter "image" that is mandatory for processing '
                                "this request is not supplied.")
        facts = inspect_image(upload.content)
        if facts is None or facts.format not in ("JPEG", "PNG"):
            raise PlatformError("InvalidParameter", "The image must be a JPG or PNG file.",
                                detail=[{"field": "image", "message": "unsupported image format"}])
        digest = hashlib.sha256(upload.content).hexdigest()
        return self.ok(call, {"image": self._host(call, digest, facts.width, facts.height, len(upload.content))})

    def migrate_image(self, call: Call) -> Reply:
        request = _payload(parameters(call.request), "payload").get("Image") or {}
        source = request.get("Url") if isinstance(request, dict) else None
        if not isinstance(source, str) or not source.startswith(("http://", "https://")):
            raise PlatformError("E001", "Request.Image.Url is mandatory and must be an http(s) URL.")
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
        return self.ok(call, {"image": self._host(call, digest, 0, 0, 0)})

    def _host(self, call: Call, digest: str, width: int, height: int, size: int) -> dict[str, str]:
        serial = self.state.next_id("image", 1)
        hash_code = f"{digest[:24]}{serial:08x}"
        url = f"{IMAGE_HOST}{hash_code}.jpg"
        self.state.add_image(StoredImage(hash_code, call.shop.key, url, digest, width, height, size, call.now))
        return {"hash_code": hash_code, "url": url}

    # -- writes ----------------------------------------------------------------------------------

    def create_product(self, call: Call) -> Reply:
        product = _product(parameters(call.request))
        sku = _only_sku(product)
        content = self._content(product, sku, call.shop.key, current=None)
        item_id, sku_id = self.allocate_ids()
        item = Item(item_id=item_id, shop=call.shop.key, status="", sku_id=sku_id, created_at=call.now,
                    updated_at=call.now, **content)
        item = self.state.put(start_review(item, self.settings.review, self.words, call.now))
        return self.ok(call, {"item_id": item.item_id, "sku_list": [_sku_ref(item)]})

    def update_product(self, call: Call) -> Reply:
        product = _product(parameters(call.request))
        sku = _only_sku(product)
        if not sku.get("SkuId"):
            raise PlatformError("E001", "SkuId is mandatory for /product/update.", detail=[{"field": "SkuId",
                                "message": "mandatory"}])
        item = self._by_sku_id(call, sku["SkuId"])
        changes = self._content(product, sku, call.shop.key, current=item)
        updated = touched(item, call.now, **changes)
        if content_changed(item, updated) and needs_review_after_edit(item, self.settings.review, self.words):
            updated = start_review(updated, self.settings.review, self.words, call.now)
        wanted = str(sku.get("Status", "")).lower()
        if wanted in ("active", "inactive"):
            updated = self._switched(updated, active=wanted == "active", now=call.now)
        self.state.put(updated)
        return self.ok(call, {"item_id": updated.item_id, "sku_list": [_sku_ref(updated)]})

    def update_price_quantity(self, call: Call) -> Reply:
        product = _product(parameters(call.request))
        skus = _sku_list(product)
        if not skus or len(skus) > MAX_SKUS:
            raise PlatformError("InvalidParameter", f"Skus.Sku must hold 1 to {MAX_SKUS} SKUs.")
        planned, detail = [], []
        for sku in skus:
            try:
                planned.append(self._price_quantity(call, sku))
            except PlatformError as error:
                detail.append({"seller_sku": sku.get("SellerSku", ""), "field": error.extra.get("field", "Sku"),
                               "code": str(error.code), "message": error.message})
        if detail:
            raise PlatformError(detail[0]["code"], detail[0]["message"], detail=detail)
        for item in planned:
            self.state.put(item)
        return self.ok(call)

    def deactivate_product(self, call: Call) -> Reply:
        params = parameters(call.request)
        product = _payload(params, "apiRequestBody" if "apiRequestBody" in params else "payload").get("Product") or {}
        item_id = whole_number(product.get("ItemId")) if isinstance(product, dict) else None
        if item_id is None:
            raise PlatformError("E001", "Request.Product.ItemId is mandatory.")
        item = self.state.get(item_id, call.shop.key)
        if item is None or item.status == self.words.deleted:
            raise PlatformError("ITEM_NOT_FOUND", f"Item {item_id} does not exist in this shop.")
        self.state.put(self._switched(item, active=False, now=call.now))
        return self.ok(call)

    def remove_product(self, call: Call) -> Reply:
        params = parameters(call.request)
        try:
            seller_skus = json_string_list(params.get("seller_sku_list"), "seller_sku_list") or []
            sku_ids = json_string_list(params.get("sku_id_list"), "sku_id_list") or []
        except ValueError as error:
            raise PlatformError("InvalidParameter", str(error)) from None
        if not seller_skus and not sku_ids or len(seller_skus) + len(sku_ids) > MAX_SKUS:
            raise PlatformError("E001", f"seller_sku_list (or sku_id_list) must hold 1 to {MAX_SKUS} SKUs.")
        items = [self._by_seller_sku(call, s) for s in seller_skus] + [self._by_sku_id(call, i) for i in sku_ids]
        for item in items:
            self.state.put(touched(item, call.now, status=self.words.deleted, review_due_at=None))
        return self.ok(call)

    # -- reads -----------------------------------------------------------------------------------

    def get_products(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        params = parameters(call.request)
        name = params.get("filter") or "all"
        if name not in FILTERS:
            raise PlatformError("InvalidParameter", f"filter {name!r} must be one of {', '.join(FILTERS)}.")
        offset, limit = _int_param(params, "offset", 0), _int_param(params, "limit", 10)
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            raise PlatformError("InvalidParameter", f"limit must be 1 to {MAX_LIMIT} and offset not negative.")
        try:
            seller_skus = json_string_list(params.get("sku_seller_list"), "sku_seller_list")
        except ValueError as error:
            raise PlatformError("InvalidParameter", str(error)) from None
        statuses = FILTERS[name] or tuple(s for s in QC_STATUS)
        query = ItemQuery(shop=call.shop.key, statuses=statuses, offset=offset, limit=limit,
                          seller_skus=tuple(seller_skus) if seller_skus is not None else None,
                          updated_from=_time_param(params, "update_after"),
                          updated_to=_time_param(params, "update_before"))
        items, total = self._sold_out(query) if name == "sold-out" else self.state.query(query)
        return self.ok(call, {"total_products": total, "products": [self._product(item) for item in items]})

    def get_product_item(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        params = parameters(call.request)
        if params.get("item_id"):
            item_id = whole_number(params["item_id"])
            item = self.state.get(item_id, call.shop.key) if item_id is not None else None
            if item is None:
                raise PlatformError("ITEM_NOT_FOUND", f"Item {params['item_id']} does not exist in this shop.")
        elif params.get("seller_sku"):
            item = self._by_seller_sku(call, params["seller_sku"])
        else:
            raise PlatformError("MissingParameter", 'The input parameter "item_id" that is mandatory for '
                                "processing this request is not supplied.")
        return self.ok(call, self._product(item))

    def get_qc_status(self, call: Call) -> Reply:
        self.settle_reviews(call.shop.key)
        params = parameters(call.request)
        try:
            seller_skus = json_string_list(params.get("seller_skus"), "seller_skus")
        except ValueError as error:
            raise PlatformError("InvalidParameter", str(error)) from None
        query = ItemQuery(shop=call.shop.key, statuses=tuple(QC_STATUS), offset=_int_param(params, "offset", 0),
                          limit=_int_param(params, "limit", 100),
                          seller_skus=tuple(seller_skus) if seller_skus is not None else None)
        items, _ = self.state.query(query)
        return self.ok(call, [{"seller_sku": i.seller_sku, "item_id": i.item_id, "status": QC_STATUS[i.status],
                               "reason": i.reject_reason or ""} for i in items])

    # -- helpers ---------------------------------------------------------------------------------

    def _content(self, product: dict[str, Any], sku: dict[str, Any], shop: str, current: Item | None) -> dict[str, Any]:
        limits, changes = self.settings.limits, {}
        attributes = product.get("Attributes") or {}
        if not isinstance(attributes, dict):
            raise PlatformError("InvalidParameter", "Attributes must be an object.")
        creating = current is None
        if "PrimaryCategory" in product or creating:
            changes["category_id"] = self._category(product.get("PrimaryCategory"))
        if "name" in attributes or creating:
            changes["title"] = _text(attributes.get("name"), "name", limits.title_min, limits.title_max)
        if "description" in attributes or creating:
            changes["description"] = _text(attributes.get("description", ""), "description",
                                            limits.description_min, limits.description_max)
        category = self.catalogue.leaf(changes.get("category_id") or (current.category_id if current else ""))
        if {"brand", "brand_id"} & set(attributes) or creating:
            changes["brand"] = self._brand(attributes, category)
        images = _image_list(product.get("Images")) + _image_list(sku.get("Images"))
        if images or creating:
            changes["images"] = self._images(images)
        if "SellerSku" in sku or creating:
            changes["seller_sku"] = self._seller_sku(sku.get("SellerSku"), shop, current)
        if "price" in sku or creating:
            changes["price"] = self._price(sku.get("price"))
        if "quantity" in sku or creating:
            changes["stock"] = _quantity(sku.get("quantity", 0))
        if "package_weight" in sku or creating:
            changes["weight_kg"] = float(_positive(sku.get("package_weight"), "package_weight"))
        if set(PACKAGE_FIELDS) & set(sku) or creating:
            dims = [float(_positive(sku.get(f), f)) for f in PACKAGE_FIELDS]
            changes["package_cm"] = (dims[0], dims[1], dims[2])
        barcode_key = next((k for k in BARCODE_KEYS if k in sku), None)
        if barcode_key or creating:
            changes["gtin"] = str(sku[barcode_key]) if barcode_key and sku[barcode_key] else None
        extra = dict(current.extra) if current else {}
        if category is not None:
            defined = {a.name for a in category.attributes}
            kept = {**extra.get("attributes", {}), **{k: v for k, v in attributes.items() if k in defined}}
            if creating or "PrimaryCategory" in product or defined & set(attributes):
                _check_attributes(category, kept)
            extra["attributes"] = kept
        if barcode_key:
            extra["barcode_key"] = barcode_key
        changes["extra"] = extra
        return changes

    def _category(self, value: Any) -> str:
        if value in (None, ""):
            raise _missing("PrimaryCategory")
        number = whole_number(value)
        if number is None or number <= 0 or (self.settings.categories and str(number) not in self.settings.categories):
            raise PlatformError("201", f"Invalid PrimaryCategory {value!r}: not a leaf category.",
                                detail=[{"field": "PrimaryCategory", "message": "invalid category"}])
        return self._leaf(number, "PrimaryCategory").id

    def _brand(self, attributes: dict[str, Any], category: SandboxCategory | None) -> str:
        """Attributes.brand (a name) or brand_id, as GetBrandByPages lists them."""
        name, brand_id = attributes.get("brand"), attributes.get("brand_id")
        if not name and not brand_id:
            raise _missing("brand")
        known = self.catalogue.brand(category.id if category else "", name=str(name) if name else None,
                                     brand_id=str(whole_number(brand_id)) if brand_id else None)
        if known is None:
            raise PlatformError("500", f"4142: brand {name or brand_id!r} is not valid in this country; pick one "
                                "from GetBrandByPages (No Brand when the product has none).",
                                detail=[{"field": "brand", "message": "4142"}], field="brand")
        return known.name

    def _images(self, urls: list[str]) -> tuple[str, ...]:
        limits = self.settings.limits
        if len(urls) < limits.images_min:
            raise _missing("Images")
        if len(urls) > limits.images_max:
            raise _invalid("Images", f"{len(urls)} images; at most {limits.images_max} per list.")
        for url in urls:
            if self.state.image_by_url(url) is None:
                raise _invalid("Images", f"{url} is not a Lazada image: upload or migrate it first.")
        return tuple(urls)

    def _seller_sku(self, value: Any, shop: str, current: Item | None) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _missing("SellerSku")
        longest = self.settings.limits.seller_sku_max
        if len(value) > longest:
            raise _invalid("SellerSku", f"SellerSku is longer than {longest} characters.")
        holder = self.sku_holder(shop, value, other_than=current.item_id if current else None)
        if holder is not None:
            raise PlatformError("4105", f"SellerSku {value} already exists in this shop (item {holder.item_id}).",
                                detail=[{"field": "SellerSku", "message": "duplicate", "seller_sku": value}])
        return value

    def _price(self, value: Any) -> int:
        if value in (None, ""):
            raise _missing("price")
        number = decimal_of(value)
        if number is None:
            raise _invalid("price", f"price {value!r} is not a number.")
        if number != number.to_integral_value():
            raise PlatformError("4104", f"price {value} has decimals; VND prices are whole numbers.",
                                detail=[{"field": "price", "message": "price precision"}], field="price")
        limits = self.settings.limits
        if not limits.price_min <= number <= limits.price_max:
            raise _invalid("price", f"price {value} is outside {limits.price_min} to {limits.price_max}.")
        return int(number)

    def _price_quantity(self, call: Call, sku: dict[str, Any]) -> Item:
        if sku.get("SkuId"):
            item = self._by_sku_id(call, sku["SkuId"])
        elif sku.get("SellerSku"):
            item = self._by_seller_sku(call, sku["SellerSku"])
        else:
            raise _missing("SkuId")
        changes: dict[str, Any] = {}
        price = sku.get("Price", sku.get("price"))
        if price is not None:
            changes["price"] = self._price(price)
        quantity = sku.get("Quantity", sku.get("quantity"))
        if quantity is not None:
            changes["stock"] = _quantity(quantity)
        return touched(item, call.now, **changes)

    def _switched(self, item: Item, *, active: bool, now: float) -> Item:
        words = self.words
        if item.status not in (words.live, words.inactive):
            raise PlatformError("InvalidParameter", f"Item {item.item_id} is {item.status}; only Active and "
                                "InActive items can be activated or deactivated.")
        target = words.live if active else words.inactive
        return item if item.status == target else touched(item, now, status=target)

    def _by_sku_id(self, call: Call, sku_id: Any) -> Item:
        number = whole_number(sku_id)
        item = self.state.by_sku_id(call.shop.key, number) if number is not None else None
        if item is None or item.status == self.words.deleted:
            raise PlatformError("ITEM_NOT_FOUND", f"SkuId {sku_id} does not exist in this shop.", field="SkuId")
        return item

    def _by_seller_sku(self, call: Call, seller_sku: str) -> Item:
        item = self.sku_holder(call.shop.key, seller_sku)
        if item is None:
            raise PlatformError("ITEM_NOT_FOUND", f"SellerSku {seller_sku} does not exist in this shop.",
                                field="SellerSku")
        return item

    def _sold_out(self, query: ItemQuery) -> tuple[list[Item], int]:
        everything, _ = self.state.query(replace(query, offset=0, limit=1_000_000))
        empty = [item for item in everything if item.stock == 0]
        return empty[query.offset:query.offset + query.limit], len(empty)

    def _product(self, item: Item) -> dict[str, Any]:
        attributes = {**item.extra.get("attributes", {}), "name": item.title, "description": item.description,
                      "brand": item.brand}
        length, width, height = item.package_cm or (0.0, 0.0, 0.0)
        sku = {
            "SellerSku": item.seller_sku, "ShopSku": _shop_sku(item), "SkuId": item.sku_id,
            "Status": SKU_STATUS.get(item.status, "inactive"), "quantity": item.stock, "Available": item.stock,
            "price": item.price, "package_weight": f"{item.weight_kg:.2f}", "package_length": f"{length:.2f}",
            "package_width": f"{width:.2f}", "package_height": f"{height:.2f}", "Images": list(item.images),
            "Url": f"https://www.lazada.vn/products/i{item.item_id}-s{item.sku_id}.html",
        }
        if item.gtin is not None:
            sku[item.extra.get("barcode_key", "barcode")] = item.gtin
        return {
            "item_id": item.item_id, "primary_category": int(item.category_id), "status": item.status,
            "created_time": str(int(item.created_at * 1000)), "updated_time": str(int(item.updated_at * 1000)),
            "images": list(item.images), "attributes": attributes, "skus": [sku],
            "subStatus": "Reject" if item.status == self.words.rejected else "",
        }


def parameters(request: Request) -> dict[str, str]:
    """Query and form parameters together, first value of each (files excluded)."""
    params = {name: values[0] for name, values in request.query.items() if values}
    fields, _ = request.form()
    params.update({name: values[0] for name, values in fields.items() if values})
    return params


def _payload(params: dict[str, str], name: str) -> dict[str, Any]:
    """The `Request` object of a JSON or XML payload parameter."""
    raw = params.get(name)
    if not raw:
        raise PlatformError("MissingParameter", f'The input parameter "{name}" that is mandatory for processing '
                            "this request is not supplied.")
    try:
        document = _xml_to_dict(ElementTree.fromstring(raw)) if raw.lstrip().startswith("<") else json.loads(raw)
    except (json.JSONDecodeError, ElementTree.ParseError) as error:
        raise PlatformError("InvalidParameter", f"{name} is neither valid JSON nor XML: {error}") from None
    request = document.get("Request") if isinstance(document, dict) else None
    if not isinstance(request, dict):
        raise PlatformError("E030", "Empty Request: the payload has no Request object.")
    return request


def _xml_to_dict(element: ElementTree.Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    result: dict[str, Any] = {}
    for child in children:
        value = _xml_to_dict(child)
        if child.tag in result:
            existing = result[child.tag]
            result[child.tag] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            result[child.tag] = value
    return {element.tag: result} if element.tag == "Request" else result


def _product(params: dict[str, str]) -> dict[str, Any]:
    product = _payload(params, "payload").get("Product")
    if not isinstance(product, dict):
        raise PlatformError("E030", "Empty Request: the payload has no Request.Product object.")
    return product


def _sku_list(product: dict[str, Any]) -> list[dict[str, Any]]:
    skus = (product.get("Skus") or {}).get("Sku") if isinstance(product.get("Skus"), dict) else None
    if isinstance(skus, dict):
        skus = [skus]
    return [s for s in skus if isinstance(s, dict)] if isinstance(skus, list) else []


def _only_sku(product: dict[str, Any]) -> dict[str, Any]:
    skus = _sku_list(product)
    if not skus:
        raise _missing("Skus")
    if len(skus) > 1:
        raise _invalid("Skus", "this sandbox models one SKU per product; send one Sku.")
    return skus[0]


def _image_list(value: Any) -> list[str]:
    images = value.get("Image") if isinstance(value, dict) else value
    if isinstance(images, str):
        images = [images]
    return [url for url in images if isinstance(url, str) and url] if isinstance(images, list) else []


def _text(value: Any, name: str, minimum: int, maximum: int) -> str:
    if not isinstance(value, str) or (minimum and not value.strip()):
        raise _missing(name)
    if len(value) < minimum or len(value) > maximum:
        raise _invalid(name, f"{name} has {len(value)} characters; allowed {minimum} to {maximum}.")
    return value


def _positive(value: Any, name: str) -> Decimal:
    if value in (None, ""):
        raise _missing(name)
    number = decimal_of(value)
    if number is None or number <= 0:
        raise _invalid(name, f"{name} {value!r} must be a positive number.")
    return number


def _quantity(value: Any) -> int:
    number = whole_number(value)
    if number is None or number < 0:
        raise _invalid("quantity", f"quantity {value!r} must be a non-negative whole number.")
    return number


def _int_param(params: dict[str, str], name: str, default: int) -> int:
    value = params.get(name)
    if value in (None, ""):
        return default
    number = whole_number(value)
    if number is None:
        raise PlatformError("InvalidParameter", f"{name} {value!r} must be a whole number.")
    return number


def _time_param(params: dict[str, str], name: str) -> float | None:
    value = params.get(name)
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise PlatformError("InvalidParameter", f"{name} {value!r} must be ISO 8601, e.g. 2018-01-01T00:00:00+0800.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


def _sku_ref(item: Item) -> dict[str, Any]:
    return {"seller_sku": item.seller_sku, "shop_sku": _shop_sku(item), "sku_id": item.sku_id}


def _shop_sku(item: Item) -> str:
    return f"{item.item_id}_VNAMZ-{item.sku_id}"


def _check_attributes(category: SandboxCategory, attributes: dict[str, Any]) -> None:
    chosen = []
    for attribute in category.attributes:
        if attribute.name in attributes:
            raw = attributes[attribute.name]
            values = raw if isinstance(raw, list) else ([part.strip() for part in str(raw).split(",")]
                                                        if attribute.input == "multi_select" else [str(raw)])
            chosen.append(Chosen(attribute.id, tuple((None, str(v)) for v in values if str(v).strip())))
    problems, missing = attribute_problems(category, chosen)
    if problems:
        raise PlatformError("4115", "CHK_CATPROP_CPV_NOT_ENUM: " + "; ".join(problems) + ".",
                            detail=[{"field": "Attributes", "message": p} for p in problems])
    if missing:
        raise PlatformError("4110", "BIZ_CHECK_CAT_PROP_MANDATORY: mandatory category attribute(s) missing: "
                            + ", ".join(f"{a.name} ({a.label})" for a in missing) + ".",
                            detail=[{"field": a.name, "message": "BIZ_CHECK_CAT_PROP_MANDATORY"} for a in missing])


def _attribute_entry(attribute: SandboxAttribute) -> dict[str, Any]:
    return {"id": int(attribute.id), "name": attribute.name, "label": attribute.label,
            "is_mandatory": int(attribute.mandatory), "is_sale_prop": 0, "attribute_type": "normal",
            "input_type": INPUT_TYPES[attribute.input],
            "options": [{"id": int(v.id), "name": v.name, "en_name": v.name} for v in attribute.values],
            "advanced": {"is_key_prop": 0}}


def _missing(field: str) -> PlatformError:
    return PlatformError("E001", f"{field} is mandatory.", detail=[{"field": field, "message": "mandatory"}],
                         field=field)


def _invalid(field: str, message: str) -> PlatformError:
    return PlatformError("InvalidParameter", message, detail=[{"field": field, "message": message}], field=field)
