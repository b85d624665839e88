"""The token store in the database (SQLite and PostgreSQL): tokens encrypted at rest, every worker
on the current token, a rotating refresh token spent exactly once by two workers at once, a revoked
shop marked and announced, and `ocop shop` connecting shops without ever printing a token."""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import prefect.events
import pytest
import requests
import sqlalchemy as sa
from pydantic import SecretStr
from typer.testing import CliRunner

import ledger
from cli.main import app as ocop_app
from connectors.base import RetryPolicy
from connectors.by_channel import connector_for
from connectors.errors import ReauthorisationNeeded
from connectors.tokens import NEEDS_REAUTHORISATION, RefreshingTokens, TokenSet
from ocop.channels import Channel
from ocop.store import make_engine
from sandboxes.fleet import running_sandboxes
from shops.file import credentials_environment
from shops.token_store import (
    REAUTHORISE_EVENT,
    DatabaseTokenStore,
    emit_reauthorise_event,
    new_token_key,
)
from tests.connectors.authorise import REDIRECT, authorise
from tests.databases import migrated_database

TOKEN_KEY = new_token_key()
FAST_RETRY = RetryPolicy(attempts=3, backoff_base=0.01, backoff_cap=0.05)


@pytest.fixture(autouse=True)
def token_key(monkeypatch):
    monkeypatch.setenv("OCOP_TOKEN_KEY", TOKEN_KEY)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with running_sandboxes(tmp_path_factory.mktemp("sandboxes"), registry_rows=[]) as running:
        yield running


def tokens(access: str, *, expires_in: float = 3600.0, refresh: str = "refresh-1") -> TokenSet:
    now = time.time()
    return TokenSet(access_token=SecretStr(access), access_expires_at=now + expires_in,
                    refresh_token=SecretStr(refresh), refresh_expires_at=now + 86400, issued_at=now - 3600,
                    shop_id="3001001", seller="HTX")


def test_tokens_are_encrypted_at_rest(engine):
    store = DatabaseTokenStore(engine, "shopee-dong-thap", Channel.SHOPEE)
    store.save_connected(tokens("access-plain-123", refresh="refresh-plain-456"), time.time())

    with engine.connect() as connection:
        row = connection.execute(sa.text("SELECT * FROM shop_tokens")).mappings().one()
    assert "access-plain-123" not in str(dict(row)) and "refresh-plain-456" not in str(dict(row))
    assert store.read().tokens.access_token.get_secret_value() == "access-plain-123"


def test_a_worker_that_finds_the_token_refreshed_by_another_uses_it_without_refreshing(engine):
    DatabaseTokenStore(engine, "shopee-dong-thap", Channel.SHOPEE).save_connected(tokens("old"), time.time())
    first = RefreshingTokens(DatabaseTokenStore(engine, "shopee-dong-thap", Channel.SHOPEE))
    second = RefreshingTokens(DatabaseTokenStore(engine, "shopee-dong-thap", Channel.SHOPEE))
    calls = []

    def refresh(held: TokenSet) -> TokenSet:
        calls.append(held.refresh_token.get_secret_value())
        return tokens(f"new-{len(calls)}", refresh=f"refresh-{len(calls) + 1}")

    assert second.current(refresh).access_token.get_secret_value() == "old"
    assert first.refreshed(SecretStr("old"), refresh).access_token.get_secret_value() == "new-1"
    # the second worker's call with "old" is refused: it asks for the token after "old", and finds it
    assert second.refreshed(SecretStr("old"), refresh).access_token.get_secret_value() == "new-1"
    assert calls == ["refresh-1"]


def connected_shopee(fleet, engine):
    """A Shopee sandbox shop connected into the database; its access token already due for refresh."""
    shop = fleet.shop("shopee-dong-thap")
    shop = replace(shop, credentials=replace(shop.credentials, access_token=SecretStr("")), requests_per_second=1000.0)
    with connector_for(shop, retry=FAST_RETRY) as connector:
        back = authorise(connector)
        issued = connector.exchange_code(back["code"], back["shop_id"])
    store = DatabaseTokenStore(engine, shop.key, shop.channel)
    store.save_connected(replace(issued, access_expires_at=time.time() + 1, issued_at=time.time() - 3600), time.time())
    fleet.admin(Channel.SHOPEE).expire_access_tokens(shop.key)
    return shop, issued


def worker(shop, database_url, refreshes: list, reauthorised: list):
    """One worker process's view of the shop: its own engine, store and connector, paced by the
    shop's rate limit shared through the same database (as publishing paces it)."""
    engine = make_engine(database_url)
    store = DatabaseTokenStore(engine, shop.key, shop.channel)
    source = RefreshingTokens(store, on_reauthorise=lambda key, reason: reauthorised.append(key))
    connector = connector_for(replace(shop, tokens=source), retry=FAST_RETRY,
                              rate_limiter=ledger.shared_rate_limiter(engine, shop))
    platform_refresh = connector.refresh_tokens

    def slow_refresh(held):
        refreshes.append(held.refresh_token.get_secret_value())
        time.sleep(0.3)                 # long enough for the other worker to reach the row lock
        return platform_refresh(held)

    connector.refresh_tokens = slow_refresh
    return connector


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_two_workers_refreshing_a_rotating_token_at_once_refresh_it_exactly_once(fleet, request, tmp_path, backend):
    """On SQLite too, where the refresh's own call takes its rate-limit slot in the database the
    token is held in (a write lock held across the call once made that wait 30 s and fail)."""
    database_url = migrated_database(request, tmp_path, backend)
    engine = make_engine(database_url)
    shop, issued = connected_shopee(fleet, engine)
    refreshes: list = []
    reauthorised: list = []
    workers = [worker(shop, database_url, refreshes, reauthorised) for _ in range(2)]
    start = threading.Barrier(2)
    results: dict[int, object] = {}

    def run(number: int) -> None:
        start.wait()
        try:
            results[number] = workers[number].find_by_seller_sku("NOBODY-HAS-THIS")
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            results[number] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    stored = DatabaseTokenStore(engine, shop.key, shop.channel).read()
    assert results == {0: None, 1: None}
    assert refreshes == [issued.refresh_token.get_secret_value()]        # one refresh, of the one token
    assert stored.tokens.refresh_token.get_secret_value() != issued.refresh_token.get_secret_value()
    assert reauthorised == [] and stored.status == "connected"
    for each in workers:
        each.close()
    engine.dispose()


def test_a_revoked_shop_is_marked_announced_and_stays_stopped(fleet, engine, monkeypatch):
    emitted = []
    monkeypatch.setattr(prefect.events, "emit_event", lambda **event: emitted.append(event))
    shop, _ = connected_shopee(fleet, engine)
    fleet.admin(Channel.SHOPEE).revoke(shop.key)
    source = RefreshingTokens(DatabaseTokenStore(engine, shop.key, shop.channel), on_reauthorise=emit_reauthorise_event)
    connector = connector_for(replace(shop, tokens=source), retry=FAST_RETRY)

    with pytest.raises(ReauthorisationNeeded) as stopped:
        connector.find_by_seller_sku("NOBODY-HAS-THIS")
    with pytest.raises(ReauthorisationNeeded):
        connector.find_by_seller_sku("NOBODY-HAS-THIS")

    record = DatabaseTokenStore(engine, shop.key, shop.channel).read()
    assert record.status == NEEDS_REAUTHORISATION and "refresh_token" in record.reason
    assert [event["event"] for event in emitted] == [REAUTHORISE_EVENT]
    assert emitted[0]["resource"]["prefect.resource.id"] == f"ocop.shop.{shop.key}"
    assert "refresh_token" in str(stopped.value)
    connector.close()


# -- ocop shop -----------------------------------------------------------------------------------

@pytest.fixture
def shop_environment(fleet, tmp_path, monkeypatch):
    """A shops file declaring every sandbox shop with its tokens in the database, and their app keys."""
    lines = []
    for shop in fleet.shops:
        if shop.key.endswith("-dong-thap"):
            lines += ["[[shops]]", f'key = "{shop.key}"', f'channel = "{shop.channel.value}"',
                      f'base_url = "{shop.base_url}"', f'auth_base_url = "{shop.auth_base_url}"',
                      'tokens = "database"', ""]
    shops_file = tmp_path / "shops.toml"
    shops_file.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setenv("OCOP_SHOPS_FILE", str(shops_file))
    monkeypatch.setenv("OCOP_DATABASE_URL", f"sqlite:///{tmp_path / 'ocop.db'}")
    for name, value in credentials_environment(fleet.shops).items():
        if not name.endswith("_ACCESS_TOKEN"):
            monkeypatch.setenv(name, value)
    return fleet


def secrets_of(fleet, database_url: str, shop_key: str) -> list[str]:
    record = DatabaseTokenStore(make_engine(database_url), shop_key, fleet.shop(shop_key).channel).read()
    shop = fleet.shop(shop_key)
    return [record.tokens.access_token.get_secret_value(), record.tokens.refresh_token.get_secret_value(),
            shop.credentials.app_secret.get_secret_value()]


@pytest.mark.parametrize("key", ["shopee-dong-thap", "lazada-dong-thap", "tiktok-dong-thap"])
def test_authorize_connect_and_list_never_print_a_token(shop_environment, key, monkeypatch):
    runner = CliRunner()
    printed = runner.invoke(ocop_app, ["shop", "authorize", key, "--redirect-uri", REDIRECT])
    url = re.search(r"(http://\S+)", printed.output).group(1)
    back = {k: v[0] for k, v in parse_qs(urlsplit(requests.get(url, allow_redirects=False, timeout=10)
                                                    .headers["Location"]).query).items()}
    arguments = ["shop", "connect", key, "--code", back["code"]] + (["--shop-id", back["shop_id"]] if "shop_id" in back else [])

    connected = runner.invoke(ocop_app, arguments)
    listed = runner.invoke(ocop_app, ["shop", "list"])

    assert printed.exit_code == connected.exit_code == listed.exit_code == 0, connected.output + listed.output
    assert f"{key}: connected" in connected.output
    row = next(line for line in listed.output.splitlines() if line.startswith(key))
    assert "connected" in row and "not connected" not in row
    for secret in secrets_of(shop_environment, os.environ["OCOP_DATABASE_URL"], key):
        assert secret not in printed.output + connected.output + listed.output


def test_authorize_listens_on_the_loopback_redirect_and_connects(shop_environment, monkeypatch):
    """The seller's browser, played by `requests`: the authorisation page redirects to the loopback
    listener, which takes the code and connects the shop."""
    import cli.shops

    monkeypatch.setattr(cli.shops.secrets, "token_urlsafe", lambda size: "the-state")
    outcome = {}
    waiting = threading.Thread(target=lambda: outcome.update(result=CliRunner().invoke(
        ocop_app, ["shop", "authorize", "tiktok-dong-thap", "--listen", "--port", "18791", "--timeout", "20"])))
    waiting.start()
    with connector_for(shop_environment.shop("tiktok-dong-thap")) as tiktok:
        foreign = tiktok.authorization_url("http://127.0.0.1:18791/callback", "not-the-state")
        ours = tiktok.authorization_url("http://127.0.0.1:18791/callback", "the-state")
    for _ in range(100):                 # until the listener is up
        try:
            refused = requests.get(foreign, timeout=5)
            break
        except requests.ConnectionError:
            time.sleep(0.05)
    answered = requests.get(ours, timeout=10)
    waiting.join(30)

    assert refused.status_code == 400 and answered.status_code == 200
    assert outcome["result"].exit_code == 0, outcome["result"].output
    assert "tiktok-dong-thap: connected" in outcome["result"].output
