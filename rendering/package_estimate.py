"""A listing's shipping weight and box, from what the catalogue says or, when it says nothing, an estimate.

Real provincial lists carry no shipping weight and no box size, and every channel requires both.
The weight comes from, in this order: the catalogue's net weight (stated); the pack size as
producers write it (`500 g`, `1,5 kg`, `hộp 10 gói x 20 g`, `thùng 24 lon x 330ml`) plus the
packaging allowance of its tier; the usual pack of the product's Decision 148 group
(`typical_packs.csv`) the same way. The box is the tier's (`packages.csv`). Both files are data a
province office may replace with its own copy. A stated net weight is sent as it is, with no
allowance, as before estimates existed.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from catalogue.groups import group_path
from catalogue.records import ProductRecord
from ocop.settings import load_settings

PROFILES_DIR = Path(__file__).parent / "profiles"
PACKAGES_FILE = PROFILES_DIR / "packages.csv"
TYPICAL_PACKS_FILE = PROFILES_DIR / "typical_packs.csv"

# Grams per unit; a millilitre is taken as a gram (water; honey and oils are covered by the allowance).
_UNIT_GRAMS = {"g": 1, "gr": 1, "gam": 1, "gram": 1, "kg": 1000, "ml": 1, "l": 1000, "lit": 1000, "lít": 1000}
_NUMBER = r"\d+(?:[.,]\d+)?"
_UNIT = "|".join(sorted(_UNIT_GRAMS, key=len, reverse=True))
# "[count [container words] x] amount unit [x count]": "hộp 10 gói x 20 g", "330ml x 24 lon", "500 g".
_PACK = re.compile(
    rf"(?:(\d+)\s*(?:[^\W\d_]+\s*){{0,2}}[x×*]\s*)?({_NUMBER})\s*({_UNIT})(?![^\W\d_])(?:\s*[x×*]\s*(\d+))?",
    re.IGNORECASE,
)


class PackageBasis(StrEnum):
    STATED = "stated"                # the catalogue's net weight
    PACK_SIZE = "pack_size"          # estimated from the pack size
    TYPICAL_PACK = "typical_pack"    # estimated from the group's usual pack


@dataclass(frozen=True)
class PackageData:
    weight_g: int
    cm: tuple[int, int, int]
    basis: PackageBasis

    @property
    def estimated(self) -> bool:
        return self.basis is not PackageBasis.STATED


class NoPackageBasis(ValueError):
    """Nothing to size the package from: `field` is what is missing, `why` names every source tried."""

    def __init__(self, field: str, why: str) -> None:
        super().__init__(f"{field} missing: {why}")
        self.field = field
        self.why = why


@dataclass(frozen=True)
class PackageTier:
    group_code: str              # "" for every group; a group's own tiers come first, then its parents'
    max_weight_g: int            # contents up to this weight
    packaging_g: int             # what the box, bottle and padding add
    cm: tuple[int, int, int]


@dataclass(frozen=True)
class PackageRules:
    tiers: tuple[PackageTier, ...]
    typical_packs: dict[str, str]        # group code -> the usual pack, written as a pack size
    digest: str                          # of both files, for the listing's input fingerprint

    def package_for(self, product: ProductRecord) -> PackageData:
        """The product's package, or NoPackageBasis naming what is missing."""
        if product.net_weight_g and product.net_weight_g > 0:
            tier = self._tier(product.group_code, product.net_weight_g, "")
            return PackageData(product.net_weight_g, tier.cm, PackageBasis.STATED)
        contents = pack_contents_g(product.pack_size)
        if contents is not None:
            return self._estimate(product.group_code, contents, f"pack size {product.pack_size!r}", PackageBasis.PACK_SIZE)
        typical = self._typical_pack(product.group_code)
        if typical is None:
            said = f"pack size {product.pack_size!r} names no quantity" if product.pack_size else "no pack size"
            raise NoPackageBasis("net weight", f"{said} (e.g. '500 g', 'hộp 10 gói x 20 g'), and no usual pack "
                                               f"for group {product.group_code} or its parents in {TYPICAL_PACKS_FILE.name}")
        code, pack = typical
        contents = pack_contents_g(pack)
        if contents is None:
            raise NoPackageBasis("net weight", f"the usual pack of group {code} in {TYPICAL_PACKS_FILE.name}, "
                                               f"{pack!r}, names no quantity")
        return self._estimate(product.group_code, contents, f"the usual pack of group {code}", PackageBasis.TYPICAL_PACK)

    def _estimate(self, group_code: str, contents_g: int, source: str, basis: PackageBasis) -> PackageData:
        tier = self._tier(group_code, contents_g, source)
        return PackageData(contents_g + tier.packaging_g, tier.cm, basis)

    def _tier(self, group_code: str, contents_g: int, source: str) -> PackageTier:
        for code in (*reversed(group_path(group_code)), ""):
            for tier in self.tiers:
                if tier.group_code == code and contents_g <= tier.max_weight_g:
                    return tier
        from_where = f" ({source})" if source else ""
        raise NoPackageBasis("package dimensions", f"no tier in {PACKAGES_FILE.name} for {contents_g} g{from_where}")

    def _typical_pack(self, group_code: str) -> tuple[str, str] | None:
        for code in reversed(group_path(group_code)):
            if code in self.typical_packs:
                return code, self.typical_packs[code]
        return None


def pack_contents_g(pack_size: str | None) -> int | None:
    """What a pack holds, in grams, read from the pack size as producers write it; None when it names
    no weight or volume (`1 bó`, `hộp`)."""
    if not pack_size:
        return None
    text = unicodedata.normalize("NFC", pack_size).casefold()
    match = _PACK.search(text)
    if match is None:
        return None
    before, amount, unit, after = match.groups()
    count = int(before or 1) * int(after or 1)
    grams = float(amount.replace(",", ".")) * _UNIT_GRAMS[unit]
    return round(count * grams) or None


class PackageRulesError(ValueError):
    """A packages or typical-packs file is malformed: names the file, the row and what was expected."""


def load_package_rules(packages_file: Path | None = None, typical_packs_file: Path | None = None) -> PackageRules:
    """The rules from the files given, else the province's own copies (OCOP_PACKAGES_FILE,
    OCOP_TYPICAL_PACKS_FILE), else the shipped ones. Their digest is part of every listing's input
    fingerprint, so editing a table re-renders what it changes."""
    settings = load_settings()
    packages_file = packages_file or settings.packages_file or PACKAGES_FILE
    typical_packs_file = typical_packs_file or settings.typical_packs_file or TYPICAL_PACKS_FILE
    return _load(packages_file.resolve(), typical_packs_file.resolve())


@lru_cache(maxsize=8)
def _load(packages_file: Path, typical_packs_file: Path) -> PackageRules:
    digest = hashlib.sha256(packages_file.read_bytes() + b"\0" + typical_packs_file.read_bytes()).hexdigest()
    return PackageRules(_read_tiers(packages_file), _read_typical_packs(typical_packs_file), digest)


def _read_tiers(path: Path) -> tuple[PackageTier, ...]:
    tiers = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                cm = (int(row["length_cm"]), int(row["width_cm"]), int(row["height_cm"]))
                tiers.append(PackageTier((row["group_code"] or "").strip(), int(row["max_weight_g"]), int(row["packaging_g"]), cm))
            except (KeyError, TypeError, ValueError) as error:
                raise PackageRulesError(f"{path} row {number}: {row}; expected group_code (may be empty) and integer "
                                        "max_weight_g, packaging_g, length_cm, width_cm, height_cm") from error
    return tuple(sorted(tiers, key=lambda tier: (tier.group_code, tier.max_weight_g)))


def _read_typical_packs(path: Path) -> dict[str, str]:
    packs = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            code, pack = (row.get("group_code") or "").strip(), (row.get("typical_pack") or "").strip()
            if not code or pack_contents_g(pack) is None:
                raise PackageRulesError(f"{path} row {number}: {row}; expected a group_code and a typical_pack "
                                        "naming a weight or volume, e.g. '500 g' or 'hộp 10 gói x 20 g'")
            packs[code] = pack
    return packs
