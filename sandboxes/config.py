"""What the sandboxes serve: the shops and their test credentials, ports, field limits, review rules
and faults, read from a TOML file (`sandboxes.toml` beside this module is the default). A channel's
default port and limits are its declaration's (`ocop/channels.py`); the file may change them.

```toml
[shopee]                      # one table per channel; every key is optional
port = 8781
push_url = "http://127.0.0.1:8790/push/shopee"   # optional: where pushes go (`ocop webhooks serve`)
categories = []               # accepted category ids; empty accepts any positive integer
[shopee.limits]               # title_min, title_max, description_min, description_max, images_min,
title_max = 120               # images_max, price_min, price_max, seller_sku_max, seller_sku_pattern
[shopee.review]
delay_seconds = 0             # 0: decided on the next read after the create
banned_words = ["hàng giả"]
gtin_required_categories = ["100640"]
review_on_update = false      # true: a content edit of a live item goes back to review
[shopee.faults]
seed = 7
rate_limit_per_second = 20    # per shop; absent or 0: no limit
error_rate = 0.0              # random 5xx
latency_ms = 0
latency_jitter_ms = 0
timeout_rate = 0.0            # held past the client's patience, not applied
timeout_seconds = 30
drop_rate = 0.0               # write applied, connection cut before the answer
[shopee.tokens]               # what the authorisation endpoints issue lasts, in seconds
access_seconds = 14400        # code_seconds, access_seconds, refresh_seconds,
refresh_seconds = 2592000     # authorisation_seconds (Shopee: the grant itself)

[registry]
port = 8780

[[shops]]
key = "shopee-dong-thap"
channel = "shopee"
app_key = "2001001"           # Shopee partner_id / Lazada app_key / TikTok app_key / Tiki client_id / Sendo shop_key
app_secret = "..."            # Shopee partner key / app secret / Tiki client_secret / Sendo secret_key
access_token = "..."           # none for Tiki and Sendo: their connectors sign in with the app key and secret
shop_id = "3001001"           # Shopee shop_id, TikTok shop_cipher; unused by Lazada and Tiki
```

Shops of one app (same channel and app_key) share the app secret, as on the real platforms.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from connectors.types import ShopConfig, ShopCredentials
from ocop.channels import Channel, ChannelKind, Limits, declaration

DEFAULT_CONFIG_FILE = Path(__file__).with_name("sandboxes.toml")
DEFAULT_REGISTRY_PORT = 8780


class SandboxConfigError(ValueError):
    pass


@dataclass(frozen=True)
class SandboxShop:
    """One seller account inside a sandbox. Secrets stay out of the repr."""

    key: str
    channel: Channel
    app_key: str
    app_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    shop_id: str | None = None
    name: str = ""
    province: str | None = None

    def to_shop_config(self, base_url: str, auth_base_url: str | None = None,
                       image_host_url: str | None = None) -> ShopConfig:
        credentials = ShopCredentials(
            app_key=self.app_key,
            app_secret=SecretStr(self.app_secret),
            access_token=SecretStr(self.access_token),
            shop_id=self.shop_id,
        )
        return ShopConfig(
            key=self.key, channel=self.channel, base_url=base_url, credentials=credentials,
            name=self.name or self.key, province=self.province, auth_base_url=auth_base_url,
            image_host_url=image_host_url,
        )


@dataclass(frozen=True)
class FaultConfig:
    """Faults one sandbox injects. Random draws come from `seed`, one fixed set per request."""

    seed: int = 0
    rate_limit_per_second: float | None = None
    error_rate: float = 0.0
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 30.0
    drop_rate: float = 0.0

    @classmethod
    def outage(cls) -> FaultConfig:
        """Every request answers a 5xx, as when the platform is down."""
        return cls(error_rate=1.0)


@dataclass(frozen=True)
class ReviewRules:
    delay_seconds: float = 0.0
    banned_words: tuple[str, ...] = ()
    gtin_required_categories: tuple[str, ...] = ()
    review_on_update: bool = False


@dataclass(frozen=True)
class TokenLifetimes:
    """How long what the authorisation endpoints issue stays good, in seconds (tests use a few)."""

    code_seconds: float
    access_seconds: float
    refresh_seconds: float
    authorisation_seconds: float | None = None    # Shopee: the seller's grant itself ends


DAY = 86_400.0
DEFAULT_LIFETIMES = {
    Channel.SHOPEE: TokenLifetimes(600, 4 * 3600, 30 * DAY, 365 * DAY),
    Channel.LAZADA: TokenLifetimes(1800, 30 * DAY, 180 * DAY),
    Channel.TIKTOK: TokenLifetimes(1800, 7 * DAY, 365 * DAY),
    Channel.TIKI: TokenLifetimes(600, 3600, 30 * DAY),
    # Sendo's login token lasts 8 hours; there is no code and no refresh token to time.
    Channel.SENDO: TokenLifetimes(600, 8 * 3600, 8 * 3600),
}


@dataclass(frozen=True)
class ChannelSettings:
    channel: Channel
    port: int
    limits: Limits
    review: ReviewRules = ReviewRules()
    faults: FaultConfig = FaultConfig()
    categories: tuple[str, ...] = ()
    tokens: TokenLifetimes = DEFAULT_LIFETIMES[Channel.SHOPEE]
    push_url: str | None = None     # where the sandbox sends its pushes (sandboxes/pushes.py); None: none sent


@dataclass(frozen=True)
class SandboxConfig:
    shops: tuple[SandboxShop, ...]
    channels: dict[Channel, ChannelSettings]
    registry_port: int = DEFAULT_REGISTRY_PORT

    def shops_of(self, channel: Channel) -> tuple[SandboxShop, ...]:
        return tuple(shop for shop in self.shops if shop.channel == channel)

    def shop(self, key: str) -> SandboxShop:
        for shop in self.shops:
            if shop.key == key:
                return shop
        raise KeyError(f"no sandbox shop {key!r}; known: {', '.join(s.key for s in self.shops)}")

    def with_channel(self, channel: Channel, **changes: Any) -> SandboxConfig:
        """A copy with one channel's settings changed, e.g. `with_channel(SHOPEE, review=...)`."""
        channels = dict(self.channels)
        channels[channel] = replace(channels[channel], **changes)
        return replace(self, channels=channels)


def default_config() -> SandboxConfig:
    return load_config(DEFAULT_CONFIG_FILE)


def load_config(path: Path) -> SandboxConfig:
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SandboxConfigError(f"{path}: cannot read the sandbox config: {error}") from error
    return parse_config(document, source=str(path))


def parse_config(document: dict[str, Any], *, source: str = "config") -> SandboxConfig:
    shops = tuple(_shop(entry, number, source) for number, entry in enumerate(document.get("shops", []), 1))
    _check_shops(shops, source)
    channels = {channel: _channel(channel, document.get(channel.value, {}), source) for channel in Channel
                if declaration(channel).kind is ChannelKind.API}
    registry_port = int(document.get("registry", {}).get("port", DEFAULT_REGISTRY_PORT))
    return SandboxConfig(shops=shops, channels=channels, registry_port=registry_port)


def _shop(entry: dict[str, Any], number: int, source: str) -> SandboxShop:
    missing = [name for name in ("key", "channel", "app_key", "app_secret") if not entry.get(name)]
    if missing:
        raise SandboxConfigError(f"{source}: shop #{number}: missing {', '.join(missing)}")
    try:
        channel = Channel(entry["channel"])
    except ValueError:
        expected = ", ".join(c.value for c in Channel)
        raise SandboxConfigError(f"{source}: shop {entry['key']}: channel {entry['channel']!r}, expected one of {expected}") from None
    if not entry.get("access_token") and not declaration(channel).signs_in_with_app_keys:
        raise SandboxConfigError(f"{source}: shop {entry['key']}: missing access_token")
    if channel in (Channel.SHOPEE, Channel.TIKTOK) and not entry.get("shop_id"):
        raise SandboxConfigError(f"{source}: shop {entry['key']}: missing shop_id (Shopee shop_id / TikTok shop_cipher)")
    if channel == Channel.SHOPEE and not (str(entry["app_key"]).isdigit() and str(entry["shop_id"]).isdigit()):
        raise SandboxConfigError(f"{source}: shop {entry['key']}: Shopee partner_id and shop_id must be integers")
    return SandboxShop(
        key=entry["key"], channel=channel, app_key=str(entry["app_key"]), app_secret=str(entry["app_secret"]),
        access_token=str(entry.get("access_token") or ""), shop_id=str(entry["shop_id"]) if entry.get("shop_id") else None,
        name=entry.get("name", ""), province=entry.get("province"),
    )


def _check_shops(shops: tuple[SandboxShop, ...], source: str) -> None:
    seen_keys: set[str] = set()
    secrets: dict[tuple[Channel, str], str] = {}
    tokens: set[tuple[Channel, str]] = set()
    for shop in shops:
        if shop.key in seen_keys:
            raise SandboxConfigError(f"{source}: shop key {shop.key!r} declared twice")
        seen_keys.add(shop.key)
        app = (shop.channel, shop.app_key)
        if secrets.setdefault(app, shop.app_secret) != shop.app_secret:
            raise SandboxConfigError(f"{source}: shop {shop.key}: app {shop.app_key} is declared with two different secrets")
        if shop.access_token and (shop.channel, shop.access_token) in tokens:
            raise SandboxConfigError(f"{source}: shop {shop.key}: access_token already used by another {shop.channel} shop")
        tokens.add((shop.channel, shop.access_token))


def _channel(channel: Channel, table: dict[str, Any], source: str) -> ChannelSettings:
    declared = declaration(channel)
    limits = _dataclass_from(Limits, table.get("limits", {}), declared.limits, f"{source}: [{channel}.limits]")
    review = _dataclass_from(ReviewRules, table.get("review", {}), ReviewRules(), f"{source}: [{channel}.review]")
    faults = _dataclass_from(FaultConfig, table.get("faults", {}), FaultConfig(), f"{source}: [{channel}.faults]")
    tokens = _dataclass_from(TokenLifetimes, table.get("tokens", {}), DEFAULT_LIFETIMES[channel],
                             f"{source}: [{channel}.tokens]")
    if not faults.rate_limit_per_second:
        faults = replace(faults, rate_limit_per_second=None)
    return ChannelSettings(
        channel=channel, port=int(table.get("port", declared.sandbox_port)), limits=limits, review=review,
        faults=faults, categories=tuple(str(c) for c in table.get("categories", ())), tokens=tokens,
        push_url=table.get("push_url"),
    )


def _dataclass_from(cls: type, table: dict[str, Any], default: Any, where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise SandboxConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; expected {', '.join(known)}")
    values = {name: tuple(str(v) for v in value) if isinstance(value, list) else value for name, value in table.items()}
    return replace(default, **values)
