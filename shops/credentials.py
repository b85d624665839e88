"""Where a shop's keys come from: a Prefect Secret block or environment variables.

Environment variables, per shop (the key upper-cased, anything but letters and digits as `_`):
`OCOP_SHOP_<KEY>_APP_KEY`, `..._APP_SECRET`, `..._ACCESS_TOKEN`, `..._SHOP_ID` (optional), e.g.
`OCOP_SHOP_SHOPEE_DONG_THAP_APP_SECRET`. A Secret block holds the same four as a JSON object
`{"app_key", "app_secret", "access_token", "shop_id"}`, by default named `ocop-shop-<key>`.
A shop connected with `ocop shop connect` (its tokens in the database, see `shops.token_store`)
needs no access token here: `with_access_token=False`.
Errors name the variables or the block that are missing, never a value.
"""

from __future__ import annotations

import os
import re
from typing import Any, Mapping

from pydantic import SecretStr

from connectors.types import ShopCredentials

REQUIRED = ("app_key", "app_secret", "access_token")
APP_KEYS = ("app_key", "app_secret")


class CredentialsMissing(LookupError):
    pass


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


def credentials_from_secret_block(block_name: str, *, required: tuple[str, ...] = REQUIRED) -> ShopCredentials:
    from prefect.blocks.system import Secret

    try:
        value = Secret.load(block_name).get()
    except ValueError:
        raise CredentialsMissing(f"no Prefect Secret block named {block_name!r}") from None
    if not isinstance(value, dict):
        raise CredentialsMissing(f"Secret block {block_name!r} must hold a JSON object with {', '.join(required)}")
    missing = [name for name in required if not value.get(name)]
    if missing:
        raise CredentialsMissing(f"Secret block {block_name!r} lacks {', '.join(missing)}")
    return _credentials(value)


def save_secret_block(block_name: str, credentials: ShopCredentials, *, overwrite: bool = True) -> None:
    """Store a shop's keys as a Secret block (what an operator does once per shop)."""
    from prefect.blocks.system import Secret

    value = {
        "app_key": credentials.app_key,
        "app_secret": credentials.app_secret.get_secret_value(),
        "access_token": credentials.access_token.get_secret_value(),
        "shop_id": credentials.shop_id,
    }
    Secret(value=value).save(block_name, overwrite=overwrite)


def load_credentials(shop_key: str, *, secret_block: str | None = None,
                     environ: Mapping[str, str] | None = None, with_access_token: bool = True) -> ShopCredentials:
    """A named block wins; otherwise the environment, then the block `ocop-shop-<key>`."""
    required = REQUIRED if with_access_token else APP_KEYS
    if secret_block is not None:
        return credentials_from_secret_block(secret_block, required=required)
    try:
        return credentials_from_env(shop_key, environ, required=required)
    except CredentialsMissing as env_missing:
        try:
            return credentials_from_secret_block(secret_block_name(shop_key), required=required)
        except CredentialsMissing as block_missing:
            raise CredentialsMissing(f"{env_missing}; and {block_missing}") from None


def _credentials(values: Mapping[str, Any]) -> ShopCredentials:
    shop_id = values.get("shop_id")
    return ShopCredentials(
        app_key=str(values["app_key"]),
        app_secret=SecretStr(str(values["app_secret"])),
        access_token=SecretStr(str(values.get("access_token") or "")),
        shop_id=None if shop_id in (None, "") else str(shop_id),
    )
