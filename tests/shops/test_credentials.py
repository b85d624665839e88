"""Shop credentials from environment variables and from Prefect blocks (the typed "OCOP shop
credentials" block, and the Secret block holding JSON that came before it), and the errors that name
what is missing without showing any value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from connectors.by_channel import connector_for
from connectors.types import ShopConfig, ShopCredentials
from ocop.channels import Channel
from shops.credentials import (
    CredentialsMissing,
    ShopCredentialsBlock,
    credentials_from_env,
    env_prefix,
    load_credentials,
    save_secret_block,
)
from tests.connectors.fake_shops import ACCESS_TOKEN, APP_SECRET

REPO = Path(__file__).resolve().parents[2]

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


def test_the_block_hides_its_secret_fields_in_reprs_and_in_prefects_ui():
    block = ShopCredentialsBlock(app_key="2001887", app_secret=APP_SECRET, access_token=ACCESS_TOKEN, shop_id="14701711")

    assert APP_SECRET not in repr(block) + str(block) and ACCESS_TOKEN not in repr(block) + str(block)
    assert ShopCredentialsBlock.get_block_type_name() == "OCOP shop credentials"
    schema = ShopCredentialsBlock.model_json_schema()
    assert schema["secret_fields"] == ["app_secret", "access_token"]
    assert all(field["description"] for field in schema["properties"].values())


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
    assert isinstance(ShopCredentialsBlock.load("ocop-shop-tiktok-dong-thap"), ShopCredentialsBlock)


@pytest.mark.slow
def test_a_secret_block_holding_json_is_still_read(prefect_api):
    from prefect.blocks.system import Secret

    Secret(value={"app_key": "2001887", "app_secret": APP_SECRET, "access_token": ACCESS_TOKEN,
                  "shop_id": "14701711"}).save("ocop-shop-shopee-set-up-in-2025", overwrite=True)

    credentials = load_credentials("shopee-set-up-in-2025", environ={})

    assert credentials == ShopCredentials("2001887", SecretStr(APP_SECRET), SecretStr(ACCESS_TOKEN), "14701711")


@pytest.mark.slow
def test_a_block_without_an_access_token_serves_a_shop_whose_tokens_are_in_the_database(prefect_api):
    save_secret_block("ocop-shop-lazada-connected", ShopCredentials("112233", SecretStr(APP_SECRET), SecretStr("")))

    with pytest.raises(CredentialsMissing) as raised:
        load_credentials("lazada-connected", environ={})
    connected = load_credentials("lazada-connected", environ={}, with_access_token=False)

    assert "block 'ocop-shop-lazada-connected' lacks access_token" in str(raised.value)
    assert APP_SECRET not in str(raised.value)
    assert connected.app_key == "112233" and connected.access_token.get_secret_value() == ""


@pytest.mark.slow
def test_prefect_block_register_makes_the_block_editable_in_the_ui(prefect_api):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    environment = os.environ | {"PREFECT_API_URL": PREFECT_API_URL.value()}
    registered = subprocess.run([sys.executable, "-m", "prefect", "block", "register", "-m", "shops.credentials"],
                                cwd=REPO, env=environment, capture_output=True, text=True, timeout=120)

    assert registered.returncode == 0, registered.stdout + registered.stderr
    assert "OCOP shop credentials" in registered.stdout
    with get_client(sync_client=True) as client:
        schema = client.get_most_recent_block_schema_for_block_type(
            client.read_block_type_by_slug("ocop-shop-credentials").id)
    assert schema.fields["secret_fields"] == ["app_secret", "access_token"]


@pytest.mark.slow
def test_neither_environment_nor_block_is_reported_as_missing(prefect_api):
    with pytest.raises(CredentialsMissing) as raised:
        load_credentials("lazada-nowhere", environ={})

    assert "OCOP_SHOP_LAZADA_NOWHERE_APP_KEY" in str(raised.value)
    assert "ocop-shop-lazada-nowhere" in str(raised.value)
