"""`ocop shop`: connect a real shop to the app, and see every shop's connection.

    ocop shop authorize KEY [--listen]     the platform's authorisation URL for the shop's seller
    ocop shop connect KEY --code CODE      exchange the code the redirect carried; store the tokens
    ocop shop list                         connection state and expiries of every declared shop
    ocop shop new-key                      a key for OCOP_TOKEN_KEY (tokens are encrypted with it)

The shop must be declared in OCOP_SHOPS_FILE with `tokens = "database"`, its app key and secret in
the environment or its Secret block (`shops.credentials`). Nothing here prints a token.
"""

from __future__ import annotations

import datetime as dt
import http.server
import secrets
import threading
import time
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qs, urlsplit

import typer

from connectors.errors import ConnectorError
from connectors.types import ShopConfig
from ocop.settings import load_settings
from shops.file import declared_shops, load_shops
from shops.token_store import (
    NOT_CONNECTED,
    ShopTokenState,
    connect,
    new_token_key,
    shop_token_states,
    token_engine,
)

app = typer.Typer(help="Connect shops to the app (authorise, connect) and list their connection state.",
                  no_args_is_help=True)

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8791


@app.command()
def authorize(
    key: str = typer.Argument(..., help="The shop's key in the shops file."),
    redirect_uri: Optional[str] = typer.Option(None, help="The redirect URL registered for the app "
                                               f"(default: http://{LOOPBACK}:<port>/callback)."),
    listen: bool = typer.Option(False, help="Wait on the loopback redirect for the code and connect at once."),
    port: int = typer.Option(DEFAULT_PORT, help="The loopback port to listen on."),
    timeout: float = typer.Option(600.0, help="Seconds to wait for the seller with --listen."),
) -> None:
    """Print the URL where the shop's seller authorises the app; with --listen, also connect."""
    from connectors.by_channel import connector_for

    shop = _shop(key)
    state = secrets.token_urlsafe(12)
    redirect = redirect_uri or f"http://{LOOPBACK}:{port}/callback"
    with connector_for(shop) as connector:
        typer.echo(f"Open this address as the seller of {key} and authorise the app:\n\n  "
                   f"{connector.authorization_url(redirect, state)}\n")
    if not listen:
        typer.echo(f"The platform then sends the browser to {redirect}?code=...; run\n"
                   f"  ocop shop connect {key} --code <code>" + ("  --shop-id <shop_id>" if shop.channel == "shopee" else ""))
        return
    typer.echo(f"Waiting on http://{LOOPBACK}:{port}/ for the redirect (up to {timeout:.0f} s)...")
    answer = wait_for_redirect(port, state, timeout)
    _connect(shop, answer["code"], answer.get("shop_id"))


@app.command(name="connect")
def connect_command(
    key: str = typer.Argument(..., help="The shop's key in the shops file."),
    code: str = typer.Option(..., help="The `code` the platform's redirect carried (single use, minutes)."),
    shop_id: Optional[str] = typer.Option(None, help="Shopee: the redirect's shop_id; TikTok: the shop cipher "
                                          "when the seller authorised several shops."),
) -> None:
    """Exchange the code for the shop's tokens and store them, encrypted, in the database."""
    _connect(_shop(key), code, shop_id)


@app.command(name="list")
def list_command() -> None:
    """Every declared shop: how it is connected, its state and when its tokens expire (never a token)."""
    settings = load_settings()
    states = shop_token_states(token_engine(settings.database_url))
    for line in shop_lines(declared_shops(_shops_file()), states, now=time.time()):
        typer.echo(line)


@app.command(name="new-key")
def new_key() -> None:
    """A fresh key for OCOP_TOKEN_KEY (or the Prefect Secret block `ocop-token-key`). Keep it safe:
    without it the stored tokens cannot be read, and every shop must be connected again."""
    typer.echo(new_token_key())


def shop_lines(declared, states, *, now: float) -> list[str]:
    lines = [f"{'shop':<24} {'channel':<7} {'state':<22} {'shop id':<20} {'access token until':<22} "
             f"{'refresh token until':<22} refreshes"]
    for key, channel, stored in declared:
        state = states.get(key)
        if not stored:
            status = "static token" if state is None or state.status == NOT_CONNECTED else state.status
            lines.append(f"{key:<24} {channel:<7} {status.replace('_', ' '):<22}")
        elif state is None or (state.status == NOT_CONNECTED and state.access_expires_at is None):
            lines.append(f"{key:<24} {channel:<7} {'not connected':<22} run: ocop shop authorize {key}")
        else:
            status = state.status.replace("_", " ")
            lines.append(f"{key:<24} {channel:<7} {status:<22} {state.shop_id or '-':<20} "
                         f"{_when(state.access_expires_at, now):<22} {_when(state.refresh_expires_at, now):<22} "
                         f"{state.refresh_count}")
        if state is not None:
            lines += [f"    {line}" for line in _warnings(state, now)]
    return lines


def _warnings(state: ShopTokenState, now: float) -> list[str]:
    """What the platform or a refresh said about the shop: why it stopped, when its authorisation ends."""
    lines = [state.reason] if state.reason else []
    if state.authorisation_ends_at is not None:
        ends = dt.datetime.fromtimestamp(state.authorisation_ends_at, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        ended = "ended" if state.authorisation_ends_at <= now else "ends"
        lines.append(f"authorisation {ended} on {ends} ({state.authorisation_warned_by or 'the platform'}): "
                     f"the seller must authorise the app again before then (ocop shop authorize {state.shop_key})")
    return lines


def wait_for_redirect(port: int, state: str, timeout: float) -> dict[str, str]:
    """Serve the loopback redirect once: the query of the first request that carries our state."""
    received: dict[str, str] = {}
    done = threading.Event()

    class Callback(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:    # noqa: N802 (the stdlib's name)
            query = {name: values[0] for name, values in parse_qs(urlsplit(self.path).query).items()}
            matched = query.get("state") == state and "code" in query
            self.send_response(200 if matched else 400)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(("Authorised: you can close this page." if matched
                              else "Not the answer this command waits for.").encode())
            if matched:
                received.update(query)
                done.set()

        def log_message(self, *args) -> None:     # the request line carries the code
            pass

    with http.server.HTTPServer((LOOPBACK, port), Callback) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            if not done.wait(timeout):
                raise typer.BadParameter(f"no redirect with a code reached port {port} within {timeout:.0f} s")
        finally:
            server.shutdown()
    return received


def _connect(shop: ShopConfig, code: str, shop_id: str | None) -> None:
    from connectors.by_channel import connector_for

    settings = load_settings()
    with connector_for(shop) as connector:
        try:
            tokens = connector.exchange_code(code, shop_id)
        except (ConnectorError, ValueError) as error:
            typer.echo(f"ocop shop connect {shop.key}: the platform refused the code: {error}", err=True)
            raise typer.Exit(1) from None
    connect(token_engine(settings.database_url), shop, tokens)
    typer.echo(f"{shop.key}: connected (shop id {tokens.shop_id or '-'}); the access token is good until "
               f"{_when(tokens.access_expires_at, time.time())}, and is refreshed by whichever worker needs it.")


def _shop(key: str) -> ShopConfig:
    path = _shops_file()
    shops = load_shops(path, only=key)
    if not shops:
        known = ", ".join(declared for declared, _, _ in declared_shops(path))
        raise typer.BadParameter(f"no shop {key!r} in {path}; declared: {known or 'none'}")
    if shops[0].tokens is None:
        raise typer.BadParameter(f"shop {key} has a static token: add tokens = \"database\" to its entry in {path}")
    return shops[0]


def _shops_file() -> Path:
    path = load_settings().shops_file
    if path is None:
        raise typer.BadParameter("set OCOP_SHOPS_FILE to the shops file that declares the shop")
    return path


def _when(moment: float | None, now: float) -> str:
    if moment is None:
        return "-"
    left = moment - now
    stamp = dt.datetime.fromtimestamp(moment, dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    if left <= 0:
        return f"{stamp} (expired)"
    return f"{stamp} ({_duration(left)})"


def _duration(seconds: float) -> str:
    if seconds >= 86_400:
        return f"{seconds / 86_400:.0f} d"
    if seconds >= 3600:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 60:.0f} min"
