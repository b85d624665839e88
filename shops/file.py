"""The shops to publish to, declared in a TOML file (`OCOP_SHOPS_FILE`).

```toml
[[shops]]
key = "shopee-dong-thap"            # our name for the shop, used in the ledger and reports
channel = "shopee"                  # shopee | lazada | tiktok | tiki | postmart | voso
name = "OCOP Đồng Tháp"
province = "Đồng Tháp"
base_url = "https://partner.shopeemobile.com"
requests_per_second = 10            # optional; what the shop receives in all, from every worker
connect_timeout_s = 3.05            # optional; seconds to open a connection to the platform
read_timeout_s = 30                 # optional; seconds to wait for each part of the answer
secret_block = "ocop-shop-shopee-dong-thap"  # optional: the credentials block (see below)
tokens = "database"                 # optional: a shop connected with `ocop shop connect` (see below)
auth_base_url = "https://auth.lazada.com"   # optional: the platform's authorisation host
```

`requests_per_second`, `connect_timeout_s` and `read_timeout_s` are positive numbers (defaults 10,
3.05 and 30). The publish flow shares a shop's `requests_per_second` between all the processes
publishing to it through the database (`ledger.shop_rate_limit`); the timeouts are those of each
HTTP call (`requests`' connect and read timeouts).

Each table is validated by `ShopEntry`; a value that cannot be used stops the run naming the file,
the shop (its key, or its number in the file), the field, the value and what is expected. A field
the model does not know is refused without showing its value: the file never holds credentials.
They come from the Prefect block named by `secret_block`; without one, from the environment
variables `OCOP_SHOP_<KEY>_APP_KEY`, `_APP_SECRET`, `_ACCESS_TOKEN`, `_SHOP_ID`, or else the block
`ocop-shop-<key>` (an "OCOP shop credentials" block, or a Secret block holding JSON; see
`shops.credentials`). A shop with `tokens = "database"` takes only its app key and secret from
there: its access and refresh tokens are the ones `ocop shop connect` stored (encrypted) in the
database, refreshed by whichever worker needs them first (`shops.token_store`).

A shop of a channel without an API (postmart, voso: `ChannelKind.WORKBOOK`) takes only `key`,
`channel`, `name` and `province`: it has no address and no credentials (`publishing.workbook`).
So does a shop given `workbook = "shopee"` (a layout of `connectors/workbooks/`): published through
its seller centre's mass upload while its API app waits for approval.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from connectors.types import ShopConfig, ShopCredentials
from connectors.workbook import LAYOUTS_DIR
from ocop.channels import Channel, ChannelKind, declaration
from ocop.settings import load_settings
from shops.token_store import stored_tokens


class ShopsFileError(ValueError):
    pass


def _positive(default: float, largest: float, unit: str) -> Any:
    # strict: `true` and "3" are no number of seconds
    return Field(default, gt=0, le=largest, strict=True,
                 description=f"a number of {unit} greater than 0 and at most {largest:g} (default {default:g})")


class ShopEntry(BaseModel):
    """One `[[shops]]` table. A field's description says what its value must be: errors quote it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, strict=True,
                     description="a text naming the shop in the ledger and reports, unique in the file")
    channel: Channel = Field(description="one of " + ", ".join(channel.value for channel in Channel))
    workbook: str | None = Field(None, min_length=1, strict=True,
                                 description="the name of a mass-upload layout in connectors/workbooks/ (shopee, "
                                             "lazada, tiktok, ...): the shop is published through its seller "
                                             "centre's workbook until its API app is approved")
    base_url: str | None = Field(None, min_length=1, strict=True,
                                 description="the platform's API address, such as https://partner.shopeemobile.com "
                                             "(none for a channel without an API: postmart, voso)")
    name: str | None = Field(None, strict=True, description="a text: the shop's name (default: its key)")
    province: str | None = Field(None, strict=True, description='a province\'s name, such as "Đồng Tháp"')
    requests_per_second: float = _positive(ShopConfig.requests_per_second, 10_000.0, "requests per second")
    connect_timeout_s: float = _positive(ShopConfig.connect_timeout_s, 600.0, "seconds")
    read_timeout_s: float = _positive(ShopConfig.read_timeout_s, 3_600.0, "seconds")
    secret_block: str | None = Field(None, min_length=1, strict=True,
                                     description="the name of the shop's Prefect credentials block")
    tokens: Literal["static", "database"] = Field(
        "static", description='"database" (connected with `ocop shop connect`) or "static" (an access token in '
                              "the credentials)")
    auth_base_url: str | None = Field(None, min_length=1, strict=True,
                                      description="the platform's authorisation host, such as https://auth.lazada.com")
    service_id: str | None = Field(None, min_length=1, strict=True,
                                   description="TikTok Shop: the app's service id from Partner Center, for the "
                                               "authorisation link at services.tiktokshop.com")
    image_host_url: str | None = Field(None, min_length=1, strict=True,
                                       description="where pictures are published for a channel that takes them by "
                                                   "URL (Tiki): an address taking a multipart `file`")


def load_shops(path: Path, *, only: str | None = None) -> list[ShopConfig]:
    """The shops of the file, credentials loaded (`only`: that one shop, the others not checked)."""
    shops: list[ShopConfig] = []
    for number, table in enumerate(_tables(path), start=1):
        if only is not None and table.get("key") != only:
            continue
        entry = _entry(path, number, table)
        if any(shop.key == entry.key for shop in shops):
            raise ShopsFileError(f"{path}: shop #{number}: key {entry.key!r} is declared twice; keys must be unique")
        if entry.workbook is not None or declaration(entry.channel).kind is ChannelKind.WORKBOOK:
            shops.append(_workbook_shop(path, entry))
            continue
        if entry.base_url is None:
            raise ShopsFileError(f"{path}: shop {entry.key}: base_url is missing; expected "
                                 f"{ShopEntry.model_fields['base_url'].description}")
        shops.append(_shop(entry))
    return shops


def declared_shops(path: Path) -> list[tuple[str, str, bool]]:
    """Each declared shop's key, channel and whether its tokens are in the database; no credentials read."""
    entries = [_entry(path, number, table) for number, table in enumerate(_tables(path), start=1)]
    return [(entry.key, entry.channel.value, entry.tokens == "database") for entry in entries]


def platform_shop_ids(path: Path) -> dict[str, str | None]:
    """Each declared shop's id on its platform (Shopee shop_id, TikTok shop cipher), for links to its
    listings; None for a shop whose credentials cannot be read here (a link that needs it is left out)."""
    from shops.credentials import CredentialsMissing

    ids: dict[str, str | None] = {}
    for number, table in enumerate(_tables(path), start=1):     # the file read once, not once per shop
        entry = _entry(path, number, table)
        try:
            ids[entry.key] = _shop(entry).credentials.shop_id
        except CredentialsMissing:
            ids[entry.key] = None
    return ids


def _shop(entry: ShopEntry) -> ShopConfig:
    # imported here: the credentials module defines a Prefect block, and importing Prefect fixes its
    # settings (PREFECT_HOME...), which the `ocop` command sets after importing this module
    from shops.credentials import load_credentials

    in_database = entry.tokens == "database"
    # A connector that signs in with the app key and secret needs no access token in the credentials.
    needs_token = not (in_database or declaration(entry.channel).signs_in_with_app_keys)
    return ShopConfig(
        key=entry.key,
        channel=entry.channel,
        base_url=entry.base_url,
        credentials=load_credentials(entry.key, secret_block=entry.secret_block, with_access_token=needs_token),
        name=entry.key if entry.name is None else entry.name,
        province=entry.province,
        auth_base_url=entry.auth_base_url,
        service_id=entry.service_id,
        image_host_url=entry.image_host_url,
        tokens=stored_tokens(load_settings().database_url, entry.key, entry.channel) if in_database else None,
        requests_per_second=entry.requests_per_second,
        connect_timeout_s=entry.connect_timeout_s,
        read_timeout_s=entry.read_timeout_s,
    )


def _workbook_shop(path: Path, entry: ShopEntry) -> ShopConfig:
    """A shop reached through workbooks the operator uploads (its channel has no API, or its API app
    is not approved yet): no address and no credentials."""
    if entry.workbook is not None and not (LAYOUTS_DIR / f"{entry.workbook}.toml").is_file():
        known = ", ".join(sorted(layout.stem for layout in LAYOUTS_DIR.glob("*.toml")))
        raise ShopsFileError(f"{path}: shop {entry.key}: workbook = {entry.workbook!r}: no such layout in "
                             f"connectors/workbooks/; expected one of {known}")
    return ShopConfig(key=entry.key, channel=entry.channel, base_url="",
                      credentials=ShopCredentials("", SecretStr(""), SecretStr("")),
                      name=entry.key if entry.name is None else entry.name, province=entry.province,
                      workbook=entry.workbook)


def _tables(path: Path) -> list[dict]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ShopsFileError(f"{path}: cannot read the shops file: {error}") from error
    tables = document.get("shops", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise ShopsFileError(f"{path}: shops must be [[shops]] tables, one per shop")
    return tables


def _entry(path: Path, number: int, table: dict) -> ShopEntry:
    try:
        return ShopEntry.model_validate(table)
    except ValidationError as error:
        key = table.get("key")
        shop = key if isinstance(key, str) and key else f"#{number}"
        # from None: pydantic's own message quotes every value, an unknown field's too
        raise ShopsFileError("\n".join(f"{path}: shop {shop}: {_problem(problem)}"
                                       for problem in error.errors())) from None


def _problem(problem: Any) -> str:
    field = str(problem["loc"][0])
    if problem["type"] == "extra_forbidden":
        # no value shown: it may be a key or secret put here by mistake
        return (f"{field} is not a shop setting; expected one of {', '.join(ShopEntry.model_fields)} "
                "(credentials go in the shop's Prefect block or environment variables, never in this file)")
    expected = ShopEntry.model_fields[field].description
    if problem["type"] == "missing":
        return f"{field} is missing; expected {expected}"
    return f"{field} = {problem['input']!r}; expected {expected}"


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
            *([f"base_url = {_toml(shop.base_url)}"] if shop.base_url else []),   # none: a platform without an API
            f"requests_per_second = {shop.requests_per_second}",
            f"connect_timeout_s = {shop.connect_timeout_s}",
            f"read_timeout_s = {shop.read_timeout_s}",
            *([f"auth_base_url = {_toml(shop.auth_base_url)}"] if shop.auth_base_url else []),
            *([f"service_id = {_toml(shop.service_id)}"] if shop.service_id else []),
            *([f"image_host_url = {_toml(shop.image_host_url)}"] if shop.image_host_url else []),
            *(['tokens = "database"'] if shop.tokens is not None else []),
            "",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def credentials_environment(shops: list[ShopConfig]) -> dict[str, str]:
    """The environment variables that hand each shop its credentials (for local sandboxes and workers)."""
    from shops.credentials import env_prefix  # imported here: see `_shop`

    environment = {}
    for shop in shops:
        prefix = env_prefix(shop.key)
        creds = shop.credentials
        if not creds.app_key:
            continue                  # a platform without an API: nothing to hand over
        environment[prefix + "APP_KEY"] = creds.app_key
        environment[prefix + "APP_SECRET"] = creds.app_secret.get_secret_value()
        if creds.access_token.get_secret_value():
            environment[prefix + "ACCESS_TOKEN"] = creds.access_token.get_secret_value()
        if creds.shop_id:
            environment[prefix + "SHOP_ID"] = creds.shop_id
    return environment


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
