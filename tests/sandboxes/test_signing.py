"""Signatures, timestamps and tokens, answered with each platform's own codes and statuses.
The published Lazada and TikTok test vectors are checked both on the sandbox's signing and over HTTP."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import requests

from ocop.channels import Channel
from sandboxes import lazada as lazada_sandbox
from sandboxes import tiktok as tiktok_sandbox
from sandboxes.config import parse_config
from sandboxes.fleet import running_sandboxes

from tests.sandboxes.clients import LazadaClient, ShopeeClient, TikTokClient

LAZADA_VECTOR = "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"
TIKTOK_VECTOR = "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


def test_lazada_published_vector():
    params = {"access_token": "test", "app_key": "123456", "order_id": "1234", "sign_method": "sha256",
              "timestamp": "1517820392000"}
    assert lazada_sandbox.sign("helloworld", "/order/get", params) == LAZADA_VECTOR
    assert lazada_sandbox.sign("helloworld", "/order/get", {**params, "sign": LAZADA_VECTOR}) == LAZADA_VECTOR


def test_tiktok_published_vector():
    query = {"app_key": "29a39d", "timestamp": "1623812664"}
    assert tiktok_sandbox.sign("e59af819cc", "/authorization/202309/shops", query) == TIKTOK_VECTOR


def test_tiktok_published_vector_is_accepted_over_http(tmp_path):
    """The vector's request, sent as published, passes the sandbox (its clock set to the vector's time)."""
    config = parse_config({"shops": [{"key": "vector", "channel": "tiktok", "app_key": "29a39d",
                                      "app_secret": "e59af819cc", "access_token": "vector-token",
                                      "shop_id": "vector-cipher"}]})
    with running_sandboxes(tmp_path, config=config, registry_rows=[], clock=lambda: 1623812670.0) as fleet:
        answer = requests.get(f"{fleet.base_url(Channel.TIKTOK)}/authorization/202309/shops",
                              params={"app_key": "29a39d", "timestamp": "1623812664", "sign": TIKTOK_VECTOR},
                              headers={"x-tts-access-token": "vector-token"}, timeout=10)
    assert answer.status_code == 200 and answer.json()["data"]["shops"][0]["cipher"] == "vector-cipher"


# -- Shopee --------------------------------------------------------------------------------------

def test_shopee_wrong_key_is_error_sign_403(shopee):
    shopee.key_override = "not-the-partner-key"
    answer = shopee.get("/api/v2/product/get_item_list", offset=0, page_size=10)
    assert answer.status_code == 403 and answer.json()["error"] == "error_sign"


def test_shopee_stale_timestamp_is_error_param(shopee):
    shopee.timestamp_offset = -301
    answer = shopee.get("/api/v2/product/get_item_list", offset=0, page_size=10)
    assert answer.status_code == 400 and answer.json()["error"] == "error_param"


def test_shopee_wrong_token_is_error_auth_and_missing_token_error_param(shopee):
    shopee.token_override = "someone-elses-token"
    assert shopee.get("/api/v2/product/get_item_list", offset=0, page_size=10).json()["error"] == "error_auth"
    shopee.token_override = ""
    assert shopee.get("/api/v2/product/get_item_list", offset=0, page_size=10).json()["error"] == "error_param"


def test_shopee_common_parameters_travel_in_the_query_even_on_post(shopee):
    path = "/api/v2/product/delete_item"
    body = {**shopee._query(path), "item_id": 1}
    answer = shopee.session.post(shopee.shop.base_url + path, json=body)
    assert answer.json()["error"] == "error_param" and "partner_id" in answer.json()["message"]


def test_shopee_shop_of_another_partner_is_error_auth(fleet, session):
    shop = fleet.shop("shopee-dong-thap")
    foreign_shop_id = fleet.shop("shopee-producer").credentials.shop_id
    client = ShopeeClient(replace(shop, credentials=replace(shop.credentials, shop_id=foreign_shop_id)), session)
    assert client.get("/api/v2/product/get_item_list", offset=0, page_size=1).json()["error"] == "error_auth"


# -- Lazada --------------------------------------------------------------------------------------

def test_lazada_wrong_key_is_incomplete_signature(lazada):
    lazada.key_override = "wrong-secret"
    body = lazada.get("/products/get", filter="all").json()
    assert body["code"] == "IncompleteSignature" and body["type"] == "ISV"


def test_lazada_stale_timestamp_is_refused(lazada):
    lazada.timestamp_offset_ms = -7201 * 1000
    assert lazada.get("/products/get", filter="all").json()["code"] == "InvalidParameter"


def test_lazada_wrong_and_missing_token(lazada):
    lazada.token_override = "not-a-token"
    assert lazada.get("/products/get", filter="all").json()["code"] == "IllegalAccessToken"
    lazada.token_override = ""
    assert lazada.get("/products/get", filter="all").json()["code"] == "MissingParameter"


def test_lazada_signs_with_extra_parameters_and_without_the_rest_prefix(fleet, session):
    shop = fleet.shop("lazada-dong-thap")
    client = LazadaClient(replace(shop, base_url=shop.base_url.removesuffix("/rest")), session)
    body = client.get("/products/get", filter="all", partner_id="lazop-sdk-python-20180424").json()
    assert body["code"] == "0"


def test_lazada_post_sign_in_the_body_is_checked(lazada):
    api = "/product/remove"
    signed = lazada._signed(api, {"seller_sku_list": json.dumps(["X"])})
    signed["seller_sku_list"] = json.dumps(["TAMPERED"])
    answer = lazada.session.post(lazada.shop.base_url + api, data=signed)
    assert answer.json()["code"] == "IncompleteSignature"


# -- TikTok --------------------------------------------------------------------------------------

def test_tiktok_wrong_key_is_106001_with_401(tiktok):
    tiktok.key_override = "wrong-secret"
    answer = tiktok.call("POST", "/product/202309/products/search", {}, page_size=5)
    assert answer.status_code == 401 and answer.json()["code"] == 106001


@pytest.mark.parametrize("offset", [-301, 31])
def test_tiktok_timestamp_window_is_5_minutes_before_to_30_seconds_after(tiktok, offset):
    tiktok.timestamp_offset = offset
    answer = tiktok.call("POST", "/product/202309/products/search", {}, page_size=5)
    assert answer.status_code == 401 and answer.json()["code"] == 36009004


def test_tiktok_missing_token_is_36009004(tiktok):
    tiktok.token_override = ""
    answer = tiktok.call("POST", "/product/202309/products/search", {}, page_size=5)
    assert answer.status_code == 401 and answer.json()["code"] == 36009004


def test_tiktok_missing_shop_cipher_is_106013(tiktok):
    tiktok.send_cipher = False
    assert tiktok.call("POST", "/product/202309/products/search", {}, page_size=5).json()["code"] == 106013


def test_tiktok_body_is_part_of_the_sign(tiktok):
    path = "/product/202309/products/search"
    query = tiktok._query(path, {"page_size": 5}, b'{"status":"ACTIVATE"}')
    answer = tiktok.session.post(tiktok.shop.base_url + path, params=query, data=b'{"status":"DELETED"}',
                                 headers=tiktok._headers())
    assert answer.json()["code"] == 106001


def test_tiktok_token_of_another_app_is_refused(fleet, session):
    client = TikTokClient(fleet.shop("tiktok-dong-thap"), session)
    client.token_override = fleet.shop("tiktok-producer").credentials.access_token.get_secret_value()
    assert client.call("POST", "/product/202309/products/search", {}, page_size=5).json()["code"] == 36009004
