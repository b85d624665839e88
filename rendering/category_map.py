"""The category and attribute maps held to a channel's own tree, and leaves proposed for a group.

`check_mapping` says what is wrong with a profile's maps against what a shop reads from its platform
(a category that is not a leaf or does not exist, a required attribute or certification with no row,
a row naming an attribute the category lacks, a value a drop-down does not list). `suggest_leaves`
proposes leaves by name for a province to confirm: the map's own leaf first when it is valid, then
leaves whose names share the most words with the group's, then nothing (chosen by hand).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Protocol

from catalogue.groups import GROUPS, is_physical_goods
from connectors.categories import (
    Category,
    CategoryAttribute,
    CategoryRules,
    CategoryTree,
)
from rendering.attributes import ORIGIN
from rendering.profiles import ChannelProfile

# Values the map fills into drop-downs; each must be one of the attribute's listed values.
FIXED_VALUES = {"origin": (ORIGIN,), "ocop_stars": ("3 sao", "4 sao", "5 sao")}
_STOPWORDS = frozenset({"va", "khac", "cac", "tu", "che", "bien", "san", "pham"})


class CategorySource(Protocol):
    """What a connector reads of its shop's categories."""

    def category_tree(self) -> CategoryTree: ...
    def category_attributes(self, category_id: str) -> tuple[CategoryAttribute, ...]: ...
    def category_rules(self, category_id: str) -> CategoryRules: ...


def check_mapping(profile: ChannelProfile, source: CategorySource) -> list[str]:
    """Every problem of the profile's category and attribute maps against the platform's tree."""
    tree, problems = source.category_tree(), []
    for group, category_id in sorted(profile.categories.items()):
        category = tree.get(category_id)
        if category is None:
            problems.append(f"group {group}: category {category_id} does not exist on {profile.channel.value}")
        elif not category.is_leaf:
            problems.append(f"group {group}: category {category_id} ({category.name}) is not a leaf")
    for category_id in sorted(set(profile.categories.values())):
        category = tree.get(category_id)
        if category is not None and category.is_leaf:
            problems += _attribute_problems(profile, category, source)
    return problems


def _attribute_problems(profile: ChannelProfile, category: Category, source: CategorySource) -> list[str]:
    where = f"{profile.channel.value} category {category.id} ({category.name})"
    rows = profile.attributes.get(category.id, ())
    attributes = {a.key: a for a in source.category_attributes(category.id)}
    mapped = {row.key for row in rows if row.kind == "attribute"}
    certified = {row.key for row in rows if row.kind == "certification"}
    problems = [f"{where}: required attribute {a.key} ({a.name}) has no row in the attribute map"
                for a in attributes.values() if a.mandatory and a.key not in mapped]
    problems += [f"{where}: the rules require certification {c.id} ({c.name}); no row attaches the OCOP decision"
                 for c in source.category_rules(category.id).required_certifications if c.id not in certified]
    for row in rows:
        attribute = attributes.get(row.key)
        if row.kind != "attribute":
            continue
        if attribute is None:
            problems.append(f"{where}: the map fills attribute {row.key} ({row.name}), which the category lacks")
        elif not attribute.custom_allowed:
            unlisted = [v for v in FIXED_VALUES.get(row.source, ()) if attribute.value_named(v) is None]
            if row.source not in FIXED_VALUES or unlisted:
                problems.append(f"{where}: attribute {row.key} ({row.name}) takes only its listed values; "
                                f"{row.source} gives {', '.join(unlisted) or 'free text'}")
        if attribute is not None and attribute.mandatory != row.required:
            problems.append(f"{where}: attribute {row.key} ({row.name}) is {'' if attribute.mandatory else 'not '}"
                            f"required on the platform; the map says required={'yes' if row.required else 'no'}")
    return problems


@dataclass(frozen=True)
class Suggestion:
    group: str
    group_name: str
    how: str                          # "rule" (the map's leaf), "match" (by name) or "manual" (none found)
    leaves: tuple[Category, ...]      # best first


def suggest_leaves(profile: ChannelProfile, tree: CategoryTree, *, limit: int = 3) -> list[Suggestion]:
    """For every Decision 148 group of goods: the map's leaf when valid, else leaves by name, else none."""
    suggestions = []
    for group, name in GROUPS.items():
        if not is_physical_goods(group):
            continue
        mapped = tree.get(profile.categories.get(group, ""))
        if mapped is not None and mapped.is_leaf:
            suggestions.append(Suggestion(group, name, "rule", (mapped,)))
            continue
        scored = sorted(((_overlap(name, tree, leaf), leaf) for leaf in tree.leaves()), key=lambda pair: -pair[0])
        best = tuple(leaf for score, leaf in scored[:limit] if score > 0)
        suggestions.append(Suggestion(group, name, "match" if best else "manual", best))
    return suggestions


def _overlap(group_name: str, tree: CategoryTree, leaf: Category) -> float:
    """Shared words between the group's name and the leaf's (its own name counting double)."""
    wanted = _words(group_name)
    own = _words(leaf.name)
    ancestors = set().union(*(_words(c.name) for c in tree.path(leaf.id)[:-1])) if tree.path(leaf.id)[:-1] else set()
    return 2 * len(wanted & own) + len(wanted & ancestors)


def _words(text: str) -> set[str]:
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if unicodedata.category(c) != "Mn").lower()
    return {w for w in "".join(c if c.isalnum() else " " for c in plain).split() if w not in _STOPWORDS}
