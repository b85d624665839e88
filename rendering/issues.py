"""Why a listing cannot be sent, as data a report can act on: what is wrong, and who must act."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Actor(StrEnum):
    """Who can fix a problem: the producer (facts about the product), the operator running the
    publishing (shops, mapping files' upkeep), or the province (the category and attribute maps,
    the OCOP records)."""

    PRODUCER = "producer"
    OPERATOR = "operator"
    PROVINCE = "province"


@dataclass(frozen=True)
class Issue:
    field: str           # "category", "gtin", "attribute:100010", "certification:7182378931001", ...
    code: str            # missing | invalid | unmapped
    actor: Actor
    reason: str          # the reason as the gate words it (English, for logs and the ledger)

    @property
    def recorded(self) -> str:
        """The reason as the ledger keeps it, naming who must act, so that reports read it back
        (`actor_in`)."""
        return f"{self.reason} [to act: {self.actor.value}]"


_TO_ACT = re.compile(r"\s*\[to act: (producer|operator|province)\]$")


def actor_in(recorded: str) -> tuple[str, Actor | None]:
    """A recorded reason without its actor, and the actor (None for a reason recorded without one)."""
    found = _TO_ACT.search(recorded)
    if found is None:
        return recorded, None
    return recorded[: found.start()], Actor(found.group(1))
