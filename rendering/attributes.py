"""A listing's category attributes and certification documents, filled from catalogue facts by the
channel's attribute map (`profiles/attributes.csv`), with every required one that cannot be filled.

Sources: `origin` (an OCOP product is Vietnamese), `net_weight` (the pack size, else the weight),
`shelf_life` and `ingredients` (stated in the producer's description, "Hạn sử dụng: 12 tháng",
"Thành phần: ..."; the catalogue has no column for them), `ocop_stars` ("4 sao", only where a
platform has such an attribute) and `ocop_decision` (the recognition decision, attached as the
certification document a category rule asks for).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rendering.facts import ListingFacts
from rendering.issues import Actor, Issue
from rendering.profiles import AttributeRule

ORIGIN = "Việt Nam"
_SHELF_LIFE = re.compile(r"(?:hạn sử dụng|hsd)\s*[:：-]?\s*(\d+\s*(?:ngày|tháng|năm))", re.IGNORECASE)
_INGREDIENTS = re.compile(r"thành phần\s*[:：]\s*([^.;\n]+)", re.IGNORECASE)
# Who can supply a fact that is missing.
ACTORS = {"net_weight": Actor.PRODUCER, "shelf_life": Actor.PRODUCER, "ingredients": Actor.PRODUCER,
          "ocop_stars": Actor.PROVINCE, "ocop_decision": Actor.PROVINCE, "origin": Actor.PROVINCE}


@dataclass(frozen=True)
class FilledAttributes:
    attributes: dict[str, str]                       # the platform's key -> value
    certifications: tuple[AttributeRule, ...]        # the certifications to attach the decision to
    issues: tuple[Issue, ...]                        # every required one left unfilled


def fill_attributes(facts: ListingFacts, rules: tuple[AttributeRule, ...], channel: str) -> FilledAttributes:
    attributes, certifications, issues = {}, [], []
    for rule in rules:
        if rule.kind == "certification":
            if facts.certification is not None:
                certifications.append(rule)
            elif rule.required:
                issues.append(_missing(rule, channel, "no valid OCOP decision to attach"))
            continue
        value = fact_value(facts, rule.source)
        if value:
            attributes[rule.key] = value
        elif rule.required:
            issues.append(_missing(rule, channel, f"the catalogue states no {rule.source.replace('_', ' ')}"))
    return FilledAttributes(attributes, tuple(certifications), tuple(issues))


def fact_value(facts: ListingFacts, source: str) -> str | None:
    text = "\n".join(facts.paragraphs)
    if source == "origin":
        return ORIGIN
    if source == "net_weight":
        return facts.pack_size or facts.weight
    if source == "shelf_life":
        found = _SHELF_LIFE.search(text)
        return " ".join(found.group(1).split()) if found else None
    if source == "ingredients":
        found = _INGREDIENTS.search(text)
        return found.group(1).strip() if found else None
    if source == "ocop_stars":
        return f"{facts.certification.stars} sao" if facts.certification else None
    return None


def _missing(rule: AttributeRule, channel: str, why: str) -> Issue:
    return Issue(field=f"{rule.kind}:{rule.key}", code="missing", actor=ACTORS[rule.source],
                 reason=f"{rule.kind} {rule.name} ({rule.key}) missing: {why} (required by {channel})")
