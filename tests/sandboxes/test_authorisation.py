"""Each sandbox's authorisation endpoints, as a client written from the platform's documentation
uses them: the page grants a one-use code, the code buys tokens, an expired access token is
answered with the platform's own code, a refresh buys a new one (Shopee's refresh token works once),
and a seller revoking the app stops the refresh."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import requests
from pydantic import SecretStr

from ocop.channels import Channel
from sandboxes.config import TokenLifetimes, default_config, parse_config
from sandboxes.fleet import running_sandboxes

from tests.sandboxes.clients import LazadaClient, ShopeeClient, TikTokClient

REDIRECT = "http://127.0.0.1:8791/callback"


def redirected(answer) -> dict[str, str]:
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT)
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def with_token(client, token: str):
    credentials = replace(client.shop.credentials, access_token=SecretStr(token))
    return replace(client, shop=replace(client.shop, credentials=credentials))


# -- Shopee --------------------------------------------------------------------------------------

def shopee_public(client: ShopeeClient, path: str) -> dict:
    c = client.shop.credentials
    timestamp = int(time.time())
    base = f"{c.app_key}{path}{timestamp}"
    return {"partner_id": c.app_key, "timestamp": timestamp,
            "sign": hmac.new(c.app_secret.get_secret_value().encode(), base.encode(), hashlib.sha256).hexdigest()}


def shopee_connect(shopee: ShopeeClient) -> dict:
    path = "/api/v2/shop/auth_partner"
    page = shopee.session.get(shopee.shop.base_url + path, params={**shopee_public(shopee, path), "redirect": REDIRECT},
                              allow_redirects=False, timeout=10)
    back = redirected(page)
    assert back["shop_id"] == shopee.shop.credentials.shop_id
    return shopee_token(shopee, "/api/v2/auth/token/get", code=back["code"])


def shopee_token(shopee: ShopeeClient, path: str, **body) -> dict:
    body |= {"shop_id": int(shopee.shop.credentials.shop_id), "partner_id": int(shopee.shop.credentials.app_key)}
    return shopee.session.post(shopee.shop.base_url + path, params=shopee_public(shopee, path), json=body,
                               timeout=10).json()


def shopee_items(shopee: ShopeeClient, token: str):
    return with_token(shopee, token).get("/api/v2/product/get_item_list", offset=0, page_size=1)


def test_shopee_code_buys_tokens_once_at_the_top_level(shopee):
    path = "/api/v2/shop/auth_partner"
    back = redirected(shopee.session.get(shopee.shop.base_url + path, allow_redirects=False, timeout=10,
                                         params={**shopee_public(shopee, path), "redirect": REDIRECT}))

    first = shopee_token(shopee, "/api/v2/auth/token/get", code=back["code"])
    again = shopee_token(shopee, "/api/v2/auth/token/get", code=back["code"])

    assert first["error"] == "" and first["expire_in"] == 4 * 3600
    assert first["access_token"] and first["refresh_token"] and "response" not in first
    assert again["error"] == "error_param"
    assert shopee_items(shopee, first["access_token"]).json()["error"] == ""


def test_shopee_expired_token_is_invalid_acceess_token_and_a_refresh_token_works_once(shopee, fleet):
    tokens = shopee_connect(shopee)
    fleet.admin(Channel.SHOPEE).expire_access_tokens("shopee-dong-thap")

    expired = shopee_items(shopee, tokens["access_token"])
    refreshed = shopee_token(shopee, "/api/v2/auth/access_token/get", refresh_token=tokens["refresh_token"])
    spent = shopee_token(shopee, "/api/v2/auth/access_token/get", refresh_token=tokens["refresh_token"])
    rotated = shopee_token(shopee, "/api/v2/auth/access_token/get", refresh_token=refreshed["refresh_token"])

    assert expired.status_code == 403 and expired.json()["error"] == "invalid_acceess_token"
    assert refreshed["error"] == "" and refreshed["refresh_token"] != tokens["refresh_token"]
    assert refreshed["shop_id"] == int(shopee.shop.credentials.shop_id)
    assert spent["error"] == "error_param" and "refresh_token" in spent["message"]
    assert rotated["error"] == ""
    assert shopee_items(shopee, rotated["access_token"]).json()["error"] == ""


def test_shopee_token_never_issued_is_error_auth(shopee):
    answer = shopee_items(shopee, "never-issued")
    assert answer.status_code == 403 and answer.json()["error"] == "error_auth"


def test_shopee_revoked_authorisation_refuses_the_refresh(shopee, fleet):
    tokens = shopee_connect(shopee)
    fleet.admin(Channel.SHOPEE).revoke("shopee-dong-thap")

    answer = shopee_token(shopee, "/api/v2/auth/access_token/get", refresh_token=tokens["refresh_token"])

    assert answer["error"] == "error_param"
    assert shopee_items(shopee, "shopee-sandbox-token-dong-thap").json()["error"] == ""   # the test token stays


# -- Lazada --------------------------------------------------------------------------------------

def lazada_connect(lazada: LazadaClient) -> dict:
    root = lazada.shop.base_url.removesuffix("/rest")
    page = lazada.session.get(root + "/oauth/authorize", allow_redirects=False, timeout=10, params={
        "response_type": "code", "force_auth": "true", "redirect_uri": REDIRECT,
        "client_id": lazada.shop.credentials.app_key, "state": "s-1"})
    back = redirected(page)
    assert back["state"] == "s-1"
    return lazada_auth(lazada).get("/auth/token/create", code=back["code"]).json()


def lazada_auth(lazada: LazadaClient) -> LazadaClient:
    """Token calls are signed like any other but carry no access_token."""
    return with_token(lazada, "")


def test_lazada_code_buys_tokens_and_a_refresh_keeps_the_refresh_token(lazada, fleet):
    tokens = lazada_connect(lazada)
    fleet.admin(Channel.LAZADA).expire_access_tokens("lazada-dong-thap")

    expired = with_token(lazada, tokens["access_token"]).get("/products/get", filter="all", limit=1).json()
    refreshed = lazada_auth(lazada).post("/auth/token/refresh", refresh_token=tokens["refresh_token"]).json()
    works = with_token(lazada, refreshed["access_token"]).get("/products/get", filter="all", limit=1).json()

    assert tokens["code"] == "0" and tokens["expires_in"] == 30 * 86400
    assert tokens["country_user_info"][0]["seller_id"]
    assert expired["code"] == "IllegalAccessToken"
    assert refreshed["code"] == "0" and refreshed["refresh_token"] == tokens["refresh_token"]
    assert refreshed["country_user_info_list"]
    assert works["code"] == "0"


def test_lazada_used_code_and_revoked_refresh_token_are_refused(lazada, fleet):
    root = lazada.shop.base_url.removesuffix("/rest")
    back = redirected(lazada.session.get(root + "/oauth/authorize", allow_redirects=False, timeout=10, params={
        "response_type": "code", "redirect_uri": REDIRECT, "client_id": lazada.shop.credentials.app_key}))
    tokens = lazada_auth(lazada).get("/auth/token/create", code=back["code"]).json()
    again = lazada_auth(lazada).get("/auth/token/create", code=back["code"]).json()
    fleet.admin(Channel.LAZADA).revoke("lazada-dong-thap")

    refused = lazada_auth(lazada).post("/auth/token/refresh", refresh_token=tokens["refresh_token"]).json()

    assert again["code"] == "InvalidCode"
    assert refused["code"] == "IllegalRefreshToken"


# -- TikTok Shop ---------------------------------------------------------------------------------

def tiktok_auth(tiktok: TikTokClient, path: str, **params):
    c = tiktok.shop.credentials
    return tiktok.session.get(tiktok.shop.base_url + path, timeout=10, params={
        "app_key": c.app_key, "app_secret": c.app_secret.get_secret_value(), **params}).json()


def tiktok_connect(tiktok: TikTokClient) -> dict:
    page = tiktok.session.get(tiktok.shop.base_url + "/oauth/authorize", allow_redirects=False, timeout=10,
                              params={"app_key": tiktok.shop.credentials.app_key, "state": "t-1",
                                      "redirect_uri": REDIRECT})
    back = redirected(page)
    return tiktok_auth(tiktok, "/api/v2/token/get", auth_code=back["code"], grant_type="authorized_code")


def test_tiktok_code_buys_tokens_with_expiry_times_and_the_shop_cipher_follows(tiktok, fleet):
    before = time.time()
    answer = tiktok_connect(tiktok)
    data = answer["data"]

    shops = with_token(tiktok, data["access_token"])
    shops.send_cipher = False
    cipher = shops.call("GET", "/authorization/202309/shops").json()["data"]["shops"][0]["cipher"]

    assert answer["code"] == 0
    assert before + 7 * 86400 - 5 <= data["access_token_expire_in"] <= time.time() + 7 * 86400 + 5
    assert data["refresh_token_expire_in"] > data["access_token_expire_in"] and data["seller_name"]
    assert cipher == tiktok.shop.credentials.shop_id


def test_tiktok_expired_token_is_105002_and_a_refresh_restores_the_shop(tiktok, fleet):
    data = tiktok_connect(tiktok)["data"]
    fleet.admin(Channel.TIKTOK).expire_access_tokens("tiktok-dong-thap")

    expired = with_token(tiktok, data["access_token"]).call("GET", "/logistics/202309/warehouses")
    refreshed = tiktok_auth(tiktok, "/api/v2/token/refresh", refresh_token=data["refresh_token"],
                            grant_type="refresh_token")["data"]
    works = with_token(tiktok, refreshed["access_token"]).call("GET", "/logistics/202309/warehouses")

    assert expired.status_code == 401 and expired.json()["code"] == 105002
    assert refreshed["refresh_token"] == data["refresh_token"]
    assert works.json()["code"] == 0


def test_tiktok_refused_refreshes_name_the_reason(tiktok, fleet):
    data = tiktok_connect(tiktok)["data"]
    wrong_secret = tiktok_auth(tiktok, "/api/v2/token/refresh", refresh_token=data["refresh_token"],
                               grant_type="refresh_token", app_secret="not-it")
    fleet.admin(Channel.TIKTOK).revoke("tiktok-dong-thap")
    revoked = tiktok_auth(tiktok, "/api/v2/token/refresh", refresh_token=data["refresh_token"],
                          grant_type="refresh_token")

    assert wrong_secret["code"] == 36009004
    assert revoked["code"] == 36004005


def test_token_lifetimes_are_configured_per_channel():
    config = parse_config({"tiktok": {"tokens": {"access_seconds": 2, "refresh_seconds": 60}}})
    assert config.channels[Channel.TIKTOK].tokens == TokenLifetimes(1800, 2, 60)
    assert config.channels[Channel.SHOPEE].tokens.access_seconds == 4 * 3600


def test_an_expired_refresh_token_is_36004001(tmp_path):
    now = [time.time()]
    config = default_config().with_channel(Channel.TIKTOK, tokens=TokenLifetimes(60, 10, 30))
    with running_sandboxes(tmp_path, config=config, registry_rows=[], clock=lambda: now[0]) as fleet, \
            requests.Session() as session:
        tiktok = TikTokClient(fleet.shop("tiktok-dong-thap"), session)
        data = tiktok_connect(tiktok)["data"]
        now[0] += 31
        answer = tiktok_auth(tiktok, "/api/v2/token/refresh", refresh_token=data["refresh_token"],
                             grant_type="refresh_token")
    assert answer["code"] == 36004001
