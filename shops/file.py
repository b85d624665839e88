"""The shops to publish to, declared in a TOML file (`OCOP_SHOPS_FILE`).

```toml
[[shops]]
key = "shopee-dong-thap"            # our name for the shop, used in the ledger and reports
channel = "shopee"                  # shopee | lazada | tiktok
name = "OCOP Đồng Tháp"
province = "Đồng Tháp"
base_url = "https://partner.shopeemobile.com"
requests_per_second = 10            # optional; what the shop receives in all, from every worker
connect_timeout_s = 3.05            # optional; seconds to open a connection to the platform
read_timeout_s = 30                 # optional; seconds to wait for each part of the answer
secret_block = "ocop-shop-shopee-dong-thap"  # optional; see below
tokens = "database"                 # optional: a shop connected with `ocop shop connect` (see below)
auth_base_url = "https://auth.lazada.com"   # optional: the platform's authorisation host
```

`requests_per_second`, `connect_timeout_s` and `read_timeout_s` are positive numbers (defaults 10,
3.05 and 30). The publish flow shares a shop's `requests_per_second` between all the processes
publishing to it through the database (`ledger.shop_rate_limit`); the timeouts are those of each
HTTP call (`requests`' connect and read timeouts).

The file never holds credentials. They come from the named Prefect Secret block, or else from the
environment variables `OCOP_SHOP_<KEY>_APP_KEY`, `_APP_SECRET`, `_ACCESS_TOKEN`, `_SHOP_ID`
(see `shops.credentials`). A shop with `tokens = "database"` takes only its app key and secret
from there: its access and refresh tokens are the ones `ocop shop connect` stored (encrypted) in the
database, refreshed by whichever worker needs them first (`shops.token_store`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from connectors.types import ShopConfig
from ocop.channels import Channel
from ocop.settings import load_settings
from shops.credentials import env_prefix, load_credentials
from shops.token_store import stored_tokens


class ShopsFileError(ValueError):
    pass


# Optional numbers of a shop: field -> (default, largest value accepted, unit).
_NUMBERS = {
    "requests_per_second": (ShopConfig.requests_per_second, 10_000.0, "requests per second"),
    "connect_timeout_s": (ShopConfig.connect_timeout_s, 600.0, "seconds"),
    "read_timeout_s": (ShopConfig.read_timeout_s, 3_600.0, "seconds"),
}


def load_shops(path: Path, *, only: str | None = None) -> list[ShopConfig]:
    """The shops of the file, credentials loaded (`only`: that one shop, the others not checked)."""
    shops = []
    for number, entry in enumerate(_entries(path), start=1):
        if only is not None and entry.get("key") != only:
            continue
        missing = [name for name in ("key", "channel", "base_url") if name not in entry]
        if missing:
            raise ShopsFileError(f"{path}: shop #{number}: missing {', '.join(missing)}")
        if any(shop.key == entry["key"] for shop in shops):
            raise ShopsFileError(f"{path}: shop #{number}: key {entry['key']!r} is declared twice; keys must be unique")
        try:
            channel = Channel(entry["channel"])
        except ValueError:
            expected = ", ".join(c.value for c in Channel)
            raise ShopsFileError(f"{path}: shop {entry['key']}: channel {entry['channel']!r}, expected one of {expected}") from None
        numbers = {name: _number(path, entry, name) for name in _NUMBERS}
        stored = _stored_tokens(path, entry)
        shops.append(
            ShopConfig(
                key=entry["key"],
                channel=channel,
                base_url=entry["base_url"],
                credentials=load_credentials(entry["key"], secret_block=entry.get("secret_block"),
                                             with_access_token=not stored),
                name=entry.get("name", entry["key"]),
                province=entry.get("province"),
                auth_base_url=entry.get("auth_base_url"),
                tokens=stored_tokens(load_settings().database_url, entry["key"], channel) if stored else None,
                **numbers,
            )
        )
    return shops


def declared_shops(path: Path) -> list[tuple[str, str, bool]]:
    """Each declared shop's key, channel and whether its tokens are in the database; no credentials read."""
    return [(str(entry.get("key")), str(entry.get("channel")), _stored_tokens(path, entry)) for entry in _entries(path)]


def _entries(path: Path) -> list[dict]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ShopsFileError(f"{path}: cannot read the shops file: {error}") from error
    return document.get("shops", [])


def _stored_tokens(path: Path, entry: dict) -> bool:
    tokens = entry.get("tokens", "static")
    if tokens not in ("static", "database"):
        raise ShopsFileError(f"{path}: shop {entry['key']}: tokens = {tokens!r}; expected \"database\" (connected "
                             "with `ocop shop connect`) or \"static\" (an access token in the credentials)")
    return tokens == "database"


def _number(path: Path, entry: dict, name: str) -> float:
    default, largest, unit = _NUMBERS[name]
    value = entry.get(name, default)
    # bool is an int in Python, but `true` is no number of seconds
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= largest:
        raise ShopsFileError(f"{path}: shop {entry['key']}: {name} = {value!r}; expected a number of {unit} "
                             f"greater than 0 and at most {largest:g} (default {default:g})")
    return float(value)


def write_shops_file(shops: list[ShopConfig], path: Path) -> Path:
    """Declare `shops` in a shops file (no credentials in it: see `credentials_environment`)."""
    lines = []
    for shop in shops:
        lines += [
            "[[shops]]",
            f"key = {_toml(shop.key)}",
            f"channel = {_toml(shop.channel.value)}",
            f"name = {_toml(shop.name or shop.key)}",
            *([f"province = {_toml(shop.province)}"] if shop.province else []),
            f"base_url = {_toml(shop.base_url)}",
            f"requests_per_second = {shop.requests_per_second}",
            f"connect_timeout_s = {shop.connect_timeout_s}",
            f"read_timeout_s = {shop.read_timeout_s}",
            *([f"auth_base_url = {_toml(shop.auth_base_url)}"] if shop.auth_base_url else []),
            *(['tokens = "database"'] if shop.tokens is not None else []),
            "",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def credentials_environment(shops: list[ShopConfig]) -> dict[str, str]:
    """The environment variables that hand each shop its credentials (for local sandboxes and workers)."""
    environment = {}
    for shop in shops:
        prefix = env_prefix(shop.key)
        creds = shop.credentials
        environment[prefix + "APP_KEY"] = creds.app_key
        environment[prefix + "APP_SECRET"] = creds.app_secret.get_secret_value()
        if creds.access_token.get_secret_value():
            environment[prefix + "ACCESS_TOKEN"] = creds.access_token.get_secret_value()
        if creds.shop_id:
            environment[prefix + "SHOP_ID"] = creds.shop_id
    return environment


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
