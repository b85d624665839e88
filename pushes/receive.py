"""A push received: verified, read, its shop found, its news noted, and someone told where they must act.

The receiver knows the shops of the shops file. A push is verified against the secret of each app
(channel and app key) those shops use; a signature no app's secret makes is refused (`Forged`) and
nothing is noted. Its shop is the one whose platform id it names (Shopee shop_id, Lazada seller_id,
TikTok shop id: from the shop's credentials or its connection in the token store), else, when the
app serves one shop, that shop. A listing's status goes to the ledger (`ledger.notice_status`), the
end of an authorisation to the token store; a push naming a change but not its outcome (TikTok
PRODUCT_STATUS_CHANGED) is completed by reading the item (`complete`), after the platform has had
its answer.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType

from sqlalchemy import Engine

import ledger
from connectors.types import Connector, ShopConfig
from ocop.channels import Channel
from ocop.store import transaction
from pushes import events, lazada, shopee, tiktok
from pushes.messages import AuthorisationPush, ListingStatusPush, Push
from shops.token_store import (
    emit_reauthorise_event,
    mark_deauthorised,
    shop_token_states,
    warn_authorisation_ends,
)

log = logging.getLogger("pushes.receive")

PLATFORMS: dict[Channel, ModuleType] = {Channel.SHOPEE: shopee, Channel.LAZADA: lazada, Channel.TIKTOK: tiktok}


class Forged(Exception):
    """No app's secret makes the push's signature: it is not from the platform."""


class Unreadable(ValueError):
    """A verified push whose body is not the JSON the platform sends."""


@dataclass(frozen=True)
class Noted:
    """What one push changed, for the log and the tests."""

    shop_key: str
    what: str                  # "listing <remote id>: <status>" or "authorisation ends <date>" / "ended"
    changed: bool


class PushReceiver:
    def __init__(self, engine: Engine, shops: Sequence[ShopConfig], *,
                 connector_for: Callable[[ShopConfig], Connector] | None = None) -> None:
        self.engine = engine
        self.shops = list(shops)
        self._connector_for = connector_for

    def verify(self, channel: Channel, url: str, signature: str, body: bytes) -> list[ShopConfig]:
        """The shops of the app whose secret signed `body`; `Forged` when none did."""
        sign = PLATFORMS[channel].signature
        given = signature.strip().lower()
        for app_key, shops in self._apps(channel).items():
            secret = shops[0].credentials.app_secret.get_secret_value()
            if given and hmac.compare_digest(sign(secret, app_key, url, body), given):
                return shops
        raise Forged(f"a {channel.value} push whose signature no app's secret makes")

    def receive(self, channel: Channel, url: str, signature: str, body: bytes) -> tuple[list[Noted], list[Callable]]:
        """Note what a verified push says. Returns what was noted, and what is left to do after the
        answer (read the items a push names without their outcome)."""
        app_shops = self.verify(channel, url, signature, body)
        try:
            messages = PLATFORMS[channel].read(json.loads(body))
        except (ValueError, KeyError, TypeError) as error:
            raise Unreadable(f"a {channel.value} push that cannot be read: {type(error).__name__} {error}") from None
        noted: list[Noted] = []
        later: list[Callable] = []
        for message in messages:
            shops = self._shops_named(app_shops, _named_ids(message))
            if not shops:
                log.warning("%s push %s names no shop of ours (%s)", channel.value, message.message_id,
                            ", ".join(_named_ids(message)) or "no id")
            elif isinstance(message, AuthorisationPush):
                noted += [self._authorisation(shop, message) for shop in shops]
            elif message.status is None:
                later.append(lambda shops=shops, message=message: self.complete(shops, message))
            else:
                noted += self._listing(shops, message, message.status)
        return noted, later

    def complete(self, shops: Sequence[ShopConfig], message: ListingStatusPush) -> list[Noted]:
        """Read the item a push named without its outcome, and note the status it has now."""
        if self._connector_for is None:
            return []
        for shop in shops:
            with self._connector_for(shop) as connector:
                seen = connector.get(message.remote_id)
            read = ListingStatusPush(message.platform_shop_id, message.remote_id, seen.status, seen.platform_status,
                                     seen.reject_reason or message.reason, message.at, message.message_id)
            found = self._listing([shop], read, seen.status)
            if found:
                return found
        return []

    def _listing(self, shops: Sequence[ShopConfig], message: ListingStatusPush, status) -> list[Noted]:
        for shop in shops:
            notice = ledger.StatusNotice(shop.key, message.remote_id, status.value, message.platform_status,
                                         message.reason, message.at, message_id=message.message_id)
            with transaction(self.engine) as session:
                noticed = ledger.notice_status(session, notice)
            if noticed is None:
                continue
            if noticed.changed:
                events.listing_needs_action(noticed.binding, status, message.reason, "push")
            return [Noted(shop.key, f"listing {message.remote_id}: {status.value}", noticed.changed)]
        log.info("push %s: no binding holds item %s", message.message_id, message.remote_id)
        return []

    def _authorisation(self, shop: ShopConfig, message: AuthorisationPush) -> Noted:
        if message.ended:
            reason = f"the seller withdrew the app's authorisation ({message.warned_by})"
            mark_deauthorised(self.engine, shop.key, shop.channel, reason)
            emit_reauthorise_event(shop.key, reason)
            return Noted(shop.key, "authorisation ended", True)
        warn_authorisation_ends(self.engine, shop.key, shop.channel, message.ends_at.timestamp(), message.warned_by)
        events.authorisation_expiring(shop.key, message.ends_at, message.warned_by)
        return Noted(shop.key, f"authorisation ends {message.ends_at:%Y-%m-%d %H:%M} UTC", True)

    def _apps(self, channel: Channel) -> dict[str, list[ShopConfig]]:
        apps: dict[str, list[ShopConfig]] = {}
        for shop in self.shops:
            if shop.channel == channel:
                apps.setdefault(shop.credentials.app_key, []).append(shop)
        return apps

    def _shops_named(self, app_shops: list[ShopConfig], ids: tuple[str, ...]) -> list[ShopConfig]:
        if not ids:
            return app_shops
        connected = {key: state.shop_id for key, state in shop_token_states(self.engine).items()}
        named = [shop for shop in app_shops if {shop.credentials.shop_id, connected.get(shop.key)} & set(ids)]
        return named or (app_shops if len(app_shops) == 1 else [])


def _named_ids(message: Push) -> tuple[str, ...]:
    if isinstance(message, AuthorisationPush):
        return message.platform_shop_ids
    return (message.platform_shop_id,) if message.platform_shop_id else ()
