"""Shop credentials from environment variables and from Prefect Secret blocks, and the errors that name
what is missing without showing any value."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from connectors.by_channel import connector_for
from connectors.types import ShopConfig, ShopCredentials
from ocop.channels import Channel
from shops.credentials import (
    CredentialsMissing,
    credentials_from_env,
    env_prefix,
    load_credentials,
    save_secret_block,
)
from tests.connectors.fake_shops import ACCESS_TOKEN, APP_SECRET

ENVIRON = {
    "OCOP_SHOP_SHOPEE_DONG_THAP_APP_KEY": "2001887",
    "OCOP_SHOP_SHOPEE_DONG_THAP_APP_SECRET": APP_SECRET,
    "OCOP_SHOP_SHOPEE_DONG_THAP_ACCESS_TOKEN": ACCESS_TOKEN,
    "OCOP_SHOP_SHOPEE_DONG_THAP_SHOP_ID": "14701711",
}


def test_environment_variables_are_named_after_the_shop_key():
    assert env_prefix("shopee-dong-thap") == "OCOP_SHOP_SHOPEE_DONG_THAP_"


def test_credentials_come_from_the_environment_as_secret_strings():
    credentials = credentials_from_env("shopee-dong-thap", ENVIRON)

    assert credentials.app_key == "2001887" and credentials.shop_id == "14701711"
    assert credentials.app_secret.get_secret_value() == APP_SECRET
    assert APP_SECRET not in repr(credentials) and ACCESS_TOKEN not in repr(credentials)


def test_missing_variables_are_named_and_no_value_is_shown():
    partial = {name: value for name, value in ENVIRON.items() if not name.endswith("ACCESS_TOKEN")}

    with pytest.raises(CredentialsMissing) as raised:
        credentials_from_env("shopee-dong-thap", partial)

    assert "OCOP_SHOP_SHOPEE_DONG_THAP_ACCESS_TOKEN" in str(raised.value)
    assert APP_SECRET not in str(raised.value)


def test_registry_builds_the_channels_connector_from_loaded_credentials():
    shop = ShopConfig("shopee-dong-thap", Channel.SHOPEE, "https://partner.shopeemobile.com",
                      load_credentials("shopee-dong-thap", environ=ENVIRON))

    connector = connector_for(shop, logistic_ids=[50011])

    assert type(connector).__name__ == "ShopeeConnector" and connector.shop is shop
    connector.close()


@pytest.fixture(scope="module")
def prefect_api():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


@pytest.mark.slow
def test_credentials_round_trip_through_a_secret_block(prefect_api):
    stored = ShopCredentials("29a39d", SecretStr(APP_SECRET), SecretStr(ACCESS_TOKEN), "ROW_cipher_42")
    save_secret_block("ocop-shop-tiktok-dong-thap", stored)

    by_name = load_credentials("anything", secret_block="ocop-shop-tiktok-dong-thap")
    by_default_name = load_credentials("tiktok-dong-thap", environ={})

    assert by_name == by_default_name == stored


@pytest.mark.slow
def test_neither_environment_nor_block_is_reported_as_missing(prefect_api):
    with pytest.raises(CredentialsMissing) as raised:
        load_credentials("lazada-nowhere", environ={})

    assert "OCOP_SHOP_LAZADA_NOWHERE_APP_KEY" in str(raised.value)
    assert "ocop-shop-lazada-nowhere" in str(raised.value)
