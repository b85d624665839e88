"""A platform's word about a shop's authorisation, kept in the token store: the date it ends (a
refresh does not move it, a new connection clears it) and a withdrawn authorisation, shown by
`ocop shop list` for connected shops and shops on a static token alike."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from pydantic import SecretStr

from cli.shops import shop_lines
from connectors.errors import ReauthorisationNeeded
from connectors.tokens import NEEDS_REAUTHORISATION, RefreshingTokens, TokenSet
from ocop.channels import Channel
from shops.token_store import (
    DatabaseTokenStore,
    mark_deauthorised,
    new_token_key,
    shop_token_states,
    warn_authorisation_ends,
)

ENDS = dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC).timestamp()


@pytest.fixture(autouse=True)
def token_key(monkeypatch):
    monkeypatch.setenv("OCOP_TOKEN_KEY", new_token_key())


def tokens(access: str, *, refresh: str = "refresh-1", expires_in: float = 3600.0) -> TokenSet:
    now = time.time()
    return TokenSet(access_token=SecretStr(access), access_expires_at=now + expires_in,
                    refresh_token=SecretStr(refresh), refresh_expires_at=now + 86400, issued_at=now - 3600,
                    shop_id="3001001")


def test_an_expiry_warning_survives_a_refresh_and_a_new_connection_clears_it(engine):
    store = DatabaseTokenStore(engine, "shopee-dong-thap", Channel.SHOPEE)
    store.save_connected(tokens("old", expires_in=1.0), time.time())
    warn_authorisation_ends(engine, "shopee-dong-thap", Channel.SHOPEE, ENDS, "Shopee push 12")

    refreshed = RefreshingTokens(store).current(lambda held: tokens("new", refresh="refresh-2"))

    assert refreshed.access_token.get_secret_value() == "new"
    state = shop_token_states(engine)["shopee-dong-thap"]
    assert (state.authorisation_ends_at, state.authorisation_warned_by) == (ENDS, "Shopee push 12")
    assert state.refresh_count == 1
    store.save_connected(tokens("after re-authorisation"), time.time())
    assert shop_token_states(engine)["shopee-dong-thap"].authorisation_ends_at is None


def test_shop_list_shows_the_date_the_authorisation_ends_for_connected_and_static_shops(engine):
    DatabaseTokenStore(engine, "shopee-dong-thap", Channel.SHOPEE).save_connected(tokens("shopee-access-secret"), time.time())
    warn_authorisation_ends(engine, "shopee-dong-thap", Channel.SHOPEE, ENDS, "Shopee push 12")
    warn_authorisation_ends(engine, "lazada-dong-thap", Channel.LAZADA, ENDS, "Lazada push 8")
    declared = [("shopee-dong-thap", "shopee", True), ("lazada-dong-thap", "lazada", False)]

    lines = shop_lines(declared, shop_token_states(engine), now=ENDS - 2 * 86400)

    text = "\n".join(lines)
    assert "authorisation ends on 2026-12-07 00:00 UTC (Shopee push 12)" in text
    assert "authorisation ends on 2026-12-07 00:00 UTC (Lazada push 8)" in text
    static_line = next(line for line in lines if line.startswith("lazada-dong-thap"))
    assert "static token" in static_line
    assert "shopee-access-secret" not in text


def test_a_withdrawn_authorisation_stops_the_shop_at_its_next_token_read(engine):
    store = DatabaseTokenStore(engine, "tiktok-dong-thap", Channel.TIKTOK)
    store.save_connected(tokens("tiktok-access"), time.time())

    mark_deauthorised(engine, "tiktok-dong-thap", Channel.TIKTOK, "the seller withdrew the authorisation")

    assert shop_token_states(engine)["tiktok-dong-thap"].status == NEEDS_REAUTHORISATION
    with pytest.raises(ReauthorisationNeeded):
        RefreshingTokens(store).current(lambda held: held)
    lines = shop_lines([("tiktok-dong-thap", "tiktok", True)], shop_token_states(engine), now=time.time())
    assert "needs reauthorisation" in lines[1] and "withdrew" in lines[2]
