"""A marketplace's category tree, category attributes, brands and category rules, as sandbox data.

Each sandbox loads `sandboxes/catalogues/<channel>.json` (one schema for the three platforms; each
sandbox module renders it in its platform's own JSON and enforces it on creates and edits). A test
changes it through the hooks below (`set_attribute`, `set_rules`, `add_brand`), e.g. to make an
attribute mandatory, and the next API call sees the change.

The file's schema: `categories` (id, parent_id "0" for a top level, name, name_en; a category with
no children is a leaf and names its `attributes` set, and on TikTok its `rules` set),
`attribute_sets` (id, name, label, mandatory, input: select | select_or_custom | multi_select |
text, values [{id, name}]), `rule_sets` (certifications [{id, name, required}],
package_dimension_required) and `brands` (id, name, the category ids they belong to, or null for
every category).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ocop.channels import Channel

CATALOGUES_DIR = Path(__file__).with_name("catalogues")
PICK_ONLY = frozenset({"select", "multi_select"})     # values from the list only
MULTIPLE = frozenset({"multi_select"})


@dataclass(frozen=True)
class AttributeValue:
    id: str
    name: str


@dataclass(frozen=True)
class SandboxAttribute:
    id: str
    name: str            # the platform's key (Lazada's payload key; Shopee's English name)
    label: str           # what a seller sees, in Vietnamese
    mandatory: bool
    input: str
    values: tuple[AttributeValue, ...] = ()

    @property
    def custom_allowed(self) -> bool:
        return self.input not in PICK_ONLY

    def value(self, *, value_id: str | None = None, name: str | None = None) -> AttributeValue | None:
        for value in self.values:
            if (value_id is not None and value.id == value_id) or (name is not None and value.name == name):
                return value
        return None


@dataclass(frozen=True)
class CertificationRule:
    id: str
    name: str
    required: bool


@dataclass(frozen=True)
class CategoryRules:
    certifications: tuple[CertificationRule, ...] = ()
    package_dimension_required: bool = False


@dataclass(frozen=True)
class SandboxCategory:
    id: str
    parent_id: str
    name: str
    name_en: str
    attributes: tuple[SandboxAttribute, ...] = ()
    rules: CategoryRules = CategoryRules()

    def attribute(self, attribute_id: str) -> SandboxAttribute | None:
        return next((a for a in self.attributes if a.id == attribute_id), None)

    def attribute_named(self, name: str) -> SandboxAttribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True)
class SandboxBrand:
    id: str
    name: str
    categories: tuple[str, ...] | None     # None: a brand of every category


@dataclass(frozen=True)
class Chosen:
    """One attribute as a create sent it: the value ids and free-text names it chose."""

    attribute_id: str
    values: tuple[tuple[str | None, str | None], ...]    # (value id, value name); either may be absent


class CategoryCatalogue:
    """The categories, attributes, rules and brands one sandbox serves and enforces."""

    def __init__(self, categories: list[SandboxCategory], brands: list[SandboxBrand]) -> None:
        self._lock = threading.Lock()
        self._categories = {c.id: c for c in categories}
        self._brands = {b.id: b for b in brands}

    @classmethod
    def for_channel(cls, channel: Channel) -> CategoryCatalogue:
        return cls.from_file(CATALOGUES_DIR / f"{channel.value}.json")

    @classmethod
    def from_file(cls, path: Path) -> CategoryCatalogue:
        return cls.from_document(json.loads(Path(path).read_text(encoding="utf-8")), source=str(path))

    @classmethod
    def from_document(cls, document: dict[str, Any], *, source: str = "catalogue") -> CategoryCatalogue:
        sets = {name: tuple(_attribute(entry) for entry in entries)
                for name, entries in document.get("attribute_sets", {}).items()}
        rules = {name: _rules(entry) for name, entry in document.get("rule_sets", {}).items()}
        categories = []
        for entry in document["categories"]:
            for key, known in (("attributes", sets), ("rules", rules)):
                if entry.get(key) and entry[key] not in known:
                    raise ValueError(f"{source}: category {entry['id']} names unknown {key} set {entry[key]!r}")
            categories.append(SandboxCategory(
                id=str(entry["id"]), parent_id=str(entry["parent_id"]), name=entry["name"],
                name_en=entry.get("name_en", ""), attributes=sets.get(entry.get("attributes"), ()),
                rules=rules.get(entry.get("rules"), CategoryRules())))
        brands = [SandboxBrand(str(b["id"]), b["name"], None if b.get("categories") is None
                               else tuple(str(c) for c in b["categories"])) for b in document.get("brands", [])]
        return cls(categories, brands)

    # -- reads -----------------------------------------------------------------------------------

    def categories(self) -> list[SandboxCategory]:
        with self._lock:
            return list(self._categories.values())

    def category(self, category_id: Any) -> SandboxCategory | None:
        with self._lock:
            return self._categories.get(str(category_id))

    def is_leaf(self, category_id: str) -> bool:
        with self._lock:
            return all(c.parent_id != category_id for c in self._categories.values())

    def leaf(self, category_id: Any) -> SandboxCategory | None:
        """The category if it exists and is a leaf (only leaves take products), else None."""
        found = self.category(category_id)
        return found if found is not None and self.is_leaf(found.id) else None

    def brands(self, category_id: str | None = None) -> list[SandboxBrand]:
        with self._lock:
            brands = list(self._brands.values())
        return [b for b in brands if category_id is None or b.categories is None or category_id in b.categories]

    def brand(self, category_id: str, *, brand_id: str | None = None, name: str | None = None) -> SandboxBrand | None:
        """A brand of the category, by id or (case-insensitive) name."""
        for brand in self.brands(category_id):
            if brand.id == brand_id or (name is not None and brand.name.casefold() == name.casefold()):
                return brand
        return None

    # -- test hooks ------------------------------------------------------------------------------

    def set_attribute(self, category_id: str, attribute_id: str, **changes: Any) -> SandboxAttribute:
        """Change one attribute of a leaf, e.g. `set_attribute("100670", "100095", mandatory=True)`."""
        with self._lock:
            category = self._categories[str(category_id)]
            current = category.attribute(str(attribute_id))
            if current is None:
                raise KeyError(f"category {category_id} has no attribute {attribute_id}")
            changed = replace(current, **changes)
            attributes = tuple(changed if a.id == current.id else a for a in category.attributes)
            self._categories[category.id] = replace(category, attributes=attributes)
        return changed

    def set_rules(self, category_id: str, **changes: Any) -> CategoryRules:
        """Change a leaf's rules, e.g. `set_rules(id, certifications=(CertificationRule(...),))`."""
        with self._lock:
            category = self._categories[str(category_id)]
            rules = replace(category.rules, **changes)
            self._categories[category.id] = replace(category, rules=rules)
        return rules

    def add_brand(self, brand_id: str, name: str, categories: tuple[str, ...] | None = None) -> SandboxBrand:
        brand = SandboxBrand(str(brand_id), name, categories)
        with self._lock:
            self._brands[brand.id] = brand
        return brand


def attribute_problems(category: SandboxCategory, chosen: list[Chosen]) -> tuple[list[str], list[SandboxAttribute]]:
    """(problems with the attributes a create sent, mandatory attributes it did not send): every one."""
    problems, sent = [], set()
    for choice in chosen:
        attribute = category.attribute(choice.attribute_id)
        if attribute is None:
            problems.append(f"attribute {choice.attribute_id} is not an attribute of category {category.id}")
            continue
        problem = _value_problem(attribute, choice)
        if problem:
            problems.append(problem)
        elif choice.values:
            sent.add(attribute.id)
    missing = [a for a in category.attributes if a.mandatory and a.id not in sent]
    return problems, missing


def _value_problem(attribute: SandboxAttribute, choice: Chosen) -> str | None:
    label = f"attribute {attribute.id} ({attribute.label})"
    if len(choice.values) > 1 and attribute.input not in MULTIPLE:
        return f"{label} takes one value, got {len(choice.values)}"
    for value_id, name in choice.values:
        if value_id not in (None, "", "0"):
            if attribute.value(value_id=value_id) is None:
                return f"{label}: value id {value_id} is not one of its values"
        elif not name or not name.strip():
            return f"{label}: a value without a value id needs its name"
        elif not attribute.custom_allowed and attribute.value(name=name) is None:
            allowed = ", ".join(v.name for v in attribute.values)
            return f"{label}: {name!r} is not one of its values ({allowed})"
    return None


def _attribute(entry: dict[str, Any]) -> SandboxAttribute:
    values = tuple(AttributeValue(str(v["id"]), v["name"]) for v in entry.get("values", ()))
    return SandboxAttribute(id=str(entry["id"]), name=entry["name"], label=entry.get("label", entry["name"]),
                            mandatory=bool(entry.get("mandatory")), input=entry["input"], values=values)


def _rules(entry: dict[str, Any]) -> CategoryRules:
    certifications = tuple(CertificationRule(str(c["id"]), c["name"], bool(c.get("required")))
                           for c in entry.get("certifications", ()))
    return CategoryRules(certifications, bool(entry.get("package_dimension_required")))
