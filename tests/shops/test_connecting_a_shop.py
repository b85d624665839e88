"""Every connector against its sandbox: authorise -> connect -> the access token expires mid-run ->
the connector refreshes once and the run goes on; a refresh ahead of expiry; a revoked authorisation
stops only that shop, marked for re-authorisation. Tokens are held in memory here (the database
store is tested in test_token_store.py)."""

from __future__ import annotations

import io
import logging
import time
from dataclasses import replace

import pytest
from PIL import Image
from pydantic import SecretStr

from connectors.base import RetryPolicy, TokenBucket
from connectors.by_channel import CONNECTORS, connector_for
from connectors.errors import ReauthorisationNeeded, TokenExpired
from connectors.tokens import NEEDS_REAUTHORISATION, MemoryTokenStore, RefreshingTokens
from ocop.channels import Channel, declaration
from sandboxes.config import TokenLifetimes, default_config
from sandboxes.fleet import running_sandboxes
from tests.connectors.authorise import authorise

pytestmark = pytest.mark.slow

FAST_RETRY = RetryPolicy(attempts=3, backoff_base=0.01, backoff_cap=0.05)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with running_sandboxes(tmp_path_factory.mktemp("sandboxes"), registry_rows=[]) as running:
        yield running


# Channels whose sellers authorise the app on the platform's page (Sendo has none: its keys sign in).
@pytest.fixture(params=[c for c in CONNECTORS if declaration(c).authorised_by_seller], ids=lambda channel: channel.value)
def channel(request) -> Channel:
    return request.param


def unconnected(fleet, channel: Channel):
    """The shop as the shops file declares it for the token store: app keys, no access token."""
    shop = fleet.shop(f"{channel.value}-dong-thap")
    credentials = replace(shop.credentials, access_token=SecretStr(""),
                          shop_id=None if channel == Channel.TIKTOK else shop.credentials.shop_id)
    return replace(shop, credentials=credentials, requests_per_second=1000.0)


def connect(fleet, channel: Channel, reauthorised: list | None = None, clock=time.time):
    """authorise + connect: the code the redirect carries buys the tokens the store keeps."""
    shop = unconnected(fleet, channel)
    options = {"retry": FAST_RETRY, "rate_limiter": TokenBucket(1000.0), "clock": clock}
    with connector_for(shop, **options) as connector:
        back = authorise(connector)
        tokens = connector.exchange_code(back["code"], back.get("shop_id"))
    store = MemoryTokenStore(shop.key, tokens)
    sink = reauthorised if reauthorised is not None else []
    source = RefreshingTokens(store, on_reauthorise=lambda key, reason: sink.append((key, reason)), clock=clock)
    return connector_for(replace(shop, tokens=source), **options), store


def picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), (40, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_connected_shop_carries_its_identity(fleet, channel):
    connector, store = connect(fleet, channel)

    tokens = store.read().tokens
    assert tokens.access_token.get_secret_value() and tokens.refresh_token.get_secret_value()
    assert tokens.access_expires_at > tokens.issued_at
    if channel in (Channel.SHOPEE, Channel.TIKTOK):   # Shopee: the redirect's shop_id; TikTok: the cipher read after
        assert tokens.shop_id == fleet.shop(f"{channel.value}-dong-thap").credentials.shop_id
    assert connector.find_by_seller_sku("NOBODY-HAS-THIS") is None
    connector.close()


def test_a_token_expiring_mid_run_is_refreshed_once_and_the_run_goes_on(fleet, channel, caplog):
    caplog.set_level(logging.DEBUG)
    connector, store = connect(fleet, channel)
    image = connector.upload_image(picture(), "cover.png")
    assert connector.find_by_seller_sku("NOBODY-HAS-THIS") is None
    before = store.read().tokens

    fleet.admin(channel).expire_access_tokens(f"{channel.value}-dong-thap")
    assert connector.find_by_seller_sku("NOBODY-HAS-THIS") is None

    after = store.read().tokens
    assert image
    assert after.access_token.get_secret_value() != before.access_token.get_secret_value()
    assert store.read().refreshed_at is not None
    if channel == Channel.SHOPEE:      # one-use refresh token: the new one replaced it
        assert after.refresh_token.get_secret_value() != before.refresh_token.get_secret_value()
    for secret in (before, after):
        for value in (secret.access_token.get_secret_value(), secret.refresh_token.get_secret_value()):
            assert value not in caplog.text
    connector.close()


def test_a_token_refused_again_after_the_refresh_is_not_refreshed_twice(fleet, channel):
    connector, store = connect(fleet, channel)
    refreshes = []
    real_refresh = connector.refresh_tokens

    def refresh_then_expire(tokens):
        refreshes.append(1)
        renewed = real_refresh(tokens)
        fleet.admin(channel).expire_access_tokens(f"{channel.value}-dong-thap")
        return renewed

    connector.refresh_tokens = refresh_then_expire
    fleet.admin(channel).expire_access_tokens(f"{channel.value}-dong-thap")

    with pytest.raises(TokenExpired):
        connector.find_by_seller_sku("NOBODY-HAS-THIS")
    assert refreshes == [1]
    connector.close()


def test_a_token_near_its_expiry_is_refreshed_before_the_call(tmp_path, channel):
    now = [time.time()]
    config = default_config().with_channel(channel, tokens=TokenLifetimes(60, access_seconds=100, refresh_seconds=1000))
    with running_sandboxes(tmp_path, config=config, registry_rows=[], clock=lambda: now[0]) as short_lived:
        connector, store = connect(short_lived, channel, clock=lambda: now[0])
        connector.find_by_seller_sku("NOBODY-HAS-THIS")
        issued = store.read().tokens

        now[0] += 95       # 5 s left of 100: under the margin (a tenth of the life)
        connector.find_by_seller_sku("NOBODY-HAS-THIS")

        assert store.read().tokens.access_token != issued.access_token
        connector.close()


def test_a_revoked_authorisation_stops_the_shop_and_marks_it(fleet, channel):
    reauthorised: list = []
    connector, store = connect(fleet, channel, reauthorised)
    fleet.admin(channel).revoke(f"{channel.value}-dong-thap")

    with pytest.raises(ReauthorisationNeeded):
        connector.find_by_seller_sku("NOBODY-HAS-THIS")
    with pytest.raises(ReauthorisationNeeded):     # it stays stopped: no second refresh
        connector.find_by_seller_sku("NOBODY-HAS-THIS")

    assert store.read().status == NEEDS_REAUTHORISATION
    assert [key for key, _ in reauthorised] == [f"{channel.value}-dong-thap"]
    connector.close()


def test_a_static_token_shop_is_unchanged(fleet, channel):
    """Shops with a configured access token (the sandboxes' test shops) never refresh."""
    connector = connector_for(fleet.shop(f"{channel.value}-producer"), retry=FAST_RETRY)
    assert connector.find_by_seller_sku("NOBODY-HAS-THIS") is None
    connector.close()


def test_a_tiktok_shop_with_its_service_id_is_authorised_through_the_newer_link(fleet):
    shop = replace(unconnected(fleet, Channel.TIKTOK), service_id=fleet.shop("tiktok-dong-thap").credentials.app_key)
    with connector_for(shop, retry=FAST_RETRY, rate_limiter=TokenBucket(1000.0)) as connector:
        link = connector.authorization_url("http://127.0.0.1:8791/callback", "ocop-test")
        assert "/open/authorize?service_id=" in link and "app_key" not in link
        back = authorise(connector)
        tokens = connector.exchange_code(back["code"])
    assert tokens.shop_id == fleet.shop("tiktok-dong-thap").credentials.shop_id
    real = replace(shop, auth_base_url=None)
    with connector_for(real) as connector:
        assert connector.authorization_url("https://ocop.example/callback", "s").startswith(
            "https://services.tiktokshop.com/open/authorize?service_id=")
