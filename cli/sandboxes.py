"""`ocop sandbox serve` and `ocop sandbox show`: run the local sandboxes in the foreground, and
print what each sandbox shop holds.

Default ports: registry 8780, Shopee 8781, Lazada 8782 (base URL ends in /rest), TikTok Shop 8783;
change them in the config file (`--config`, see sandboxes/sandboxes.toml).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from pathlib import Path
from typing import Optional

import typer

from catalogue.sample import sample_rows
from ocop.channels import Channel
from ocop.settings import load_settings
from sandboxes.config import SandboxConfig, default_config, load_config
from sandboxes.fleet import REGISTRY, SandboxFleet, start_sandboxes
from sandboxes.registry import load_registry_rows
from sandboxes.state import Item, SandboxState

app = typer.Typer(help="Local marketplace sandboxes (Shopee, Lazada, TikTok Shop) and the OCOP registry.",
                  no_args_is_help=True)

STATE_DIR_HELP = "Where the sandboxes keep their SQLite files (default: $OCOP_HOME/sandboxes)."
CONFIG_HELP = "TOML file with shops, ports, limits, review rules and faults (default: the bundled sandboxes.toml)."


@app.command()
def serve(
    state_dir: Optional[Path] = typer.Option(None, help=STATE_DIR_HELP),
    config: Optional[Path] = typer.Option(None, help=CONFIG_HELP),
    registry_file: Optional[Path] = typer.Option(
        None, help="Catalogue rows for the registry (JSON or CSV); default: the sample catalogue."),
) -> None:
    """Start every sandbox on its port and serve until Ctrl-C, one log line per request."""
    settings = _config(config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    ports = {channel.value: settings.channels[channel].port for channel in settings.channels}
    fleet = start_sandboxes(_state_dir(state_dir), config=settings, ports={**ports, REGISTRY: settings.registry_port},
                            registry_rows=load_registry_rows(registry_file) if registry_file else sample_rows())
    typer.echo(describe(fleet))
    typer.echo("Serving; press Ctrl-C to stop.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        typer.echo("Stopping the sandboxes.")
    finally:
        fleet.stop()


@app.command()
def show(
    state_dir: Optional[Path] = typer.Option(None, help=STATE_DIR_HELP),
    config: Optional[Path] = typer.Option(None, help=CONFIG_HELP),
    shop: Optional[str] = typer.Option(None, help="Only this shop key."),
) -> None:
    """Print what each sandbox shop holds: items with status, price, stock and reject reason."""
    settings, directory = _config(config), _state_dir(state_dir)
    for channel in settings.channels:
        path = directory / f"{channel.value}.sqlite3"
        items = _read_items(path) if path.exists() else []
        for declared in settings.shops_of(channel):
            if shop is None or declared.key == shop:
                typer.echo(describe_shop_items(declared.key, channel, [i for i in items if i.shop == declared.key]))


def describe(fleet: SandboxFleet) -> str:
    """Each shop's base URL and test credentials (sandbox-only values), and the registry's URL."""
    lines = [f"OCOP registry      {fleet.registry_url}/api/v1/products"]
    for shop in fleet.config.shops:
        lines.append(f"{shop.key:<18} {shop.channel.value:<7} {fleet.base_url(shop.channel)}")
        lines.append(f"    app_key={shop.app_key}  app_secret={shop.app_secret}  access_token={shop.access_token}"
                     + (f"  shop_id={shop.shop_id}" if shop.shop_id else ""))
    return "\n".join(lines)


def describe_shop_items(shop: str, channel: Channel, items: list[Item]) -> str:
    counts = Counter(item.status for item in items)
    summary = ", ".join(f"{status} {count}" for status, count in sorted(counts.items())) or "empty"
    lines = [f"{channel.value} / {shop}: {len(items)} item(s) ({summary})"]
    for item in items:
        lines.append(f"  {item.item_id:<20} {item.seller_sku or '-':<24} {item.status:<18} "
                     f"{item.price:>12,} VND  stock {item.stock:<6} {item.title[:60]}")
        if item.reject_reason:
            lines.append(f"      reason: {item.reject_reason}")
    return "\n".join(lines)


def _read_items(path: Path) -> list[Item]:
    state = SandboxState(path)
    try:
        return state.all_items()
    finally:
        state.close()


def _config(path: Path | None) -> SandboxConfig:
    return load_config(path) if path else default_config()


def _state_dir(path: Path | None) -> Path:
    return path or load_settings().sandbox_dir
