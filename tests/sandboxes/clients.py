"""Minimal clients written only from each platform's public documentation (marketplaces.md), with
their own signing: if these work against the sandboxes, so does any client written from the docs.
They return the raw `requests.Response`; tests look at status codes and envelopes themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import time
from dataclasses import dataclass
from typing import Any

import requests
from PIL import Image

from connectors.types import ShopConfig

TIMEOUT = 10
# TikTok calls made for the seller rather than one shop: no shop_cipher (the OpenAPI specification).
SELLER_LEVEL_PATHS = re.compile(r"^/(authorization/\d{6}/|product/\d{6}/(images|files)/upload$)")


def png_bytes(size: int = 200, color: str = "orange") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class ShopeeClient:
    shop: ShopConfig
    session: requests.Session
    key_override: str | None = None
    timestamp_offset: int = 0
    token_override: str | None = None

    def _query(self, path: str, *, public: bool = False) -> dict[str, Any]:
        c = self.shop.credentials
        timestamp = int(time.time()) + self.timestamp_offset
        token = self.token_override if self.token_override is not None else c.access_token.get_secret_value()
        base = f"{c.app_key}{path}{timestamp}" + ("" if public else f"{token}{c.shop_id}")
        key = self.key_override or c.app_secret.get_secret_value()
        query: dict[str, Any] = {"partner_id": int(c.app_key), "timestamp": timestamp,
                                 "sign": hmac.new(key.encode(), base.encode(), hashlib.sha256).hexdigest()}
        if not public:
            query.update({"access_token": token, "shop_id": int(c.shop_id)})
        return query

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.shop.base_url + path, params={**self._query(path), **params}, timeout=TIMEOUT)

    def post(self, path: str, body: dict[str, Any], timeout: float = TIMEOUT) -> requests.Response:
        return self.session.post(self.shop.base_url + path, params=self._query(path), json=body, timeout=timeout)

    def upload_image(self, content: bytes) -> str:
        path = "/api/v2/media_space/upload_image"
        answer = self.session.post(self.shop.base_url + path, params=self._query(path, public=True),
                                   files={"image": ("cover.png", content, "image/png")}, timeout=TIMEOUT)
        return answer.json()["response"]["image_info"]["image_id"]


@dataclass
class LazadaClient:
    shop: ShopConfig
    session: requests.Session
    key_override: str | None = None
    timestamp_offset_ms: int = 0
    token_override: str | None = None

    def _signed(self, api: str, params: dict[str, str]) -> dict[str, str]:
        c = self.shop.credentials
        token = self.token_override if self.token_override is not None else c.access_token.get_secret_value()
        system = {"app_key": c.app_key, "sign_method": "sha256", "access_token": token,
                  "timestamp": str(int(time.time() * 1000) + self.timestamp_offset_ms)}
        everything = {**system, **{k: str(v) for k, v in params.items()}}
        text = api + "".join(f"{k}{everything[k]}" for k in sorted(everything))
        key = self.key_override or c.app_secret.get_secret_value()
        everything["sign"] = hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest().upper()
        return everything

    def get(self, api: str, **params: Any) -> requests.Response:
        return self.session.get(self.shop.base_url + api, params=self._signed(api, params), timeout=TIMEOUT)

    def post(self, api: str, timeout: float = TIMEOUT, **params: Any) -> requests.Response:
        """As the official SDK does: every parameter, sign included, in the form body."""
        return self.session.post(self.shop.base_url + api, data=self._signed(api, params), timeout=timeout)

    def post_payload(self, api: str, product: dict[str, Any], timeout: float = TIMEOUT) -> requests.Response:
        return self.post(api, timeout=timeout, payload=json.dumps({"Request": {"Product": product}}))

    def upload_image(self, content: bytes) -> str:
        api = "/image/upload"
        answer = self.session.post(self.shop.base_url + api, data=self._signed(api, {}),
                                   files={"image": ("cover.png", content, "image/png")}, timeout=TIMEOUT)
        return answer.json()["data"]["image"]["url"]


@dataclass
class TikTokClient:
    shop: ShopConfig
    session: requests.Session
    key_override: str | None = None
    timestamp_offset: int = 0
    token_override: str | None = None
    send_cipher: bool = True

    def _query(self, path: str, params: dict[str, Any], body: bytes) -> dict[str, str]:
        c = self.shop.credentials
        query = {"app_key": c.app_key, "timestamp": str(int(time.time()) + self.timestamp_offset),
                 **{k: str(v) for k, v in params.items()}}
        if self.send_cipher and not SELLER_LEVEL_PATHS.match(path):
            query["shop_cipher"] = c.shop_id
        secret = self.key_override or c.app_secret.get_secret_value()
        text = path + "".join(f"{k}{query[k]}" for k in sorted(query)) + body.decode()
        query["sign"] = hmac.new(secret.encode(), f"{secret}{text}{secret}".encode(), hashlib.sha256).hexdigest()
        return query

    def _headers(self) -> dict[str, str]:
        token = self.token_override
        if token is None:
            token = self.shop.credentials.access_token.get_secret_value()
        return {"x-tts-access-token": token, "content-type": "application/json"} if token else \
            {"content-type": "application/json"}

    def call(self, method: str, path: str, body: Any = None, timeout: float = TIMEOUT, **params: Any) -> requests.Response:
        raw = json.dumps(body).encode() if body is not None else b""
        return self.session.request(method, self.shop.base_url + path, params=self._query(path, params, raw),
                                    data=raw or None, headers=self._headers(), timeout=timeout)

    def upload_image(self, content: bytes) -> str:
        path = "/product/202309/images/upload"
        headers = {"x-tts-access-token": self.shop.credentials.access_token.get_secret_value()}
        answer = self.session.post(self.shop.base_url + path, params=self._query(path, {}, b""), headers=headers,
                                   files={"data": ("cover.png", content, "image/png")},
                                   data={"use_case": "MAIN_IMAGE"}, timeout=TIMEOUT)
        return answer.json()["data"]["uri"]

    def warehouse(self) -> str:
        return self.call("GET", "/logistics/202309/warehouses").json()["data"]["warehouses"][0]["id"]
