"""`ocop categories`: the category map held to a shop's own tree, and leaves proposed for a province
to confirm ("the map's rule first, then a match by name, then by hand")."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Optional

import typer

from connectors.types import ShopConfig
from ocop.settings import load_settings
from shops.file import declared_shops, load_shops

app = typer.Typer(help="Categories: check the category and attribute maps against a shop's tree, suggest leaves.",
                  no_args_is_help=True)

CATEGORIES_OPTION = typer.Option(None, "--categories", exists=True, dir_okay=False, metavar="FILE",
                                 help="The province's categories.csv (default: the shipped one).")


@app.command()
def suggest(
    shop: str = typer.Argument(..., help="A shop of the channel, by its key in the shops file."),
    categories: Optional[Path] = CATEGORIES_OPTION,
    write: Optional[Path] = typer.Option(None, metavar="FILE", help="Write the proposals as a categories "
                                         "file (the channel's column) for the province to confirm."),
) -> None:
    """Propose a leaf category for every product group, read from the shop's category tree."""
    from connectors.by_channel import connector_for
    from rendering.category_map import suggest_leaves
    from rendering.profiles import load_profile

    config = _shop(shop)
    with connector_for(config) as connector:
        tree = connector.category_tree()
    suggestions = suggest_leaves(load_profile(config.channel, categories_file=categories), tree)
    for s in suggestions:
        leaves = "; ".join(f"{leaf.id} {' > '.join(c.name for c in tree.path(leaf.id))}" for leaf in s.leaves)
        typer.echo(f"{s.group:<7} {s.group_name[:40]:<40} {s.how:<6} {leaves or 'chọn thủ công (choose by hand)'}")
    if write is not None:
        with write.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["group_code", "group_name", config.channel.value])
            writer.writerows([s.group, s.group_name, s.leaves[0].id if s.leaves else ""] for s in suggestions)
        typer.echo(f"written to {write}: confirm each row, then use it with --categories or merge it into "
                   "rendering/profiles/categories.csv")


@app.command()
def check(
    shop: str = typer.Argument(..., help="A shop of the channel, by its key in the shops file."),
    categories: Optional[Path] = CATEGORIES_OPTION,
    attributes: Optional[Path] = typer.Option(None, "--attributes", exists=True, dir_okay=False, metavar="FILE",
                                              help="The province's attributes.csv (default: the shipped one)."),
) -> None:
    """Hold the category and attribute maps to the shop's tree; exit 1 naming every problem."""
    from connectors.by_channel import connector_for
    from rendering.category_map import check_mapping
    from rendering.profiles import load_profile

    config = _shop(shop)
    profile = load_profile(config.channel, categories_file=categories, attributes_file=attributes)
    with connector_for(config) as connector:
        problems = check_mapping(profile, connector)
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"{config.channel.value}: every mapped group is a leaf and every required attribute is filled")


def _shop(key: str) -> ShopConfig:
    path = load_settings().shops_file
    if path is None:
        raise typer.BadParameter("set OCOP_SHOPS_FILE to the shops file that declares the shop")
    shops = load_shops(path, only=key)
    if not shops:
        known = ", ".join(declared for declared, _, _ in declared_shops(path))
        raise typer.BadParameter(f"no shop {key!r} in {path}; declared: {known or 'none'}")
    return shops[0]
