"""Where a shop's keys come from: a Prefect block or environment variables.

The block is an "OCOP shop credentials" block (`ShopCredentialsBlock`, secret fields hidden in
Prefect's UI, logs and reprs), by default named `ocop-shop-<key>`. Register its type once per
Prefect server (`prefect block register -m shops.credentials`) to create and edit it in the UI.
A Prefect Secret block of that name holding the JSON object
`{"app_key", "app_secret", "access_token", "shop_id"}` is still read: shops set up before the
typed block keep working.

Environment variables, per shop (the key upper-cased, anything but letters and digits as `_`):
`OCOP_SHOP_<KEY>_APP_KEY`, `..._APP_SECRET`, `..._ACCESS_TOKEN`, `..._SHOP_ID` (optional), e.g.
`OCOP_SHOP_SHOPEE_DONG_THAP_APP_SECRET`.
A shop connected with `ocop shop connect` (its tokens in the database, see `shops.token_store`)
needs no access token here: `with_access_token=False`.
Errors name the variables or the block that are missing, never a value.
"""

from __future__ import annotations

import os
import re
from typing import Any, Mapping

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from connectors.types import ShopCredentials

REQUIRED = ("app_key", "app_secret", "access_token")
APP_KEYS = ("app_key", "app_secret")


class CredentialsMissing(LookupError):
    pass


class ShopCredentialsBlock(Block):
    """The keys of one marketplace shop the OCOP pipeline publishes to (Shopee, Lazada or TikTok Shop).
    Name it `ocop-shop-<key>` after the shop's key in the shops file, or name it there with `secret_block`."""

    _block_type_name = "OCOP shop credentials"

    app_key: str = Field(..., description="Shopee: partner_id; Lazada and TikTok Shop: app key.")
    app_secret: SecretStr = Field(..., description="Shopee: partner key; Lazada and TikTok Shop: app secret.")
    access_token: SecretStr | None = Field(
        None, description="The shop's access token. Leave empty for a shop connected with `ocop shop connect` "
                          "(tokens = \"database\" in the shops file): its tokens are kept in the database.")
    shop_id: str | None = Field(None, description="Shopee: shop_id; TikTok Shop: shop cipher; Lazada: leave empty.")

    def shop_credentials(self) -> ShopCredentials:
        return ShopCredentials(app_key=self.app_key, app_secret=self.app_secret,
                               access_token=self.access_token or SecretStr(""), shop_id=self.shop_id or None)


def env_prefix(shop_key: str) -> str:
    return "OCOP_SHOP_" + re.sub(r"[^A-Z0-9]", "_", shop_key.upper()) + "_"


def secret_block_name(shop_key: str) -> str:
    return f"ocop-shop-{shop_key}"


def credentials_from_env(shop_key: str, environ: Mapping[str, str] | None = None, *,
                         required: tuple[str, ...] = REQUIRED) -> ShopCredentials:
    environ = os.environ if environ is None else environ
    prefix = env_prefix(shop_key)
    values = {name: environ.get(prefix + name.upper()) for name in (*REQUIRED, "shop_id")}
    missing = [prefix + name.upper() for name in required if not values[name]]
    if missing:
        raise CredentialsMissing(f"shop {shop_key}: environment variables not set: {', '.join(missing)}")
    return _credentials(values)


def credentials_from_block(block_name: str, *, required: tuple[str, ...] = REQUIRED) -> ShopCredentials:
    """The OCOP shop credentials block of that name, else a Secret block of that name holding JSON."""
    try:
        block = ShopCredentialsBlock.load(block_name)
    except ValueError:
        return _credentials_from_json_secret(block_name, required=required)
    except RuntimeError:
        # Prefect's message chains the validation error, which quotes the stored values
        raise CredentialsMissing(f"OCOP shop credentials block {block_name!r} does not validate: "
                                 "open it in Prefect's UI and fill in app_key and app_secret") from None
    credentials = block.shop_credentials()
    _require(credentials, required, f"OCOP shop credentials block {block_name!r}")
    return credentials


def _credentials_from_json_secret(block_name: str, *, required: tuple[str, ...]) -> ShopCredentials:
    # imported here so that `prefect block register -m shops.credentials` registers only our block type
    from prefect.blocks.system import Secret

    try:
        value = Secret.load(block_name).get()
    except ValueError:
        raise CredentialsMissing(f"no Prefect block named {block_name!r} (an OCOP shop credentials block, "
                                 "or a Secret block holding JSON)") from None
    if not isinstance(value, dict):
        raise CredentialsMissing(f"Secret block {block_name!r} must hold a JSON object with {', '.join(required)}")
    missing = [name for name in required if not value.get(name)]
    if missing:
        raise CredentialsMissing(f"Secret block {block_name!r} lacks {', '.join(missing)}")
    return _credentials(value)


def save_secret_block(block_name: str, credentials: ShopCredentials, *, overwrite: bool = True) -> None:
    """Store a shop's keys as an OCOP shop credentials block (what an operator does once per shop)."""
    ShopCredentialsBlock(
        app_key=credentials.app_key,
        app_secret=credentials.app_secret,
        access_token=credentials.access_token if credentials.access_token.get_secret_value() else None,
        shop_id=credentials.shop_id,
    ).save(block_name, overwrite=overwrite)


def load_credentials(shop_key: str, *, secret_block: str | None = None,
                     environ: Mapping[str, str] | None = None, with_access_token: bool = True) -> ShopCredentials:
    """A named block wins; otherwise the environment, then the block `ocop-shop-<key>`."""
    required = REQUIRED if with_access_token else APP_KEYS
    if secret_block is not None:
        return credentials_from_block(secret_block, required=required)
    try:
        return credentials_from_env(shop_key, environ, required=required)
    except CredentialsMissing as env_missing:
        try:
            return credentials_from_block(secret_block_name(shop_key), required=required)
        except CredentialsMissing as block_missing:
            raise CredentialsMissing(f"{env_missing}; and {block_missing}") from None


def _require(credentials: ShopCredentials, required: tuple[str, ...], where: str) -> None:
    present = {"app_key": credentials.app_key, "app_secret": credentials.app_secret.get_secret_value(),
               "access_token": credentials.access_token.get_secret_value()}
    missing = [name for name in required if not present[name]]
    if missing:
        raise CredentialsMissing(f"{where} lacks {', '.join(missing)}")


def _credentials(values: Mapping[str, Any]) -> ShopCredentials:
    shop_id = values.get("shop_id")
    return ShopCredentials(
        app_key=str(values["app_key"]),
        app_secret=SecretStr(str(values["app_secret"])),
        access_token=SecretStr(str(values.get("access_token") or "")),
        shop_id=None if shop_id in (None, "") else str(shop_id),
    )
