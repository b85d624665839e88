"""Channel profiles: everything channel-specific that is data, not code.

A profile is read from `rendering/profiles/<channel>.toml` (template names, whether the description
is HTML, image size, quality and star-badge placement, required fields, GTIN rule, price format,
brand), with the platform's limits (text lengths, image count, price range, seller SKU rule) from the
channel's declaration in `ocop/channels.py`, plus two files a province can edit without touching code:

- `categories.csv`: Decision 148 group code -> each channel's category id. A group without a row
  (or with an empty cell) falls back up the tree: `I.3.c` -> `I.3` -> `I`.
- `attributes.csv`: per channel and leaf category, the attributes the category defines that we fill
  and the certifications its rules ask for: the platform's key, its name, whether the platform
  requires it, and the catalogue fact that fills it (`rendering.attributes.SOURCES`).
  `ocop categories check` and tests/rendering/test_category_mapping.py hold it to the platforms' trees.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from catalogue.groups import group_path
from ocop.channels import Channel, declaration

PROFILES_DIR = Path(__file__).parent / "profiles"


class BadgePlacement(StrEnum):
    COVER = "cover"    # composited onto the cover image
    EXTRA = "extra"    # added as an image of its own, after the product photos


class GtinPlacement(StrEnum):
    """Where the platform takes the barcode. Rendering always states it in the description too."""

    FIELD = "field"                      # the platform's GTIN field, from ListingContent.gtin
    FIELD_WITH_TYPE = "field_with_type"  # the same plus its type, from ListingContent.gtin_type
    SKU_ATTRIBUTE = "sku_attribute"      # no documented field: the connector puts ListingContent.gtin
                                         # into a SKU attribute of its choosing


class Requirement(StrEnum):
    MANDATORY = "mandatory"
    OPTIONAL = "optional"


REQUIRABLE_FIELDS = frozenset({"category", "brand", "weight", "package_dimensions", "images", "gtin"})
ATTRIBUTE_SOURCES = frozenset({"origin", "net_weight", "shelf_life", "ingredients", "ocop_stars", "ocop_decision"})


@dataclass(frozen=True)
class AttributeRule:
    """One attribute (or certification) of a channel's leaf category and the fact that fills it."""

    kind: str          # "attribute" or "certification"
    key: str           # the platform's attribute id (Lazada: its name) or certification id
    name: str
    required: bool
    source: str        # one of ATTRIBUTE_SOURCES


@dataclass(frozen=True)
class TextRule:
    min_chars: int
    max_chars: int
    html: bool = False


@dataclass(frozen=True)
class ImageRule:
    min_count: int
    max_count: int
    size_px: int
    jpeg_quality: int
    badge: BadgePlacement


@dataclass(frozen=True)
class GtinRule:
    requirement: Requirement
    placement: GtinPlacement
    types_by_length: dict[int, str]      # for FIELD_WITH_TYPE: 13 -> "EAN", ...


@dataclass(frozen=True)
class PriceRule:
    min_vnd: int
    max_vnd: int
    format: str                          # "number" or "string": how the connector sends it


@dataclass(frozen=True)
class SkuRule:
    max_chars: int
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class BrandRule:
    source: str                          # "producer" (the producer's name) or "fixed"
    fixed: str
    max_chars: int


@dataclass(frozen=True)
class ChannelProfile:
    channel: Channel
    title: TextRule
    description: TextRule
    images: ImageRule
    required: frozenset[str]
    gtin: GtinRule
    price: PriceRule
    seller_sku: SkuRule
    brand: BrandRule
    templates: dict[str, str]            # title / description / attributes -> template name
    categories: dict[str, str]           # group code -> category id (only non-empty cells)
    attributes: dict[str, tuple[AttributeRule, ...]] = field(default_factory=dict)   # category id -> rules

    def category_for(self, group_code: str) -> str | None:
        """The category id of the group, or of its nearest ancestor that has one."""
        for code in reversed(group_path(group_code)):
            if code in self.categories:
                return self.categories[code]
        return None


class ProfileError(ValueError):
    """A profile file is malformed: names the file, the key and what was expected."""


def load_profile(
    channel: Channel | str,
    *,
    profiles_dir: Path = PROFILES_DIR,
    categories_file: Path | None = None,
    attributes_file: Path | None = None,
) -> ChannelProfile:
    """Load one channel's profile; a province passes its own `categories_file` (and the
    `attributes_file` that goes with its categories) to override the maps."""
    channel = Channel(channel)
    return _load_profile(
        channel,
        profiles_dir.resolve(),
        (categories_file or profiles_dir / "categories.csv").resolve(),
        (attributes_file or profiles_dir / "attributes.csv").resolve(),
    )


@lru_cache(maxsize=32)
def _load_profile(channel: Channel, profiles_dir: Path, categories_file: Path,
                  attributes_file: Path) -> ChannelProfile:
    path = profiles_dir / f"{channel.value}.toml"
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    reader = _TomlReader(path, data)
    limits = declaration(channel).limits
    required = frozenset(reader.get("required", "fields", list))
    unknown = required - REQUIRABLE_FIELDS
    if unknown:
        raise ProfileError(f"{path}: required.fields has {sorted(unknown)}; expected some of {sorted(REQUIRABLE_FIELDS)}")
    return ChannelProfile(
        channel=channel,
        title=TextRule(limits.title_min, limits.title_max),
        description=TextRule(limits.description_min, limits.description_max, html=reader.get("description", "html", bool)),
        images=ImageRule(
            min_count=limits.images_min,
            max_count=limits.images_max,
            size_px=reader.get("images", "size_px", int),
            jpeg_quality=reader.get("images", "jpeg_quality", int),
            badge=BadgePlacement(reader.get("images", "badge", str)),
        ),
        required=required,
        gtin=_gtin_rule(reader),
        price=PriceRule(
            min_vnd=limits.price_min,
            max_vnd=limits.price_max,
            format=reader.get("price", "format", str),
        ),
        seller_sku=SkuRule(max_chars=limits.seller_sku_max, pattern=re.compile(limits.seller_sku_pattern)),
        brand=BrandRule(
            source=reader.get("brand", "source", str),
            fixed=reader.get("brand", "fixed", str),
            max_chars=reader.get("brand", "max_chars", int),
        ),
        templates={part: reader.get("templates", part, str) for part in ("title", "description", "attributes")
                   if part != "attributes" or "attributes" in reader.table("templates")},
        categories=_read_categories(categories_file, channel),
        attributes=_read_attribute_rules(attributes_file, channel),
    )


def _gtin_rule(reader: _TomlReader) -> GtinRule:
    placement = GtinPlacement(reader.get("gtin", "placement", str))
    types = {int(length): kind for length, kind in reader.table("gtin", "types").items()} if placement is GtinPlacement.FIELD_WITH_TYPE else {}
    return GtinRule(Requirement(reader.get("gtin", "requirement", str)), placement, types)


class _TomlReader:
    """Typed access to a profile file, so a typo names the file and key instead of a KeyError."""

    def __init__(self, path: Path, data: dict) -> None:
        self.path = path
        self.data = data

    def table(self, *keys: str) -> dict:
        node = self.data
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            raise ProfileError(f"{self.path}: [{'.'.join(keys)}] missing; expected a table")
        return node

    def get(self, section: str, key: str, kind: type):
        value = self.table(section).get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ProfileError(f"{self.path}: {section}.{key} = {value!r}; expected {kind.__name__}")
        return value


def _read_categories(path: Path, channel: Channel) -> dict[str, str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if channel.value not in (reader.fieldnames or []):
            raise ProfileError(f"{path}: no column {channel.value!r}; columns are {reader.fieldnames}")
        return {
            row["group_code"].strip(): row[channel.value].strip()
            for row in reader
            if (row.get(channel.value) or "").strip()
        }


def _read_attribute_rules(path: Path, channel: Channel) -> dict[str, tuple[AttributeRule, ...]]:
    if not path.exists():
        return {}
    rules: dict[str, list[AttributeRule]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            if (row.get("channel") or "").strip() != channel.value:
                continue
            kind, source, required = (row.get(k, "").strip() for k in ("kind", "source", "required"))
            if kind not in ("attribute", "certification") or source not in ATTRIBUTE_SOURCES or required not in ("yes", "no"):
                raise ProfileError(f"{path} row {number}: kind {kind!r}, source {source!r}, required {required!r}; "
                                   f"expected attribute|certification, one of {sorted(ATTRIBUTE_SOURCES)}, yes|no")
            rule = AttributeRule(kind, row["key"].strip(), row["name"].strip(), required == "yes", source)
            rules.setdefault(row["category_id"].strip(), []).append(rule)
    return {category: tuple(found) for category, found in rules.items()}
