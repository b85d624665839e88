"""A shop's category tree, category attributes, brands and category rules, as plain data.

Each connector reads them through its platform's calls (`category_tree`, `category_attributes`,
`category_brands`, `category_rules`) and keeps what it read per shop for `refresh_s` seconds: the
trees change rarely, and a publish of a thousand listings should read each category once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

DEFAULT_REFRESH_S = 24 * 3600.0
NO_BRAND = "No Brand"


@dataclass(frozen=True)
class Category:
    id: str
    parent_id: str | None          # None for a top-level category
    name: str
    is_leaf: bool


@dataclass(frozen=True)
class AttributeValue:
    id: str
    name: str


@dataclass(frozen=True)
class CategoryAttribute:
    """One attribute a leaf category defines. `key` is what a create names it by: the attribute id
    on Shopee and TikTok, the attribute's (English) name on Lazada."""

    key: str
    name: str
    mandatory: bool
    values: tuple[AttributeValue, ...] = ()
    custom_allowed: bool = True       # a value outside `values` may be sent as text
    multiple: bool = False

    def value_named(self, name: str) -> AttributeValue | None:
        wanted = name.strip().casefold()
        return next((v for v in self.values if v.name.strip().casefold() == wanted), None)


@dataclass(frozen=True)
class Brand:
    id: str
    name: str


@dataclass(frozen=True)
class CertificationRequirement:
    id: str
    name: str
    required: bool


@dataclass(frozen=True)
class CategoryRules:
    """What a category demands beyond its attributes (TikTok's category rules)."""

    certifications: tuple[CertificationRequirement, ...] = ()
    package_dimensions_required: bool = False

    @property
    def required_certifications(self) -> tuple[CertificationRequirement, ...]:
        return tuple(c for c in self.certifications if c.required)


@dataclass(frozen=True)
class CategoryTree:
    categories: tuple[Category, ...]

    def get(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == str(category_id)), None)

    def leaves(self) -> Iterator[Category]:
        return (c for c in self.categories if c.is_leaf)

    def path(self, category_id: str) -> tuple[Category, ...]:
        """The category and its ancestors, top level first (empty for an unknown id)."""
        chain, current = [], self.get(category_id)
        while current is not None and len(chain) <= len(self.categories):
            chain.append(current)
            current = self.get(current.parent_id) if current.parent_id else None
        return tuple(reversed(chain))


def find_brand(brands: tuple[Brand, ...], name: str) -> Brand | None:
    """The brand a name stands for, or None for "No Brand" and for a name the platform does not know."""
    wanted = name.strip().casefold()
    if not wanted or wanted == NO_BRAND.casefold():
        return None
    return next((b for b in brands if b.name.strip().casefold() == wanted), None)


def is_no_brand(name: str) -> bool:
    return not name.strip() or name.strip().casefold() == NO_BRAND.casefold()


class CategoryCache:
    """What one shop's category calls answered, each kept for `refresh_s` seconds."""

    def __init__(self, refresh_s: float = DEFAULT_REFRESH_S, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.refresh_s = refresh_s
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[tuple, tuple[float, Any]] = {}

    def get(self, key: tuple, read: Callable[[], Any]) -> Any:
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self.refresh_s:
            return entry[1]
        value = read()
        with self._lock:
            self._entries[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_caches: dict[str, CategoryCache] = {}
_caches_lock = threading.Lock()


def category_cache_for(shop_key: str, refresh_s: float = DEFAULT_REFRESH_S) -> CategoryCache:
    """The one cache of a shop, shared by every connector object talking to it in this process."""
    with _caches_lock:
        cache = _caches.get(shop_key)
        if cache is None or cache.refresh_s != refresh_s:
            cache = _caches[shop_key] = CategoryCache(refresh_s)
        return cache
